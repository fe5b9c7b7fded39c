"""A local stand-in for export.arxiv.org that replays real Atom entries.

It answers the three kinds of request paper-reader makes: a followed query
(any ``search_query`` that is not a title search: the newest entries first,
paged by ``start``/``max_results``), a title search (``ti:"..."`` phrases
OR-ed together: every entry whose title holds one phrase's words in a row,
near misses included, as arXiv's phrase search does), and ``id_list``.
Responses are the real feed header of a recorded 2026 response with the
requested entries, byte for byte as arXiv sent them.
"""

from __future__ import annotations

import re
import socket
import threading
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ARXIV_DATA = Path(__file__).resolve().parent / "data" / "arxiv"
TESTING_100 = ARXIV_DATA / "arxiv-api-2026-search-testing-100-entries.xml"
JASON_LEE_7 = ARXIV_DATA / "arxiv-api-composed-jason-d-lee-7-entries.xml"
API_PATH = "/api/query"

_ENTRY = re.compile(r"<entry>.*?</entry>", re.DOTALL)
_PHRASE = re.compile(r'ti:"([^"]*)"')


def entries_of(path: Path) -> list[str]:
    """The ``<entry>`` elements of a recorded response, as text."""
    return _ENTRY.findall(path.read_text(encoding="utf-8"))


def entry_field(entry: str, tag: str) -> str:
    match = re.search(rf"<{tag}>(.*?)</{tag}>", entry, re.DOTALL)
    return " ".join(match.group(1).split()) if match else ""


def arxiv_id_of(entry: str) -> str:
    return re.sub(r"v\d+$", "", entry_field(entry, "id").rsplit("/abs/", 1)[1])


def newest_first(entries: list[str]) -> list[str]:
    return sorted(entries, key=lambda entry: entry_field(entry, "published"), reverse=True)


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text.replace("&amp;", "&")).casefold()
    return re.findall(r"[^\W_]+", "".join(c for c in folded if not unicodedata.combining(c)))


def _holds(title: str, phrase: list[str]) -> bool:
    words = _words(title)
    n = len(phrase)
    return n > 0 and any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


def _header(total: int, start: int, count: int) -> str:
    text = TESTING_100.read_text(encoding="utf-8")
    head = text[: text.index("<entry>")]
    head = re.sub(r"<opensearch:totalResults>\d+<", f"<opensearch:totalResults>{total}<", head)
    head = re.sub(r"<opensearch:startIndex>\d+<", f"<opensearch:startIndex>{start}<", head)
    return re.sub(r"<opensearch:itemsPerPage>\d+<", f"<opensearch:itemsPerPage>{count}<", head)


def feed(entries: list[str], *, total: int | None = None, start: int = 0) -> str:
    """A response holding these entries, in the real feed's format."""
    body = "\n  ".join(entries)
    count = len(entries)
    total = count if total is None else total
    return _header(total, start, count) + body + ("\n" if body else "") + "</feed>\n"


@dataclass
class Reply:
    """A canned answer for the next request (an error, a Retry-After, ...)."""

    status: int
    body: str = "<html>error</html>"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class StandIn:
    """What the stand-in serves, and what it was asked."""

    url: str
    followed: list[str] = field(default_factory=list)
    searchable: list[str] = field(default_factory=list)
    page_cap: int | None = None
    # Seconds each answer takes (a slow network), so that progress can be seen.
    latency_s: float = 0.0
    # Answers for the next requests, in order; None answers as usual.
    replies: list[Reply | None] = field(default_factory=list)
    requests: list[dict[str, str]] = field(default_factory=list)
    user_agents: list[str] = field(default_factory=list)

    def answer(self, query: dict[str, str]) -> tuple[int, str, dict[str, str]]:
        reply = self.replies.pop(0) if self.replies else None
        if reply is not None:
            return reply.status, reply.body, reply.headers
        if query.get("id_list"):
            wanted = set(query["id_list"].split(","))
            pool = self.followed + self.searchable
            return 200, feed([e for e in pool if arxiv_id_of(e) in wanted]), {}
        search = query.get("search_query", "")
        start = int(query.get("start", "0"))
        asked = int(query.get("max_results", "10"))
        if self.page_cap is not None:
            asked = min(asked, self.page_cap)
        phrases = [_words(phrase) for phrase in _PHRASE.findall(search)]
        if phrases:
            found = [
                entry
                for entry in self.searchable
                if any(_holds(entry_field(entry, "title"), phrase) for phrase in phrases)
            ]
        else:
            found = newest_first(self.followed)
        return 200, feed(found[start : start + asked], total=len(found), start=start), {}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        stand_in = self.server.stand_in
        query = {key: values[0] for key, values in parse_qs(urlsplit(self.path).query).items()}
        stand_in.requests.append(query)
        stand_in.user_agents.append(self.headers.get("User-Agent", ""))
        if stand_in.latency_s:
            time.sleep(stand_in.latency_s)
        status, body, headers = stand_in.answer(query)
        data = body.encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/atom+xml; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    stand_in: StandIn


def serve() -> Iterator[StandIn]:
    """Run a stand-in on 127.0.0.1 for as long as the generator is suspended (a fixture)."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.stand_in = StandIn(url=f"http://127.0.0.1:{server.server_address[1]}{API_PATH}")
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.stand_in
    finally:
        server.shutdown()
        server.server_close()


def closed_port_url() -> str:
    """A URL on a port nobody listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}{API_PATH}"
