"""The arXiv API client behind ``add``, ``fetch`` and ``enrich``: a query in, Atom XML out.

It only fetches; parsing is :mod:`store.formats.arxiv_atom`'s job and the
library decides what to store, so the network stays out of both. The client
follows the API's rules of use:

* at most one request every three seconds (``PAPER_READER_ARXIV_DELAY``
  seconds when set; tests and local mirrors set 0), counted across every
  paper-reader process of the user through a small file in the user cache
  folder (arXiv limits a client, not a store: a cron ``fetch`` and the
  reader's ``F`` on two stores still share one pace, see :class:`Pacer`);
* a User-Agent naming paper-reader;
* a 503 or 429 answer is retried after its ``Retry-After`` (else after a
  growing pause), at most :data:`MAX_RETRIES` times;
* every other failure (an HTTP error, a timeout, no network) is one
  :class:`PaperReaderError` line naming the endpoint.
"""

from __future__ import annotations

import contextlib
import email.utils
import http.client
import os
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from filelock import FileLock, Timeout

from store.errors import FormatError, PaperReaderError
from store.formats import arxiv_atom

DEFAULT_API_URL = "https://export.arxiv.org/api/query"
API_URL_ENV = "PAPER_READER_ARXIV_API"
DELAY_ENV = "PAPER_READER_ARXIV_DELAY"
DEFAULT_DELAY_S = 3.0
MAX_RETRIES = 3
# A server asking for a longer pause than this is treated as down: a fetch
# that sleeps for an hour looks like a hang to whoever started it.
MAX_RETRY_WAIT_S = 120.0
_PACE_LOCK_TIMEOUT_S = 60.0
_RETRIED_STATUSES = (429, 503)
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


def request_delay() -> float:
    """Seconds between two requests: ``PAPER_READER_ARXIV_DELAY``, else 3.

    Raises:
        PaperReaderError: The variable is set to something other than a
            non-negative number.
    """
    text = os.environ.get(DELAY_ENV, "").strip()
    if not text:
        return DEFAULT_DELAY_S
    try:
        delay = float(text)
    except ValueError:
        delay = -1.0
    if not delay >= 0 or delay == float("inf"):
        raise PaperReaderError(f"{DELAY_ENV} must be a number of seconds, not {text[:40]!r}")
    return delay


