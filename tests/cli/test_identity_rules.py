"""PRODUCT.md's identity rules, black-box through the command line on a real store.

Two records are one paper only on strong evidence: the same DOI with agreeing
titles and years (±1), or the same normalised title with years within one, the
same first-author surname and no two different non-preprint venues. A source's
own key makes a re-import idempotent, every import prints a summary that adds
up, and paper-reader's own JSON export is restored exactly. The small inputs
below are the real cases of the trust issue, written by hand.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REALDATA, SAMPLE_PROFILE, run_cli

SUMMARY = re.compile(
    r"added (?P<added>\d+), merged (?P<merged>\d+), updated (?P<updated>\d+), "
    r"unchanged (?P<unchanged>\d+), skipped (?P<skipped>\d+), warnings (?P<warnings>\d+)"
)
AS_OF = ("--as-of", "2026-11-28")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def imported(db: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    done = run_cli(db, "import", *(str(f) for f in files), *AS_OF)
    assert done.returncode == 0, done.stderr
    return done


def summary(done: subprocess.CompletedProcess[str], path: Path) -> dict[str, int]:
    """The counts of ``path``'s summary line, which must have exactly the promised form."""
    lines = [line for line in done.stdout.splitlines() if line.startswith(f"{path}: ")]
    assert len(lines) == 1, f"no single summary line for {path} in:\n{done.stdout}"
    match = SUMMARY.fullmatch(lines[0][len(f"{path}: ") :])
    assert match, f"summary not in the promised form: {lines[0]!r}"
    return {name: int(value) for name, value in match.groupdict().items()}


def count(done: subprocess.CompletedProcess[str], path: Path, what: str) -> int:
    """One count of ``path``'s summary line, whatever else the line holds."""
    lines = [line for line in done.stdout.splitlines() if line.startswith(f"{path}: ")]
    assert len(lines) == 1, f"no single summary line for {path} in:\n{done.stdout}"
    found = re.search(rf"\b{what} (\d+)\b", lines[0])
    assert found, f"no {what!r} count in {lines[0]!r}"
    return int(found.group(1))


def entries_counted(counts: dict[str, int]) -> int:
    return sum(counts[k] for k in ("added", "merged", "updated", "unchanged", "skipped"))


def listed(db: Path, *args: str) -> list[dict[str, object]]:
    done = run_cli(db, "list", "--json", *args)
    assert done.returncode == 0, done.stderr
    papers: list[dict[str, object]] = json.loads(done.stdout)
    return papers


def titled(db: Path, title: str) -> list[dict[str, object]]:
    return [p for p in listed(db) if p["title"] == title]


def import_apart_or_together(
    db: Path, tmp_path: Path, first: str, second: str, together: bool
) -> list[subprocess.CompletedProcess[str]]:
    """Both entries in one file, or the second imported later from a file of its own."""
    if together:
        return [imported(db, write(tmp_path, "both.bib", first + second))]
    return [
        imported(db, write(tmp_path, "one.bib", first)),
        imported(db, write(tmp_path, "two.bib", second)),
    ]


# --- different papers stay apart -----------------------------------------------------

BOOK_2013 = """@book{James2013, title = {An Introduction to Statistical Learning},
  author = {James, Gareth and Witten, Daniela}, publisher = {Springer}, year = {2013}}
"""
BOOK_2021 = """@book{James2021, title = {An Introduction to Statistical Learning},
  author = {James, Gareth and Witten, Daniela}, publisher = {Springer}, year = {2021}}
"""


@pytest.mark.parametrize("together", [True, False], ids=["one-file", "two-imports"])
def test_same_title_another_year_is_another_paper(
    db_path: Path, tmp_path: Path, together: bool
) -> None:
    import_apart_or_together(db_path, tmp_path, BOOK_2013, BOOK_2021, together)
    editions = titled(db_path, "An Introduction to Statistical Learning")
    assert sorted(str(p["date"])[:4] for p in editions) == ["2013", "2021"]


@pytest.mark.parametrize("together", [True, False], ids=["one-file", "two-imports"])
def test_same_title_another_first_author_is_another_paper(
    db_path: Path, tmp_path: Path, together: bool
) -> None:
    first = (
        "@misc{Lee2020, title = {Sparse Recovery Revisited}, author = {Lee, Ann}, year = 2020}\n"
    )
    second = (
        "@misc{Kim2020, title = {Sparse Recovery Revisited}, author = {Kim, Bo}, year = 2020}\n"
    )
    import_apart_or_together(db_path, tmp_path, first, second, together)
    papers = titled(db_path, "Sparse Recovery Revisited")
    assert sorted(p["authors"][0] for p in papers) == ["Ann Lee", "Bo Kim"]  # type: ignore[index]


