"""The catalogue's one-paper-a-line layout: read in chunks exactly as the whole file reads.

Whatever the bytes, reading them chunk by chunk must give what parsing the
whole file gives: the same papers, tables and order, or the same one damage
line. Chunks are made tiny here so that every record boundary is tried.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest

from store import catalogue_file
from store.catalogue_file import catalogue_bytes, catalogue_of
from store.errors import StoreError
from store.layout import AbstractParts
from store.library import Library
from store.model import Collection, Paper
from store.tinydb_files import SCHEMA_VERSION, papers_of, parse_tables
from tests.conftest import SAMPLE_PROFILE
from tests.reliability.conftest import cli_in_process

WHERE = Path("/somewhere/library.json")


def _whole(raw: bytes) -> tuple[dict[str, Any], list[Paper]]:
    """How every catalogue was read before the layout: one parse of the whole file."""
    tables = parse_tables(raw, WHERE)
    papers = papers_of(tables, WHERE)
    tables.pop("papers", None)
    return tables, papers


def _outcome(read: Any, raw: bytes) -> tuple[str, Any]:
    try:
        tables, papers = read(raw)
    except StoreError as err:
        return "damaged", str(err)
    return "read", (tables, [paper.to_dict() for paper in papers])


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store the sample profile was imported into (real titles, names, accents)."""
    db = tmp_path_factory.mktemp("catalogue") / "store" / "library.json"
    assert cli_in_process(db, "import", str(SAMPLE_PROFILE), "--as-of", "2026-11-28")[0] == 0
    return db


@pytest.fixture(scope="module")
def sample_catalogue(sample_store: Path) -> bytes:
    """The catalogue file that import wrote."""
    return sample_store.read_bytes()


@pytest.fixture
def tiny_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of about 300 bytes: most records straddle a chunk's nominal end."""
    monkeypatch.setattr(catalogue_file, "CHUNK_BYTES", 300)


def test_the_layout_is_the_whole_document_with_one_paper_a_line() -> None:
    papers = [
        Paper(id=f"P{n}", title=f'Title "{n}" \\ é\u2028\n', authors=(f"A {n}",), extra={"k": "v"})
        for n in range(2_500)
    ]
    collections = [Collection(name="Lee", source="x"), Collection(name='"q"', source="")]
    layout = AbstractParts(1, 3)
    whole = {
        "meta": {
            "schema": {"version": SCHEMA_VERSION},
            "abstracts": layout.as_meta(),
            "companions": {"expected": ["state"]},
        },
        "papers": {paper.id: orjson.loads(orjson.dumps(paper.to_record())) for paper in papers},
        "collections": {c.name: c.to_dict() for c in collections},
    }
    raw = catalogue_bytes(papers, collections, layout, ("state",))
    assert json.loads(raw) == whole  # any JSON reader (TinyDB's, an older paper-reader's)
    lines = raw.split(b"\n")
    assert len(lines) == 2 + len(papers)
    assert [orjson.loads(b"{" + line.rstrip(b",") + b"}") for line in lines[1:-1]] == [
        {paper.id: record} for paper, record in zip(papers, whole["papers"].values(), strict=True)
    ]
    empty = catalogue_bytes([], [], layout, ("state",))
    assert json.loads(empty) == {**whole, "papers": {}, "collections": {}}
    assert catalogue_of(empty, WHERE) == ({"meta": whole["meta"], "collections": {}}, [])


def _one_line(raw: bytes) -> bytes:
    """The same document as every paper-reader before this layout wrote it: one line."""
    return raw.replace(b"\n", b"")


