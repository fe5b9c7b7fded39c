"""Control and escape characters from imported files never reach the terminal.

A title can carry ``ESC[2J`` (clear the screen), an OSC 52 sequence (write the
user's clipboard), an OSC 8 hyperlink or a C1 ``CSI``. Whatever field of
whatever format holds them, no command prints them; and a link the reader
opens is only ever a plain http(s) URL.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store import formats
from store.library import Library
from store.links import arxiv_title_search, code_link, is_web_url, paper_link
from store.model import Paper
from tests.conftest import ROOT, SAMPLE_PROFILE
from tests.reliability.conftest import child_env, cli_in_process

# Every control a terminal acts on: C0 but tab and newline, DEL, C1, bidi overrides.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
HOSTILE = (
    "\x1b[2J\x1b]52;c;cHduZWQ=\x07\x9b31m\x9d8;;file:///etc/passwd\x9c"
    "\x1b]8;;javascript:alert(1)\x1b\\\x08\x7f\u202e\x90q\x1b\\\x85\u2028"
)
# XML 1.0 cannot hold C0 controls at all; C1, bidi and separators it can.
HOSTILE_XML = "\x9b31m\x9d8;;file:///etc/passwd\x9c\u202e\x85\u2028"


def _profile(h: str) -> str:
    text = SAMPLE_PROFILE.read_text(encoding="utf-8")
    text = text.replace("Jason D. Lee", f"Jason{h} D. Lee", 1)
    text = text.replace("LeanMarathon: Toward", f"Lean{h}Marathon: Toward", 1)
    text = text.replace("Yuanhe Zhang, Yuekai Sun", f"Yuanhe{h} Zhang, Yuekai Sun", 1)
    text = text.replace("Long-horizon autoformalization", f"Long-horizon{h} autoformal", 1)
    return text.replace("stanford, tsinghua", f"stan{h}ford, tsinghua", 1)


def _json(h: str) -> str:
    record = {
        "id": f"Evil{h}2024Key",
        "title": f"Evil{h}Title",
        "authors": [f"Mal{h}ory Eve", "John Doe"],
        "affiliations": [f"Aff{h}"],
        "abstract": f"Abstract{h}text",
        "category": f"LG{h}",
        "categories": [f"cs.LG{h}"],
        "date": f"2024-01-02{h}",
        "url": f"https://example.org/{h}",
        "code_url": f"javascript:alert(1){h}",
        "arxiv_id": f"2401.00001{h}",
        "doi": f"10.1000/evil{h}",
        "venue": f"Venue{h}",
        "kind": f"article{h}",
        "collections": {f"List{h}": 1},
        "extra": {f"pages{h}": f"1{h}--2"},
        "added_at": f"2024-01-01T00:00:00Z{h}",
        "status": "read",
        "starred": True,
        "tags": [f"tag{h}"],
        "note": f"Note{h}",
        "status_changed_at": f"2024{h}",
    }
    collection = {"name": f"List{h}", "source": f"src{h}", "metrics": {f"m{h}": f"1{h}"}}
    document = {"format": "paper-reader", "version": 1, "collections": [collection]}
    document["papers"] = [record]
    return json.dumps(document)


def _bibtex(h: str) -> str:
    return (
        f"@article{{Evil2024Key,\n  title = {{Evil{h}Title}},\n"
        f"  author = {{Mal{h}ory, Eve and Doe, John}},\n  journal = {{Journal{h}}},\n"
        f"  year = {{2024}},\n  month = jan,\n  abstract = {{Abstract{h} text}},\n"
        f"  keywords = {{kw{h}}},\n  url = {{javascript:alert(1)}},\n"
        f"  doi = {{10.1000/evil{h}}},\n  note = {{note{h}}},\n}}\n"
    )


def _ris(h: str) -> str:
    lines = [
        "TY  - JOUR",
        f"TI  - Evil{h}Title",
        f"AU  - Mal{h}ory, Eve",
        f"JO  - Journal{h}",
        "PY  - 2024",
        f"AB  - Abstract{h}",
        f"KW  - kw{h}",
        "UR  - javascript:alert(1)",
        f"DO  - 10.1000/evil{h}",
        f"N1  - note{h}",
        "ER  - ",
    ]
    return "\n".join(lines) + "\n"


def _csljson(h: str) -> str:
    item = {
        "id": f"evil{h}",
        "type": "article-journal",
        "title": f"Evil{h}Title",
        "author": [{"family": f"Mal{h}ory", "given": "Eve"}],
        "container-title": f"Journal{h}",
        "issued": {"date-parts": [[2024, 1, 2]]},
        "abstract": f"Abstract{h}",
        "DOI": f"10.1000/evil{h}",
        "URL": "javascript:alert(1)",
        "keyword": f"kw{h}",
        "note": f"note{h}",
    }
    return json.dumps([item])


def _arxiv(_h: str) -> str:
    h = HOSTILE_XML
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom">\n'
        "  <title>ArXiv Query</title>\n  <entry>\n"
        "    <id>http://arxiv.org/abs/2401.00001v1</id>\n"
        "    <updated>2024-01-02T00:00:00Z</updated>\n"
        "    <published>2024-01-01T00:00:00Z</published>\n"
        f"    <title>Evil{h}Title</title>\n    <summary>Abstract{h}</summary>\n"
        f"    <author><name>Mal{h}ory Eve</name>"
        f"<arxiv:affiliation>Aff{h}</arxiv:affiliation></author>\n"
        f"    <arxiv:comment>c{h}</arxiv:comment>\n"
        f"    <arxiv:journal_ref>J{h}</arxiv:journal_ref>\n"
        f"    <arxiv:doi>10.1000/evil{h}</arxiv:doi>\n"
        '    <link href="javascript:alert(1)" rel="related" type="text/html"/>\n'
        f'    <arxiv:primary_category term="cs.LG{h}"/>\n'
        '    <category term="cs.LG"/>\n  </entry>\n</feed>\n'
    )


HOSTILE_SAMPLES: dict[str, Callable[[str], str]] = {
    "profile": _profile,
    "json": _json,
    "bibtex": _bibtex,
    "ris": _ris,
    "csljson": _csljson,
    "arxiv": _arxiv,
}


def test_every_registered_format_has_a_hostile_sample() -> None:
    missing = set(formats.IMPORT_FORMATS) - set(HOSTILE_SAMPLES)
    assert not missing, f"add a hostile sample here for {sorted(missing)}"


def _outputs(db: Path, paper_id: str) -> dict[str, str]:
    commands = {
        "list": ["list"],
        "list --json": ["list", "--json"],
        "show": ["show", paper_id],
        "show --json": ["show", paper_id, "--json"],
        "stats": ["stats"],
        "stats --json": ["stats", "--json"],
        "export json": ["export", "--format", "json"],
        "tag": ["tag", paper_id, "+fine"],
        "unknown id": ["show", paper_id + "\x1b[2J"],
    }
    outputs = {}
    for name, args in commands.items():
        code, out, err = cli_in_process(db, *args)
        assert code == (1 if name == "unknown id" else 0), (name, err)
        outputs[name] = out + err
    return outputs


@pytest.mark.parametrize("fmt", list(HOSTILE_SAMPLES))
def test_hostile_fields_never_reach_the_terminal(fmt: str, tmp_path: Path) -> None:
    assert fmt in formats.IMPORT_FORMATS
    source = tmp_path / f"hostile.{fmt}"
    source.write_text(HOSTILE_SAMPLES[fmt](HOSTILE), encoding="utf-8")
    db = tmp_path / "store" / "library.json"
    code, out, err = cli_in_process(db, "import", str(source), "--format", fmt)
    assert code == 0, err
    assert not UNSAFE.search(out + err), "import's own report"
    library = Library(db)
    assert len(library) >= 1
    for store_file in db.parent.glob("library*.json"):  # the store never holds them
        assert not UNSAFE.search(json.dumps(json.loads(store_file.read_text()))), store_file
    paper = next(p for p in library.papers() if "Evil" in p.title or "Lean" in p.title)
    for command, output in _outputs(db, paper.id).items():
        found = UNSAFE.search(output)
        assert not found, f"{fmt}: {command} printed {found.group()!r}"
    assert is_web_url(paper_link(paper)) and "javascript:" not in paper_link(paper)
    assert code_link(paper) == "" or is_web_url(code_link(paper))


def test_real_process_output_holds_no_escape_bytes(tmp_path: Path) -> None:
    """The bytes a terminal would get, from the installed command's process."""
    source = tmp_path / "hostile.json"
    source.write_text(_json(HOSTILE), encoding="utf-8")
    db = tmp_path / "store" / "library.json"
    assert cli_in_process(db, "import", str(source))[0] == 0
    paper_id = Library(db).papers()[0].id
    for args in (["list"], ["show", paper_id], ["list", "--json"], ["export", "--format", "json"]):
        done = subprocess.run(
            [sys.executable, "-m", "tui.cli", "--db", str(db), *args],
            capture_output=True,
            timeout=60,
            cwd=ROOT,
            env=child_env(),
        )
        assert done.returncode == 0
        for bad in (b"\x1b", b"\x07", b"\x08", b"\x7f", b"\r", b"\xc2\x9b", b"\xe2\x80\xae"):
            assert bad not in done.stdout + done.stderr, (args, bad)