@pytest.mark.parametrize("together", [True, False], ids=["one-file", "two-imports"])
def test_short_title_another_year_is_another_paper(
    db_path: Path, tmp_path: Path, together: bool
) -> None:
    entry = "@article{{Smith{0}, title = {{On AI}}, author = {{Smith, Jo}}, year = {0}}}\n"
    first, second = entry.format(2019), entry.format(2023)
    import_apart_or_together(db_path, tmp_path, first, second, together)
    assert sorted(str(p["date"])[:4] for p in titled(db_path, "On AI")) == ["2019", "2023"]


# Two theses of a real Zotero library carry one DOI by mistake, 30 years apart.
THESIS_1991 = """@phdthesis{Okafor1991Groundwater,
  title = {Groundwater Recharge in Fractured Crystalline Rock},
  author = {Okafor, Chidi}, school = {University of Ibadan}, year = {1991},
  doi = {10.17863/CAM.4242}, abstract = {Recharge measured in 1989 and 1990.}}
"""
THESIS_2021 = """@phdthesis{Lindqvist2021Deep,
  title = {Deep Generative Models of Protein Backbones},
  author = {Lindqvist, Maja}, school = {KTH Royal Institute of Technology}, year = {2021},
  doi = {10.17863/CAM.4242}, abstract = {Diffusion over SE(3) frames.}}
"""


@pytest.mark.parametrize("together", [True, False], ids=["one-file", "two-imports"])
def test_shared_doi_with_another_title_keeps_both_and_says_so(
    db_path: Path, tmp_path: Path, together: bool
) -> None:
    runs = import_apart_or_together(db_path, tmp_path, THESIS_1991, THESIS_2021, together)
    papers = {p["id"]: p for p in listed(db_path)}
    assert set(papers) == {"Okafor1991Groundwater", "Lindqvist2021Deep"}
    old = papers["Okafor1991Groundwater"]
    assert old["title"] == "Groundwater Recharge in Fractured Crystalline Rock"
    assert old["authors"] == ["Chidi Okafor"] and str(old["date"]).startswith("1991")
    assert old["abstract"] == "Recharge measured in 1989 and 1990."
    notice = runs[-1].stderr
    assert "Okafor1991Groundwater" in notice and "Lindqvist2021Deep" in notice
    assert "10.17863/cam.4242" in notice.lower()


def test_shared_doi_in_the_same_year_with_another_title_keeps_both(
    db_path: Path, tmp_path: Path
) -> None:
    """A DOI pasted into the wrong entry: same year, so only the titles tell them apart."""
    entry = "@inproceedings{{{0}, title = {{{1}}}, author = {{Okafor, Chidi}}, year = 2021,"
    entry += " booktitle = {{Proc. Hydrology}}, doi = {{10.5194/hess-25-1-2021}}}}\n"
    bib = entry.format("Okafor2021a", "Recharge Under Drought") + entry.format(
        "Okafor2021b", "Karst Springs in Winter"
    )
    done = imported(db_path, write(tmp_path, "pasted.bib", bib))
    assert sorted(str(p["id"]) for p in listed(db_path)) == ["Okafor2021a", "Okafor2021b"]
    assert "Okafor2021a" in done.stderr and "Okafor2021b" in done.stderr


def test_shared_arxiv_id_between_user_files_with_other_titles_keeps_both(
    db_path: Path, tmp_path: Path
) -> None:
    """Between user files an arXiv id is evidence only with agreeing titles (a typo'd eprint)."""
    entry = (
        "@misc{{{0}, title = {{{1}}}, author = {{{2}}}, eprint = {{1901.00001}}, year = 2019}}\n"
    )
    first = write(
        tmp_path, "mine.bib", entry.format("Rao2019Graph", "Graph Kernels Revisited", "Rao, Uma")
    )
    second = write(
        tmp_path,
        "theirs.bib",
        entry.format("Berg2019Tide", "Tidal Heating of Icy Moons", "Berg, Ola"),
    )
    imported(db_path, first)
    done = imported(db_path, second)
    assert sorted(str(p["title"]) for p in listed(db_path)) == [
        "Graph Kernels Revisited",
        "Tidal Heating of Icy Moons",
    ]
    assert "Rao2019Graph" in done.stderr and "Berg2019Tide" in done.stderr