def default_pace_file() -> Path:
    """The file every paper-reader process of this user paces its arXiv requests by."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("paper-reader")) / "arxiv-api.pace"


class Pacer:
    """At most one request every ``interval_s`` seconds, within and across processes.

    With a ``path``, the time of the last request is kept in that file and
    read under a file lock, so processes take turns; when the file cannot be
    used (a read-only cache folder, a lock held too long) the pacing still
    holds within this process. ``clock`` must be wall-clock time when a file
    is shared, since other processes read what it returns.
    """

    def __init__(
        self,
        interval_s: float,
        *,
        path: Path | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.interval_s = interval_s
        self.path = path
        self._sleep = sleep
        self._clock = clock
        self._last: float | None = None

    @classmethod
    def shared(cls) -> Pacer:
        """The pacer of the command line and the reader: the configured delay, one file."""
        interval = request_delay()
        return cls(interval, path=default_pace_file() if interval > 0 else None)

    def wait(self) -> None:
        """Return once the next request may start (sleeping if it may not yet)."""
        if self.interval_s <= 0:
            return
        if self.path is not None:
            with contextlib.suppress(OSError, Timeout):
                self._wait_shared(self.path)
                return
        self._wait_until(self._last)
        self._last = self._clock()

    def _wait_shared(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(path) + ".lock", timeout=_PACE_LOCK_TIMEOUT_S):
            last = self._last
            with contextlib.suppress(OSError, ValueError):
                recorded = float(path.read_text(encoding="ascii").strip() or "nan")
                if last is None or recorded > last:
                    last = recorded
            self._wait_until(last)
            self._last = self._clock()
            with contextlib.suppress(OSError):  # the pace holds in this process all the same
                path.write_text(f"{self._last:.3f}\n", encoding="ascii")

    def _wait_until(self, last: float | None) -> None:
        if last is None or last != last:  # never, or an unreadable record (NaN)
            return
        # A clock set back makes the gap look longer than it is: never wait
        # more than one interval.
        wait = min(self.interval_s, self.interval_s - (self._clock() - last))
        if wait > 0:
            self._sleep(wait)


def query(
    params: Sequence[tuple[str, str]],
    *,
    base_url: str | None = None,
    pacer: Pacer | None = None,
    timeout_s: float = 20.0,
    retries: int = MAX_RETRIES,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """One API request (``search_query=...&start=...``), paced and retried.

    Args:
        params: The query parameters, in order; values are percent-encoded here.
        base_url: The query endpoint (see :func:`api_url`).
        pacer: Spaces this request from the previous ones (default: :meth:`Pacer.shared`).
        timeout_s: How long to wait for the answer.
        retries: How often a 503 or 429 answer is retried.
        sleep: Waits before a retry (injected by tests).

    Returns:
        The Atom document.

    Raises:
        PaperReaderError: The API cannot be reached, answers with an HTTP
            error, or keeps refusing; the message is one line naming the URL.
    """
    base = api_url(base_url)
    if not base.startswith(("http://", "https://")):
        # urllib would also open file: and ftp: URLs; an API is reached over HTTP.
        raise PaperReaderError(f"the arXiv API URL must start with http:// or https://: {base}")
    pacer = pacer if pacer is not None else Pacer.shared()
    separator = "&" if "?" in base else "?"
    encoded = "&".join(f"{key}={quote(value, safe=_SAFE_IN_QUERY)}" for key, value in params)
    request = urllib.request.Request(base + separator + encoded, headers=_headers())
    attempt = 0
    while True:
        pacer.wait()
        try:
            return _get(request, base, timeout_s)
        except _Refused as refused:
            if attempt >= retries:
                raise PaperReaderError(
                    _unreachable(base, f"{refused.status} (still after {retries} retries)")
                ) from None
            wait = refused.retry_after
            if wait is None:
                wait = max(pacer.interval_s, 1.0) * 2**attempt
            if wait > MAX_RETRY_WAIT_S:
                raise PaperReaderError(
                    _unreachable(base, f"{refused.status}, asked to wait {wait:.0f} s")
                ) from None
            sleep(wait)
            attempt += 1


# Characters arXiv's query syntax uses that need no escaping in a URL.
_SAFE_IN_QUERY = ":,/.()"


def _headers() -> dict[str, str]:
    return {"User-Agent": _user_agent(), "Accept": "application/atom+xml"}


def fetch_atom(
    ids: list[str],
    *,
    base_url: str | None = None,
    batch_size: int = 50,
    pacer: Pacer | None = None,
    timeout_s: float = 20.0,
) -> list[str]:
    """Fetch the Atom feed for some arXiv ids, ``batch_size`` ids per request.

    Args:
        ids: arXiv ids as :func:`parse_arxiv_ref` returns them.
        base_url: The query endpoint (see :func:`api_url`).
        batch_size: Ids per request: fewer, larger requests are kinder to arXiv.
        pacer: Spaces the requests (default: :meth:`Pacer.shared`).
        timeout_s: How long to wait for each answer.

    Returns:
        One Atom document per request, in request order.

    Raises:
        PaperReaderError: The API cannot be reached, answers with an HTTP
            error, or refuses the query; the message is one line naming the URL.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    pacer = pacer if pacer is not None else Pacer.shared()
    documents: list[str] = []
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        params = [("id_list", ",".join(batch)), ("max_results", str(len(batch)))]
        documents.append(query(params, base_url=base_url, pacer=pacer, timeout_s=timeout_s))
    return documents


class _Refused(Exception):
    """A 503 or 429: the API asks the client to come back later."""

    def __init__(self, status: str, retry_after: float | None) -> None:
        super().__init__(status)
        self.status = status
        self.retry_after = retry_after


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date)."""
    text = (value or "").strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _get(request: urllib.request.Request, base: str, timeout_s: float) -> str:
    """One GET; every way it can fail becomes a one-line :class:`PaperReaderError`.

    A 503 or 429 raises :class:`_Refused` instead, for the caller to retry.
    """
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            body: bytes = response.read(_MAX_RESPONSE_BYTES + 1)
            charset = response.headers.get_content_charset() or "utf-8"
    except urllib.error.HTTPError as err:
        if err.code in _RETRIED_STATUSES:
            status = f"HTTP {err.code} {err.reason}".strip()
            retry_after = _retry_after(err.headers.get("Retry-After") if err.headers else None)
            with contextlib.suppress(OSError, http.client.HTTPException):
                err.read()
            raise _Refused(status, retry_after) from None
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
