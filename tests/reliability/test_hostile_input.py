"""Hostile input never crashes an importer: it imports, or it is a FormatError with a message.

Every format registered in ``store.formats.IMPORT_FORMATS`` (read when the
tests run, so a format added later is covered without touching this file)
and ``auto`` get: a seeded fuzzing run of ``FUZZ_INPUTS`` inputs — random
bytes, truncated, mutated and spliced real files, huge lines, deep nesting,
invalid UTF-8, NUL bytes, XML entity tricks — and hypothesis properties.
"""

from __future__ import annotations

import json
import random
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import formats
from store.errors import PaperReaderError
from store.library import Library
from store.model import ImportResult
from tests.conftest import AS_OF, REALDATA, SAMPLE_DATA
from tests.reliability.conftest import cli_in_process, run_cli

FUZZ_SEED = 20260601
FUZZ_INPUTS = 3_000  # inputs tried per run, each through decode_input and every format
IMPORTED_SAMPLE = 150  # parsed results also imported into a real store

# Tokens that steer mutations into the parsers' interesting paths.
TOKENS = [
    b"{", b"}", b"[", b"]", b"<", b">", b'"', b"\\", b"@", b"=", b",", b"\n", b"\r\n",
    b"\x00", b"\xff", b"\xc3", b"\xe2\x80\xae", b"\x1b[2J", b"\xc2\x9b", b"%", b"#",
    b"@article{", b"@string{", b"TY  - ", b"ER  - ", b"AU  - ", b"<entry>", b"</entry>",
    b"<?xml", b"<!DOCTYPE", b'{"format": "paper-reader", "papers": [',
    b'"title":', b'"author": [', b"&amp;", b"&#0;", b"$\\frac{", b"\\\\", b"arXiv:",
    b"10.1000/", b"2023-02-30", b"Citations", b"Published", b"9999999999999999999",
]  # fmt: skip


def import_formats() -> list[str]:
    """Every registered import format, then ``auto``: read at test time."""
    return [*formats.IMPORT_FORMATS, "auto"]


def _real_files() -> list[bytes]:
    paths = sorted(REALDATA.rglob("*")) + sorted(SAMPLE_DATA.rglob("*"))
    return [p.read_bytes() for p in paths if p.is_file() and p.suffix != ".md"]


def _window(rng: random.Random, raw: bytes, size: int = 8192) -> bytes:
    start = 0 if rng.random() < 0.5 else rng.randrange(max(1, len(raw)))
    return raw[start : start + rng.randint(0, size)]


def _mutate(rng: random.Random, raw: bytes) -> bytes:
    data = bytearray(raw)
    for _ in range(rng.randint(1, 12)):
        at = rng.randint(0, len(data))
        choice = rng.random()
        if choice < 0.3 and data:
            data[min(at, len(data) - 1)] = rng.randrange(256)
        elif choice < 0.6:
            data[at:at] = rng.choice(TOKENS)
        elif choice < 0.8:
            del data[at : at + rng.randint(1, 64)]
        else:
            data[at:at] = data[at : at + rng.randint(1, 256)] * rng.randint(1, 4)
    return bytes(data)


def _random_text(rng: random.Random) -> bytes:
    return "".join(map(chr, rng.choices(range(1, 0x3000), k=rng.randint(1, 400)))).encode()


def _deep(rng: random.Random) -> bytes:
    opener, closer = rng.choice(
        [(b"{", b"}"), (b"[", b"]"), (b"<a>", b"</a>"), (b"(", b")"), (b'{"a":', b"}")]
    )
    depth = rng.choice([100, 1_000, 5_000, 20_000])
    head = rng.choice([b"", b"@article{key, title = ", b'{"format":"paper-reader","papers":'])
    tail = closer * rng.choice([0, depth])
    return head + opener * depth + tail


def _huge_line(rng: random.Random) -> bytes:
    head = rng.choice([b"", b"@misc{k, title = {", b"TY  - JOUR\nTI  - ", b'[{"title": "'])
    return head + rng.choice([b"a", b"{", b"\\", b"\xc3\xa9", b" "]) * rng.randint(10**4, 10**5)


_PAPER_READER_JSON = b'{"format": "paper-reader", "version": 1, "papers": ['