CASE_ITEMS = [
    {
        "id": "StateVHolt1998a",
        "type": "legal_case",
        "title": "State v. Holt",
        "container-title": "Iowa Reports",
        "authority": "Supreme Court of Iowa",
        "issued": {"date-parts": [[1998]]},
    },
    {
        "id": "StateVHolt1998b",
        "type": "legal_case",
        "title": "State v. Holt",
        "container-title": "North Western Reporter",
        "authority": "Iowa Court of Appeals",
        "issued": {"date-parts": [[1998]]},
    },
]


def test_two_court_decisions_with_one_title_and_year_stay_two(
    db_path: Path, tmp_path: Path
) -> None:
    cases = write(tmp_path, "cases.json", json.dumps(CASE_ITEMS))
    done = imported(db_path, cases)
    assert sorted(str(p["venue"]) for p in titled(db_path, "State v. Holt")) == [
        "Iowa Reports",
        "North Western Reporter",
    ]
    assert count(done, cases, "added") == 2


WORKSHOP_AND_CONFERENCE = """
@inproceedings{Arora2020ws, title = {Provable Guarantees for Widget Learning},
  author = {Arora, Priya and Chen, Wei}, crossref = {WidgetWS2020}}
@inproceedings{Arora2020conf, title = {Provable Guarantees for Widget Learning},
  author = {Arora, Priya and Chen, Wei}, crossref = {NeurIPS2020}, pages = {1--12}}
@proceedings{WidgetWS2020, title = {Workshop on Widget Theory}, year = {2020}}
@proceedings{NeurIPS2020, title = {Advances in Neural Information Processing Systems 33},
  year = {2020}}
"""


def test_workshop_paper_and_conference_version_stay_two(db_path: Path, tmp_path: Path) -> None:
    """The year lives in the ``crossref``'d proceedings; the venues differ."""
    imported(db_path, write(tmp_path, "group.bib", WORKSHOP_AND_CONFERENCE))
    versions = titled(db_path, "Provable Guarantees for Widget Learning")
    assert sorted(str(p["venue"]) for p in versions) == [
        "Advances in Neural Information Processing Systems 33",
        "Workshop on Widget Theory",
    ]


def test_workshop_and_conference_with_their_own_booktitles_stay_two(
    db_path: Path, tmp_path: Path
) -> None:
    workshop = """@inproceedings{Arora2020ws, title = {Provable Guarantees for Widget Learning},
      author = {Arora, Priya}, booktitle = {Workshop on Widget Theory}, year = 2020}\n"""
    conference = """@inproceedings{Arora2020c, title = {Provable Guarantees for Widget Learning},
      author = {Arora, Priya}, booktitle = {Proceedings of ICML}, year = 2020}\n"""
    import_apart_or_together(db_path, tmp_path, workshop, conference, together=False)
    assert len(titled(db_path, "Provable Guarantees for Widget Learning")) == 2


# --- the same paper is found again --------------------------------------------------


def test_same_title_venueless_years_within_one_same_first_author_is_one_paper(
    db_path: Path, tmp_path: Path
) -> None:
    bib = """@misc{vaswani2017attention, title = {Attention Is All You Need},
      author = {Vaswani, Ashish and Shazeer, Noam}, year = {2017}}
    @misc{vaswani2018attention, title = {Attention is all you need},
      author = {Ashish Vaswani and Noam Shazeer}, year = {2018}}
    """
    file = write(tmp_path, "twins.bib", bib)
    done = imported(db_path, file)
    assert len(listed(db_path)) == 1
    assert (count(done, file, "added"), count(done, file, "merged")) == (1, 1)


def test_same_paper_found_again_from_another_file(db_path: Path, tmp_path: Path) -> None:
    first = write(tmp_path, "a.bib", "@misc{va17, title = {Attention Is All You Need},"
                  " author = {Vaswani, Ashish}, year = {2017}}\n")  # fmt: skip
    second = write(tmp_path, "b.bib", "@misc{va18, title = {Attention is all you need},"
                   " author = {Ashish Vaswani}, year = {2018}}\n")  # fmt: skip
    imported(db_path, first)
    done = imported(db_path, second)
    assert len(listed(db_path)) == 1
    assert count(done, second, "added") == 0


