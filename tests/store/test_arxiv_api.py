"""The arXiv API client and ``paper-reader add``, against a local server.

The server answers with the real recorded API responses, so the client and
the importer meet the bytes arXiv actually sends; nothing here touches the
network beyond 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from store import arxiv_api
from store.errors import PaperReaderError
from store.formats import arxiv_atom

ROOT = Path(__file__).resolve().parents[2]
REALDATA = Path(__file__).resolve().parents[1] / "data"
ASTRO_PH = REALDATA / "arxiv" / "arxiv-api-2026-id-astro-ph-0601001-affiliations.xml"
OLD_FEED = REALDATA / "arxiv" / "arxiv-api-2016-search-au-del_maestro-10-entries.xml"
API_PATH = "/api/query"

ERROR_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>http://arxiv.org/api/errors</id>
  <title>arXiv Query: id_list=bad</title>
  <entry>
    <id>http://arxiv.org/api/errors#incorrect_id_format_for_bad</id>
    <title>Error</title>
    <summary>incorrect id format for bad</summary>
    <author><name>arXiv api core</name></author>
  </entry>
</feed>
"""


def empty_feed() -> str:
    """arXiv's answer for ids it does not hold: the real feed with its entry removed."""
    text = ASTRO_PH.read_text(encoding="utf-8")
    return re.sub(r"\s*<entry>.*</entry>", "", text, flags=re.DOTALL)