def _fixed_inputs() -> list[tuple[str, bytes]]:
    """Hand-picked nasties, tried first on every run."""
    laughs = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "' + b"ha" * 10 + b'">'
    for level in "bcdefghij":
        previous = chr(ord(level) - 1)
        laughs += f'<!ENTITY {level} "{("&" + previous + ";") * 10}">'.encode()
    laughs += (
        b']><feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&j;</title></entry></feed>'
    )
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE f [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/1</id>'
        b"<title>&x;</title><summary>&x;</summary></entry></feed>"
    )
    return [
        ("empty", b""),
        ("bom only", b"\xef\xbb\xbf"),
        ("nul", b"\x00"),
        ("nul late", b"@article{k, title={A}}\n" * 10 + b"\x00"),
        ("invalid utf-8", b"@article{k, title={\xff\xfe}}"),
        ("lone surrogate", b'{"format":"paper-reader","papers":[{"id":"a","title":"\\ud800"}]}'),
        ("billion laughs", laughs),
        ("xxe", xxe),
        ("deep json", b"[" * 100_000),
        ("deep braces", b"{" * 100_000),
        ("deep xml", b"<a>" * 50_000),
        ("huge number", _PAPER_READER_JSON + b'{"id":"a","title":"t","collections":{"x":1e999}}]}'),
        ("json types", _PAPER_READER_JSON + b'{"id":"a","title":"t","extra":[1],"tags":7}]}'),
        ("json lists", _PAPER_READER_JSON + b'{"id":"a","title":"t","collections":["x"]}]}'),
        ("json collections", _PAPER_READER_JSON + b'], "collections": {"a": 1}}'),
        ("csl types", b'[{"id": 1, "title": ["x"], "author": "me", "issued": {"date-parts": 2}}]'),
        ("ris no end", b"TY  - JOUR\nTI  - " + b"x" * 1000),
        ("bib no close", b"@article{k, title = {" + b"x" * 1000),
        ("huge line", b"x" * 1_000_000),
    ]  # fmt: skip


def fuzz_inputs(seed: int = FUZZ_SEED, count: int = FUZZ_INPUTS) -> Iterator[tuple[str, bytes]]:
    """``count`` labelled inputs, the same ones for the same seed."""
    rng = random.Random(seed)
    real = _real_files()
    fixed = _fixed_inputs()
    yield from fixed[:count]
    # (label, maker, share): expensive shapes (huge, deep) are tried less often.
    makers = [
        ("random bytes", lambda: rng.randbytes(rng.randint(0, 2048)), 4),
        ("random text", lambda: _random_text(rng), 3),
        ("truncated", lambda: rng.choice(real)[: rng.randint(0, 20_000)], 3),
        ("mutated", lambda: _mutate(rng, _window(rng, rng.choice(real))), 8),
        ("spliced", lambda: _window(rng, rng.choice(real)) + _window(rng, rng.choice(real)), 3),
        ("deep", lambda: _deep(rng), 1),
        ("huge line", lambda: _huge_line(rng), 1),
        ("token soup", lambda: b"".join(rng.choices(TOKENS, k=rng.randint(1, 200))), 4),
    ]  # fmt: skip
    schedule = [(label, make) for label, make, share in makers for _ in range(share)]
    for n in range(len(fixed), count):
        label, make = schedule[n % len(schedule)]
        yield f"{label} #{n}", make()


def check_input(raw: bytes, fmts: list[str]) -> list[ImportResult]:
    """Decode and parse ``raw`` in each format: results, or our error with a message."""
    try:
        text = formats.decode_input(raw)
    except PaperReaderError as err:
        assert str(err).strip()
        return []
    results = []
    for fmt in fmts:
        try:
            result = formats.parse_text(text, fmt, as_of=AS_OF, source="fuzz")
        except PaperReaderError as err:
            assert str(err).strip(), f"{fmt}: an error without a message"
        else:
            assert isinstance(result, ImportResult), fmt
            results.append(result)
    return results


def test_seeded_fuzzing_run_over_every_importer(tmp_path: Path) -> None:
    fmts = import_formats()
    tried = 0
    crashes: dict[tuple[str, str], str] = {}
    to_import: list[ImportResult] = []
    for label, raw in fuzz_inputs():
        tried += 1
        try:
            results = check_input(raw, fmts)
        except Exception as err:  # report every kind of crash at once, not just the first
            crashes.setdefault((type(err).__name__, label.split(" #")[0]), f"{label}: {err!r}")
            continue
        for result in results:
            if result.papers and len(to_import) < IMPORTED_SAMPLE:
                to_import.append(result)
            if "root:" in repr(result.papers):
                crashes[("XXE", label)] = "an importer read a local file through an entity"
    assert not crashes, "\n".join(f"{kind}: {detail[:300]}" for kind, detail in crashes.items())
    assert tried == FUZZ_INPUTS
    library = Library(tmp_path / "fuzz" / "library.json")
    for result in to_import:  # what parses also imports, and the store stays readable
        library.import_result(result, source="fuzz")
    assert len(Library(library.path)) == len(library)