@pytest.mark.parametrize(
    "preprint",
    [
        "journal = {arXiv preprint arXiv:1706.03762}",
        "eprint = {1706.03762}, archivePrefix = {arXiv}, primaryClass = {cs.CL}",
    ],
    ids=["arxiv-journal", "eprint"],
)
def test_arxiv_preprint_and_its_published_version_are_one_paper(
    db_path: Path, tmp_path: Path, preprint: str
) -> None:
    bib = f"""@article{{vaswani2017pre, title = {{Attention Is All You Need}},
      author = {{Vaswani, Ashish and Shazeer, Noam}}, {preprint}, year = {{2017}}}}
    @inproceedings{{vaswani2017nips, title = {{Attention is All you Need}},
      author = {{Vaswani, Ashish and Shazeer, Noam}},
      booktitle = {{Advances in Neural Information Processing Systems 30}}, year = {{2017}}}}
    """
    file = write(tmp_path, "versions.bib", bib)
    done = imported(db_path, file)
    assert len(listed(db_path)) == 1
    assert (count(done, file, "added"), count(done, file, "merged")) == (1, 1)


# --- source keys make re-import idempotent ----------------------------------------

SHORT_TITLES_BIB = """
@misc{NDAggag1991a, title = {ND ag-gag}, year = {1991}, howpublished = {N.D. Cent. Code}}
@misc{NDAggag1991b, title = {ND ag-gag}, year = {1991}, howpublished = {N.D. Laws ch. 12}}
@article{Turing1950X, title = {X}, author = {Turing, Alan}, journal = {Mind}, year = {1950}}
@article{Minsky1961OnAI, title = {On {AI}}, author = {Minsky, Marvin}, year = {1961}}
@article{Newell1976OnAI, title = {On AI}, author = {Newell, Allen}, journal = {IRE}, year = {1976}}
"""
SHORT_TITLES_CSL = [
    {"citation-key": "NDAggag1991a", "type": "legal_case", "title": "ND ag-gag",
     "issued": {"date-parts": [[1991]]}},
    {"citation-key": "NDAggag1991b", "type": "legal_case", "title": "ND ag-gag",
     "issued": {"date-parts": [[1991]]}},
    {"id": "Turing1950X", "type": "article-journal", "title": "X",
     "author": [{"family": "Turing", "given": "Alan"}], "issued": {"date-parts": [[1950]]}},
    {"id": "Minsky1961OnAI", "type": "article-journal", "title": "On AI",
     "author": [{"family": "Minsky", "given": "Marvin"}], "issued": {"date-parts": [["1961"]]}},
]  # fmt: skip


@pytest.mark.parametrize("fmt", ["bibtex", "csljson"])
def test_reimport_of_short_titled_entries_with_keys_adds_nothing(
    db_path: Path, tmp_path: Path, fmt: str
) -> None:
    if fmt == "bibtex":
        file, entries = write(tmp_path, "short.bib", SHORT_TITLES_BIB), 5
    else:
        file, entries = write(tmp_path, "short.json", json.dumps(SHORT_TITLES_CSL)), 4
    assert count(imported(db_path, file), file, "added") == entries  # none is another's twin
    before = listed(db_path)
    for _ in range(2):
        again = imported(db_path, file)
        assert listed(db_path) == before
        assert count(again, file, "added") == 0 and count(again, file, "unchanged") == entries


def test_source_key_is_accepted_where_an_id_is(db_path: Path, tmp_path: Path) -> None:
    """A BibTeX key that names a paper already in the store becomes its alias."""
    imported(db_path, SAMPLE_PROFILE)
    bib = write(
        tmp_path,
        "mine.bib",
        "@misc{zhang_leanmarathon_2026, title = {LeanMarathon: Toward Reliable AI"
        " Co-Mathematicians through Long-Horizon Lean Autoformalization},"
        " author = {Zhang, Yuanhe and Sun, Yuekai and Suzuki, Taiji}, year = {2026}}\n",
    )
    done = imported(db_path, bib)
    assert len(listed(db_path)) == 50 and count(done, bib, "added") == 0
    for command in (["mark", "read"], ["star"], ["tag"], ["note"]):
        extra = ["+alias"] if command == ["tag"] else ["via alias"] if command == ["note"] else []
        marked = run_cli(db_path, *command, "zhang_leanmarathon_2026", *extra)
        assert marked.returncode == 0, marked.stderr
    shown = run_cli(db_path, "show", "zhang_leanmarathon_2026", "--json")
    assert shown.returncode == 0, shown.stderr
    paper = json.loads(shown.stdout)
    assert paper["id"] == "Zhang2026LeanMarathon" and paper["status"] == "read"
    assert paper["starred"] and paper["tags"] == ["alias"] and paper["note"] == "via alias"