@dataclass
class FakeArxiv:
    """A local stand-in for export.arxiv.org that records what it was asked."""

    url: str
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    status: int = 200
    body: str | None = None
    delay_s: float = 0.0


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        fake = self.server.fake
        fake.requests.append((self.path, dict(self.headers.items())))
        if fake.delay_s:
            time.sleep(fake.delay_s)
        ids = parse_qs(urlsplit(self.path).query).get("id_list", [""])[0].split(",")
        ids = [re.sub(r"v\d+$", "", arxiv_id) for arxiv_id in ids]  # arXiv ignores versions here
        if fake.body is not None:
            body = fake.body
        elif "astro-ph/0601001" in ids:
            body = ASTRO_PH.read_text(encoding="utf-8")
        else:
            body = empty_feed()
        data = body.encode("utf-8")
        try:
            self.send_response(fake.status)
            self.send_header("Content-Type", "application/atom+xml; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the timeout test)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeArxiv


@pytest.fixture
def fake_arxiv() -> Iterator[FakeArxiv]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.fake = FakeArxiv(url=f"http://127.0.0.1:{server.server_address[1]}{API_PATH}")
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.fake
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def closed_port_url() -> str:
    """A URL on a port nobody listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}{API_PATH}"


def query_of(path: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(path).query)


# --- references -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2301.12345", "2301.12345"),
        ("2301.12345v2", "2301.12345v2"),
        ("arXiv:2301.12345", "2301.12345"),
        ("  arxiv:2301.12345  ", "2301.12345"),
        ("https://arxiv.org/abs/2301.12345v3", "2301.12345v3"),
        ("http://arxiv.org/pdf/2301.12345.pdf", "2301.12345"),
        ("https://arxiv.org/pdf/2301.12345v1", "2301.12345v1"),
        ("https://export.arxiv.org/abs/0704.0001", "0704.0001"),
        ("arxiv.org/abs/1706.03762/", "1706.03762"),
        ("cond-mat/0412498", "cond-mat/0412498"),
        ("https://arxiv.org/abs/astro-ph/0601001v1", "astro-ph/0601001v1"),
        ("math.GT/0309136", "math.GT/0309136"),
    ],
)
def test_parse_arxiv_ref_accepts_ids_and_links(text: str, expected: str) -> None:
    assert arxiv_api.parse_arxiv_ref(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "2301.123",
        "2301.123456",
        "https://example.com/abs/2301.12345",
        "2301.12345,2301.00001",
        "2301.12345&max_results=9",
        "10.1103/PhysRevB.71.184511",
    ],
)
def test_parse_arxiv_ref_rejects_everything_else(text: str) -> None:
    with pytest.raises(PaperReaderError, match="not an arXiv id or URL"):
        arxiv_api.parse_arxiv_ref(text)


# --- fetching -------------------------------------------------------------------------


def test_fetch_returns_the_real_response_for_one_id(fake_arxiv: FakeArxiv) -> None:
    (document,) = arxiv_api.fetch_atom(["astro-ph/0601001"], base_url=fake_arxiv.url)
    assert document == ASTRO_PH.read_text(encoding="utf-8")
    (paper,) = arxiv_atom.parse(document).papers
    assert paper.arxiv_id == "astro-ph/0601001"

    ((path, headers),) = fake_arxiv.requests
    assert path == f"{API_PATH}?id_list=astro-ph/0601001&max_results=1"
    assert headers["User-Agent"].startswith("paper-reader/")


def test_ids_go_in_batches_with_a_polite_interval(fake_arxiv: FakeArxiv) -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    documents = arxiv_api.fetch_atom(
        ["2301.00001", "2301.00002v2", "cond-mat/0412498"],
        base_url=fake_arxiv.url,
        batch_size=2,
        pacer=arxiv_api.Pacer(3.0, sleep=sleep, clock=lambda: now[0]),
    )
    assert len(documents) == 2
    queries = [query_of(path) for path, _ in fake_arxiv.requests]
    assert queries == [
        {"id_list": ["2301.00001,2301.00002v2"], "max_results": ["2"]},
        {"id_list": ["cond-mat/0412498"], "max_results": ["1"]},
    ]
    assert slept == [3.0]


def test_time_already_spent_counts_toward_the_interval(fake_arxiv: FakeArxiv) -> None:
    # Clock readings: first request; before the second (1 s later) and at it;
    # before the third (7 s after the second) and at it.
    readings = iter([10.0, 11.0, 13.0, 20.0, 20.0])
    slept: list[float] = []
    arxiv_api.fetch_atom(
        ["2301.00001", "2301.00002", "2301.00003"],
        base_url=fake_arxiv.url,
        batch_size=1,
        pacer=arxiv_api.Pacer(3.0, sleep=slept.append, clock=lambda: next(readings)),
    )
    assert len(fake_arxiv.requests) == 3
    assert slept == [2.0]


def test_base_url_comes_from_the_environment(
    fake_arxiv: FakeArxiv, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(arxiv_api.API_URL_ENV, fake_arxiv.url)
    assert arxiv_api.api_url() == fake_arxiv.url
    arxiv_api.fetch_atom(["astro-ph/0601001"])
    assert len(fake_arxiv.requests) == 1
    monkeypatch.delenv(arxiv_api.API_URL_ENV)
    assert arxiv_api.api_url() == "https://export.arxiv.org/api/query"
    assert arxiv_api.api_url("http://mirror.example/api") == "http://mirror.example/api"


def test_only_http_urls_are_fetched() -> None:
    with pytest.raises(PaperReaderError, match="must start with http"):
        arxiv_api.fetch_atom(["2301.12345"], base_url="file:///etc/passwd")


def test_a_server_that_is_down_is_one_clear_line(closed_port_url: str) -> None:
    with pytest.raises(PaperReaderError) as caught:
        arxiv_api.fetch_atom(["2301.12345"], base_url=closed_port_url, timeout_s=5)
    message = str(caught.value)
    assert message.startswith(f"cannot reach the arXiv API at {closed_port_url}: ")
    assert "refused" in message.lower()
    assert "\n" not in message


def test_http_500_is_one_clear_line(fake_arxiv: FakeArxiv) -> None:
    fake_arxiv.status = 500
    fake_arxiv.body = "<html>Internal Server Error</html>"
    with pytest.raises(PaperReaderError) as caught:
        arxiv_api.fetch_atom(["2301.12345"], base_url=fake_arxiv.url)
    assert str(caught.value) == (
        f"cannot reach the arXiv API at {fake_arxiv.url}: HTTP 500 Internal Server Error"
    )


def test_http_400_with_an_error_feed_says_what_arxiv_said(fake_arxiv: FakeArxiv) -> None:
    fake_arxiv.status = 400
    fake_arxiv.body = ERROR_FEED
    with pytest.raises(PaperReaderError, match=r"incorrect id format for bad \(HTTP 400\)"):
        arxiv_api.fetch_atom(["2301.12345"], base_url=fake_arxiv.url)


def test_a_slow_server_times_out(fake_arxiv: FakeArxiv) -> None:
    fake_arxiv.delay_s = 1.0
    with pytest.raises(PaperReaderError, match="timed out"):
        arxiv_api.fetch_atom(["2301.12345"], base_url=fake_arxiv.url, timeout_s=0.2)


# --- paper-reader add -----------------------------------------------------------------


def run_cli(db: Path, api_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, arxiv_api.API_URL_ENV: api_url, arxiv_api.DELAY_ENV: "0"}
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=env,
    )


def test_add_fetches_and_imports_with_affiliations(fake_arxiv: FakeArxiv, db_path: Path) -> None:
    done = run_cli(db_path, fake_arxiv.url, "add", "https://arxiv.org/abs/astro-ph/0601001v1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "added 1, merged 0, updated 0, unchanged 0, skipped 0, warnings 0"
    (path, _), *_ = fake_arxiv.requests
    assert query_of(path)["id_list"] == ["astro-ph/0601001v1"]

    listed = run_cli(db_path, fake_arxiv.url, "list", "--json")
    (paper,) = json.loads(listed.stdout)
    assert paper["id"] == "Gould2006Frequency"
    assert paper["arxiv_id"] == "astro-ph/0601001"
    assert paper["authors"] == [
        "Andrew Gould",
        "Susan Dorsher",
        "B. Scott Gaudi",
        "Andrzej Udalski",
    ]
    assert paper["affiliations"] == ["Ohio State", "CfA", "Warsaw University Observatory"]
    assert paper["venue"] == "ActaAstron.56:1-50,2006"
    assert paper["collections"] == {"arXiv": 1}
    assert paper["status"] == "unread"

    again = run_cli(db_path, fake_arxiv.url, "add", "astro-ph/0601001")
    assert again.returncode == 0, again.stderr
    assert (
        again.stdout.strip() == "added 0, merged 0, updated 0, unchanged 1, skipped 0, warnings 0"
    )


def test_add_warns_about_ids_arxiv_does_not_have(fake_arxiv: FakeArxiv, db_path: Path) -> None:
    done = run_cli(db_path, fake_arxiv.url, "add", "astro-ph/0601001", "arXiv:2301.99999")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "added 1, merged 0, updated 0, unchanged 0, skipped 0, warnings 1"
    assert "arXiv has no paper with id 2301.99999" in done.stderr
    assert len(fake_arxiv.requests) == 1  # one batch for both ids

    nothing = run_cli(db_path, fake_arxiv.url, "add", "2301.99999")
    assert nothing.returncode == 1
    assert nothing.stderr == "paper-reader: arXiv has no paper with id 2301.99999\n"


def test_add_checks_every_ref_before_fetching(fake_arxiv: FakeArxiv, db_path: Path) -> None:
    done = run_cli(db_path, fake_arxiv.url, "add", "astro-ph/0601001", "not-an-id")
    assert done.returncode == 1
    assert done.stderr == "paper-reader: not an arXiv id or URL: 'not-an-id'\n"
    assert fake_arxiv.requests == []
    assert not db_path.exists()


def test_add_with_the_api_down_fails_cleanly(db_path: Path) -> None:
    done = run_cli(db_path, "http://127.0.0.1:9/api/query", "add", "astro-ph/0601001")
    assert done.returncode == 1
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith(
        "paper-reader: cannot reach the arXiv API at http://127.0.0.1:9/api/query: "
    )
    assert not db_path.exists()
    assert not db_path.parent.exists() or not any(db_path.parent.iterdir())


def test_add_reports_an_api_error_feed(fake_arxiv: FakeArxiv, db_path: Path) -> None:
    fake_arxiv.body = ERROR_FEED
    done = run_cli(db_path, fake_arxiv.url, "add", "2301.12345")
    assert done.returncode == 1
    assert "the arXiv API reported an error: incorrect id format for bad" in done.stderr
    assert not db_path.exists()