_ANY_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
_PAPER_KEYS = [
    "id", "title", "authors", "authors_truncated", "affiliations", "abstract", "category",
    "date", "date_precision", "has_code", "url", "code_url", "arxiv_id", "doi", "venue",
    "collections", "added_at", "categories", "kind", "extra", "status", "starred", "tags",
    "note", "status_changed_at",
]  # fmt: skip
_PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@_PROPERTY_SETTINGS
@given(st.binary(max_size=3000))
def test_any_bytes_import_or_fail_cleanly(raw: bytes) -> None:
    check_input(raw, import_formats())


@_PROPERTY_SETTINGS
@given(st.text(st.characters(codec="utf-8"), max_size=2000))
def test_any_text_imports_or_fails_cleanly(text: str) -> None:
    check_input(text.encode("utf-8"), import_formats())


@_PROPERTY_SETTINGS
@given(st.lists(st.sampled_from(TOKENS) | st.binary(max_size=8), max_size=120))
def test_token_soup_imports_or_fails_cleanly(pieces: list[bytes]) -> None:
    check_input(b"".join(pieces), import_formats())


@settings(_PROPERTY_SETTINGS, max_examples=100)
@given(
    st.lists(
        st.dictionaries(st.sampled_from(_PAPER_KEYS), _ANY_VALUE, max_size=8).map(
            lambda record: {"id": "Key2020Word", "title": "A title", **record}
        ),
        min_size=1,
        max_size=4,
    ),
    _ANY_VALUE,
)
def test_json_of_any_shape_imports_and_shows_or_fails_cleanly(
    papers: list[dict[str, object]], collections: object
) -> None:
    """Wrong types in every field: parse, import, then list and show without a crash."""
    document = {"format": "paper-reader", "version": 1, "papers": papers}
    document["collections"] = collections
    raw = json.dumps(document).encode()
    results = check_input(raw, ["json"] if "json" in formats.IMPORT_FORMATS else [])
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "library.json")
        library = Library(db)
        for result in results:
            library.import_result(result, source="property")
        for paper in library.papers():
            for args in (["list"], ["show", paper.id], ["stats"], ["list", "--json"]):
                code, _out, err = cli_in_process(Path(db), *args)
                assert code == 0, (args, err)


def _hostile_files(tmp_path: Path) -> list[Path]:
    cases = {
        "random.bin": random.Random(1).randbytes(5000),
        "deep.json": b"[" * 100_000,
        "deep.bib": b"@article{k, title = " + b"{" * 50_000,
        "bad-utf8.txt": b"Title\n\xff\xfe\xfd\n",
        "nul.ris": b"TY  - JOUR\nTI  - x\x00y\nER  - \n",
    }
    paths = []
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(path)
    return paths


def test_cli_turns_hostile_files_into_one_line_and_exit_1(db_path: Path, tmp_path: Path) -> None:
    for path in _hostile_files(tmp_path):
        for fmt in ("auto", *formats.IMPORT_FORMATS):
            done = run_cli(db_path, "import", str(path), "--format", fmt)
            assert done.returncode in (0, 1), (path.name, fmt, done.stderr)
            if done.returncode == 1:
                assert done.stderr.count("\n") == 1, (path.name, fmt, done.stderr)
                assert done.stderr.startswith(f"paper-reader: {path}"), done.stderr
            assert "Traceback" not in done.stderr
            if fmt == "auto" and path.suffix != ".json":
                break  # one format per non-JSON file keeps the run short


def test_an_importer_bug_is_still_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from store.formats import profile
    from tui.cli import main

    def broken(*_args: object, **_kwargs: object) -> ImportResult:
        raise IndexError("list index out of range")

    monkeypatch.setattr(profile, "parse", broken)
    path = tmp_path / "list.txt"
    path.write_text("Some Paper Title\nAuthor One\n")
    db = str(tmp_path / "db.json")
    assert main(["--db", db, "import", str(path), "--format", "profile"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "IndexError" in err and str(path) in err


def test_fuzz_inputs_are_deterministic() -> None:
    first = [raw for _label, raw in fuzz_inputs(count=60)]
    assert first == [raw for _label, raw in fuzz_inputs(count=60)]


def test_a_number_for_an_abstract_is_stored_as_text(tmp_path: Path) -> None:
    """Found by the property above: a clean paper whose abstract is not text."""
    document = {
        "format": "paper-reader",
        "version": 1,
        "papers": [{"id": "Key2020Word", "title": "A title", "abstract": 1.0}],
    }
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps(document), encoding="utf-8")
    db = tmp_path / "library.json"
    assert cli_in_process(db, "import", str(dump))[0] == 0
    code, out, err = cli_in_process(db, "show", "Key2020Word")
    assert code == 0, err
    assert out.rstrip().endswith("1.0")