def test_summary_line_has_every_count_and_adds_up(db_path: Path, tmp_path: Path) -> None:
    """One line per file, then a total line when several files were given."""
    one = write(tmp_path, "one.bib", BOOK_2013 + THESIS_1991)
    two = write(tmp_path, "two.bib", BOOK_2021 + "@article{broken, title = {Oops}\n")
    done = run_cli(db_path, "import", str(one), str(two))
    assert done.returncode == 0, done.stderr
    assert entries_counted(summary(done, one)) == 2
    counts_two = summary(done, two)
    assert entries_counted(counts_two) == 2 and counts_two["skipped"] == 1
    assert counts_two["warnings"] >= 1
    total = [line for line in done.stdout.splitlines() if not line.startswith(str(tmp_path))]
    assert len(total) == 1 and SUMMARY.search(total[0]), done.stdout
    total_counts = {k: int(v) for k, v in SUMMARY.search(total[0]).groupdict().items()}  # type: ignore[union-attr]
    assert entries_counted(total_counts) == 4


# --- every real file: the summary adds up, re-import adds nothing, JSON restores exactly --

_BIBTEX_ENTRY = re.compile(r"^\s*@(\w+)\s*[{(]", re.MULTILINE)


def entries_in(path: Path) -> int:
    """The entries of a file, counted without any importer: a count to check them by.

    BibTeX: the ``@type{`` lines but @string, @preamble and @comment; RIS: the
    ``TY`` lines; Atom: the ``<entry>`` elements; CSL-JSON: the items; the
    sample profile holds 50 entries.
    """
    if path == SAMPLE_PROFILE:
        return 50
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".bib":
        kinds = [kind.lower() for kind in _BIBTEX_ENTRY.findall(text)]
        return sum(kind not in ("string", "preamble", "comment") for kind in kinds)
    if path.suffix == ".ris":
        return len(re.findall(r"^TY  -", text, re.MULTILINE))
    if path.suffix == ".xml":
        return len(re.findall(r"<entry[ >]", text))
    items = json.loads(text)
    return len(items["items"] if isinstance(items, dict) else items)


# Every real file in tests/data, and the bundled sample profile.
REAL_FILES = [
    *(
        str(p.relative_to(REALDATA))
        for p in sorted(REALDATA.rglob("*"))
        if p.is_file() and p.name != "SOURCES.md"
    ),
    "sample profile",
]


def real_path(name: str) -> Path:
    return SAMPLE_PROFILE if name == "sample profile" else REALDATA / name


def test_the_independent_counts_are_right() -> None:
    """Spot checks against SOURCES.md (Beebe: 748 entries bibtexparser reads, 4 that repeat a
    field)."""
    assert entries_in(REALDATA / "bibtex/beebe-master-1994-string-preamble-concat.bib") == 752
    assert entries_in(REALDATA / "bibtex/ml-phd-thesis-millidge-813-entries.bib") == 813
    assert entries_in(REALDATA / "ris/scopus-export-707-records-utf8.ris") == 707
    assert entries_in(REALDATA / "ris/web-of-science-savedrecs-7-records.ris") == 7  # BOM
    assert entries_in(REALDATA / "arxiv/arxiv-api-2026-search-testing-100-entries.xml") == 100
    assert entries_in(REALDATA / "csljson/zotero-csl-json-armenian-studies-250-items.json") == 250
    assert len(REAL_FILES) >= 17


RealStore = tuple[str, Path, subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module", params=REAL_FILES)
def real_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> RealStore:
    """A store with one real file imported, and what that first import printed."""
    name: str = request.param
    db = tmp_path_factory.mktemp("real") / "library.json"
    first = imported(db, real_path(name))
    return name, db, first


def test_real_file_summary_adds_up_to_its_entries(real_store: RealStore) -> None:
    name, _db, first = real_store
    counts = summary(first, real_path(name))
    assert entries_counted(counts) == entries_in(real_path(name))
    assert counts["added"] > 0


def test_real_file_reimport_adds_nothing(real_store: RealStore) -> None:
    name, db, _first = real_store
    before = listed(db, "--sort", "title")
    again = imported(db, real_path(name))
    assert listed(db, "--sort", "title") == before
    assert count(again, real_path(name), "added") == 0
    assert count(again, real_path(name), "updated") == 0


def test_real_file_json_export_is_restored_exactly(real_store: RealStore, tmp_path: Path) -> None:
    _name, db, _first = real_store
    assert run_cli(db, "mark", "read", str(listed(db)[0]["id"])).returncode == 0
    exported = tmp_path / "export.json"
    done = run_cli(db, "export", "--format", "json", "-o", str(exported))
    assert done.returncode == 0, done.stderr
    restored = tmp_path / "restored" / "library.json"
    done = imported(restored, exported)
    for sort in ("date", "rank", "title"):
        assert listed(restored, "--sort", sort) == listed(db, "--sort", sort)
    assert count(done, exported, "added") == len(listed(db))