LAYOUTS = {"a paper a line": lambda raw: raw, "one line": _one_line}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("chunk_bytes", [1, 300, 1 << 18])
def test_chunks_read_what_the_whole_file_reads(
    sample_catalogue: bytes, layout: str, chunk_bytes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = LAYOUTS[layout](sample_catalogue)
    expected = _whole(raw)
    monkeypatch.setattr(catalogue_file, "CHUNK_BYTES", chunk_bytes)
    # Read without the whole parse: the chunks alone give the catalogue.
    monkeypatch.setattr(catalogue_file, "parse_tables", None)
    tables, papers = catalogue_of(raw, WHERE)
    assert (tables, papers) == expected
    assert "papers" not in tables and tables["meta"]["schema"]["version"] == SCHEMA_VERSION
    assert len(papers) > 20


def test_the_import_writes_a_paper_a_line(sample_catalogue: bytes) -> None:
    lines = sample_catalogue.split(b"\n")
    assert len(lines) == 2 + len(orjson.loads(sample_catalogue)["papers"])


def test_a_catalogue_in_an_older_layout_opens_as_before(sample_store: Path, tmp_path: Path) -> None:
    """One line (every earlier paper-reader), and indented JSON written by hand."""
    expected = Library(sample_store).papers()
    document = orjson.loads(sample_store.read_bytes())
    for n, raw in enumerate((orjson.dumps(document), json.dumps(document, indent=2).encode())):
        assert catalogue_of(raw, WHERE) == _whole(raw)
        copy = shutil.copytree(sample_store.parent, tmp_path / str(n)) / sample_store.name
        copy.write_bytes(raw)
        assert Library(copy).papers() == expected


def _lines_edited(raw: bytes, edit: Any) -> bytes:
    lines = raw.split(b"\n")
    edit(lines)
    return b"\n".join(lines)


def _set(index: int, line: bytes) -> Any:
    def edit(lines: list[bytes]) -> None:
        lines[index] = line

    return edit


def _record_line(paper_id: str, record: Any, comma: bool = True) -> bytes:
    return orjson.dumps({paper_id: record})[1:-1] + (b"," if comma else b"")


LINE_DAMAGE: dict[str, Any] = {
    "a record cut short": lambda lines: lines.__setitem__(3, lines[3][: len(lines[3]) // 2]),
    "a comma lost between records": lambda lines: lines.__setitem__(2, lines[2][:-1]),
    "a comma after the last record": lambda lines: lines.__setitem__(-2, lines[-2] + b","),
    "a line of its own": lambda lines: lines.insert(4, b","),
    "a blank line": lambda lines: lines.insert(4, b""),
    "a record that is a list": lambda lines: lines.__setitem__(5, _record_line("X", [1])),
    "a paper without a title": lambda lines: lines.__setitem__(5, _record_line("X", {"id": "X"})),
    "a title that is null": lambda lines: lines.__setitem__(
        5, _record_line("X", {"id": "X", "title": None})
    ),
    "a newer schema": lambda lines: lines.__setitem__(
        0, lines[0].replace(b'"version":3', b'"version":99')
    ),
    "the papers table closed early": lambda lines: lines.__setitem__(0, lines[0] + b"}"),
    "a second papers table at the end": lambda lines: lines.__setitem__(
        -1, lines[-1][:-1] + b',"papers":{}}'
    ),
    "the collections cut off": lambda lines: lines.__setitem__(-1, b"}"),
    "a record split over two lines": lambda lines: lines.__setitem__(
        6, lines[6].replace(b'","', b'",\n"', 1)
    ),
    "the same id twice": lambda lines: lines.__setitem__(
        -2, lines[2].rstrip(b",").replace(b'"title":"', b'"title":"Renamed ', 1)
    ),
    "nothing after the last record": lambda lines: lines.__setitem__(-1, b""),
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("chunk_bytes", [1, 300], ids=["a record a chunk", "300 bytes"])
@pytest.mark.parametrize("case", LINE_DAMAGE, ids=list(LINE_DAMAGE))
def test_an_edited_file_reads_or_fails_as_the_whole_file_does(
    sample_catalogue: bytes,
    case: str,
    chunk_bytes: int,
    layout: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(catalogue_file, "CHUNK_BYTES", chunk_bytes)
    raw = LAYOUTS[layout](_lines_edited(sample_catalogue, LINE_DAMAGE[case]))
    assert raw != sample_catalogue
    assert _outcome(lambda r: catalogue_of(r, WHERE), raw) == _outcome(_whole, raw)


def test_damage_on_a_line_is_one_clear_line_naming_the_file(
    sample_store: Path, tmp_path: Path
) -> None:
    copy = shutil.copytree(sample_store.parent, tmp_path / "store") / sample_store.name
    copy.write_bytes(_lines_edited(copy.read_bytes(), LINE_DAMAGE["a record cut short"]))
    with pytest.raises(StoreError) as caught:
        Library(copy)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{copy}: the store is damaged (not valid JSON")


@pytest.mark.usefixtures("tiny_chunks")
@pytest.mark.parametrize("layout", LAYOUTS)
def test_any_small_change_reads_or_fails_as_the_whole_file_does(
    sample_catalogue: bytes, layout: str
) -> None:
    """Bytes JSON cares about, removed, doubled or put anywhere: never a different opening."""
    sample_catalogue = LAYOUTS[layout](sample_catalogue)
    rng = random.Random(13)
    tokens = [b"\n", b",", b"{", b"}", b'"', b":", b"[", b" ", b"1"]
    read_ok = 0
    for _ in range(400):
        at = rng.randrange(len(sample_catalogue))
        token = rng.choice(tokens)
        raw = rng.choice(
            [
                sample_catalogue[:at] + sample_catalogue[at + 1 :],
                sample_catalogue[:at] + token + sample_catalogue[at:],
                sample_catalogue[:at] + token + sample_catalogue[at + 1 :],
            ]
        )
        outcome = _outcome(lambda r: catalogue_of(r, WHERE), raw)
        assert outcome == _outcome(_whole, raw), raw[max(0, at - 40) : at + 40]
        read_ok += outcome[0] == "read"
    assert 0 < read_ok < 400  # both kinds of outcome were tried


def test_the_backup_a_legacy_store_gets_is_read_in_chunks_too(
    sample_catalogue: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one other writer of catalogues: the .bak naming generation-0 parts."""
    from store.tinydb_files import with_abstract_parts

    raw = with_abstract_parts(sample_catalogue, AbstractParts(2, 0), WHERE)
    expected = _whole(raw)
    assert expected[0]["meta"]["abstracts"] == AbstractParts(2, 0).as_meta()
    monkeypatch.setattr(catalogue_file, "CHUNK_BYTES", 300)
    monkeypatch.setattr(catalogue_file, "parse_tables", None)
    assert catalogue_of(raw, WHERE) == expected