def test_escapes_in_a_store_written_by_hand_are_still_not_printed(db_path: Path) -> None:
    """Defence in depth: a store edited outside paper-reader is cleaned when shown."""
    db_path.parent.mkdir(parents=True)
    paper = {"id": "Hand2024Edit", "title": f"Hand{HOSTILE}", "date": f"2024{HOSTILE}"}
    paper |= {"category": f"LG{HOSTILE}", "authors": [f"A{HOSTILE}"], "venue": f"V{HOSTILE}"}
    paper |= {"url": "file:///etc/passwd", "code_url": "javascript:alert(1)"}
    paper |= {"abstract": f"Abstract{HOSTILE}\r\nmore", "extra": {"note": f"x{HOSTILE}"}}
    db_path.write_text(json.dumps({"papers": {"Hand2024Edit": paper}}))
    state = {"Hand2024Edit": {"status": "read", "tags": [f"t{HOSTILE}"], "note": f"n{HOSTILE}"}}
    db_path.with_name("library.state.json").write_text(json.dumps({"state": state}))
    for command, output in _outputs(db_path, "Hand2024Edit").items():
        if command == "tag":
            continue  # a write: checked below
        assert not UNSAFE.search(output), command
    for fmt in getattr(formats, "EXPORT_FORMATS", ("json",)):  # exports to the terminal
        code, out, err = cli_in_process(db_path, "export", "--format", fmt)
        assert code == 0, err
        assert not UNSAFE.search(out.replace("\r\n", "\n") + err), fmt
    shown = cli_in_process(db_path, "show", "Hand2024Edit")[1]
    assert "file:" not in shown and "javascript:" not in shown
    assert arxiv_title_search(Library(db_path).get("Hand2024Edit").title) in shown


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "javascript:alert(1)",
        " JavaScript:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "https://example.org/a b; rm -rf ~",
        "https://example.org/$(reboot)",
        "https://example.org/`id`",
        "https://example.org/x\n; rm -rf ~",
        "https://example.org/\x1b[2J",
        "http://",
        "https:javascript:alert(1)",
        "rm -rf ~",
        "--help",
        "",
    ],
)
def test_only_plain_web_links_are_offered(url: str) -> None:
    paper = Paper(id="K", title="A paper with a bad link", url=url, code_url=url)
    assert not is_web_url(url)
    assert paper_link(paper) == arxiv_title_search(paper.title)
    assert code_link(paper) == ""


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("arxiv_id", "2401.00001; rm -rf ~"),
        ("arxiv_id", "../../etc/passwd"),
        ("doi", "10.1000/x\njavascript:alert(1)"),
        ("doi", '10.1000/x" onmouseover="alert(1)'),
        ("doi", "10.1002/(SICI)1097-4636(199706)35:4<461::AID-JBM7>3.0.CO;2-J"),
    ],
)
def test_identifiers_are_quoted_into_links(field: str, value: str) -> None:
    paper = Paper(id="K", title="T", **{field: value})  # type: ignore[arg-type]
    link = paper_link(paper)
    assert is_web_url(link) and link.startswith("https://")
    assert not re.search(r"[\s\"'`<>;$\\]", link)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=40), st.text(max_size=40), st.text(max_size=60), st.text(max_size=60))
def test_any_fields_give_a_web_link_or_none(arxiv_id: str, doi: str, url: str, code: str) -> None:
    paper = Paper(id="K", title="T", arxiv_id=arxiv_id, doi=doi, url=url, code_url=code)
    link = paper_link(paper)
    assert is_web_url(link) and link.split(":", 1)[0].lower() in ("http", "https")
    assert not UNSAFE.search(link) and not re.search(r"\s", link)
    assert code_link(paper) in ("", code.strip())
    if code_link(paper):
        assert is_web_url(code_link(paper))
