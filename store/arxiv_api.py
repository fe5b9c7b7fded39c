"""The arXiv API client behind ``paper-reader add``: ids in, Atom XML out.

It only fetches; parsing is :mod:`store.formats.arxiv_atom`'s job and the
library decides what to store, so the network stays out of both. The client
is polite as arXiv asks of API users: ids go in batches, and there is at most
one request every three seconds.
"""

from __future__ import annotations

import http.client
import os
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from urllib.parse import quote

from store.errors import FormatError, PaperReaderError
from store.formats import arxiv_atom

DEFAULT_API_URL = "https://export.arxiv.org/api/query"
API_URL_ENV = "PAPER_READER_ARXIV_API"
_MAX_RESPONSE_BYTES = 32 * 1024 * 1024

_REF = re.compile(
    r"(?:arxiv:\s*)?"
    r"(?:(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/)?"
    r"(?P<id>" + arxiv_atom.ARXIV_ID_PATTERN + r")"
    r"(?P<version>v\d+)?"
    r"(?:\.pdf)?/?(?:[?#].*)?",
    re.IGNORECASE,
)


def parse_arxiv_ref(text: str) -> str:
    """The arXiv id a user typed, in the form the API's ``id_list`` takes.

    Accepts a bare id (``2301.12345``, ``cond-mat/0412498``), one with a
    version (kept: the API then returns that version), an ``arXiv:`` prefix,
    and ``arxiv.org/abs/...`` or ``arxiv.org/pdf/....pdf`` links.

    Args:
        text: One command-line argument.

    Returns:
        The id, e.g. ``2301.12345v2`` or ``cond-mat/0412498``.

    Raises:
        PaperReaderError: The text is neither an arXiv id nor an arXiv link.
    """
    match = _REF.fullmatch(text.strip())
    if match is None:
        raise PaperReaderError(f"not an arXiv id or URL: {text.strip()[:200]!r}")
    arxiv_id = arxiv_atom.canonical_arxiv_id(match["id"])
    return arxiv_id + (match["version"] or "").lower()


def api_url(base_url: str | None = None) -> str:
    """The query endpoint: the argument, else ``PAPER_READER_ARXIV_API``, else arXiv's."""
    return base_url or os.environ.get(API_URL_ENV) or DEFAULT_API_URL


def _user_agent() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("paper-reader")
    except PackageNotFoundError:
        release = "0+unknown"
    return f"paper-reader/{release} (terminal reader for research papers; Python urllib)"


def fetch_atom(
    ids: list[str],
    *,
    base_url: str | None = None,
    batch_size: int = 50,
    min_interval_s: float = 3.0,
    timeout_s: float = 20.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> list[str]:
    """Fetch the Atom feed for some arXiv ids, ``batch_size`` ids per request.

    Args:
        ids: arXiv ids as :func:`parse_arxiv_ref` returns them.
        base_url: The query endpoint (see :func:`api_url`).
        batch_size: Ids per request: fewer, larger requests are kinder to arXiv.
        min_interval_s: The least time between the starts of two requests.
        timeout_s: How long to wait for each answer.
        sleep: Waits between requests (injected by tests).
        clock: A monotonic clock in seconds (injected by tests).

    Returns:
        One Atom document per request, in request order.

    Raises:
        PaperReaderError: The API cannot be reached, answers with an HTTP
            error, or refuses the query; the message is one line naming the URL.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    base = api_url(base_url)
    if not base.startswith(("http://", "https://")):
        # urllib would also open file: and ftp: URLs; an API is reached over HTTP.
        raise PaperReaderError(f"the arXiv API URL must start with http:// or https://: {base}")
    separator = "&" if "?" in base else "?"
    headers = {"User-Agent": _user_agent(), "Accept": "application/atom+xml"}
    documents: list[str] = []
    last_request: float | None = None
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        if last_request is not None:
            wait = min_interval_s - (clock() - last_request)
            if wait > 0:
                sleep(wait)
        last_request = clock()
        query = f"id_list={quote(','.join(batch), safe=',/.')}&max_results={len(batch)}"
        request = urllib.request.Request(base + separator + query, headers=headers)
        documents.append(_get(request, base, timeout_s))
    return documents


def _get(request: urllib.request.Request, base: str, timeout_s: float) -> str:
    """One GET; every way it can fail becomes a one-line :class:`PaperReaderError`."""
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            body: bytes = response.read(_MAX_RESPONSE_BYTES + 1)
            charset = response.headers.get_content_charset() or "utf-8"
    except urllib.error.HTTPError as err:
        raise PaperReaderError(_http_error_message(err, base)) from None
    except urllib.error.URLError as err:
        raise PaperReaderError(_unreachable(base, _reason(err.reason))) from None
    except (OSError, http.client.HTTPException, ValueError) as err:
        # Timeouts while reading, dropped connections, a malformed URL.
        raise PaperReaderError(_unreachable(base, _reason(err))) from None
    if len(body) > _MAX_RESPONSE_BYTES:
        raise PaperReaderError(_unreachable(base, "the answer is too large"))
    try:
        return body.decode(charset, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def _http_error_message(err: urllib.error.HTTPError, base: str) -> str:
    """An HTTP error, with the API's own explanation when it sent an error feed."""
    try:
        body = err.read(_MAX_RESPONSE_BYTES).decode("utf-8", errors="replace")
    except (OSError, http.client.HTTPException):
        body = ""
    if "<feed" in body:
        try:
            arxiv_atom.parse(body)
        except arxiv_atom.ApiErrorFeed as reported:
            return f"{reported.message} (HTTP {err.code})"
        except FormatError:
            pass
    return _unreachable(base, f"HTTP {err.code} {err.reason}".strip())


def _unreachable(base: str, reason: str) -> str:
    return f"cannot reach the arXiv API at {base}: {reason}"


def _reason(reason: object) -> str:
    """A failure's cause as a short phrase, never a multi-line repr."""
    if isinstance(reason, TimeoutError):
        return "timed out"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    text = " ".join(str(reason).split())
    return text or type(reason).__name__
