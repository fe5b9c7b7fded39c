"""Identity never guesses: the rules of store/identity.py on the real cases that broke them.

Each case comes from a real file where the earlier rules merged different
papers (or duplicated one): two theses sharing a DOI by mistake, court
decisions with one title, a workshop paper and its conference version, the
volumes of a collected works, short titles added again on every re-import.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from store.identity import Facts, doi_key, fingerprint, judge, normalized_title
from store.model import Paper
from tests.conftest import run_cli


def _import(db: Path, path: Path, *extra: str) -> str:
    done = run_cli(db, "import", str(path), *extra)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def _papers(db: Path) -> list[dict[str, object]]:
    done = run_cli(db, "list", "--json", "--sort", "title")
    assert done.returncode == 0, done.stderr
    papers: list[dict[str, object]] = json.loads(done.stdout)
    return papers


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


THESES = """\
@phdthesis{Hall1991,
  author = {Hall, Margaret},
  title = {Agricultural Labour and the Law in North Dakota},
  school = {University of North Dakota},
  year = {1991},
  doi = {10.31356/ETD-1234},
}

@phdthesis{Osei2021,
  author = {Osei, Kwame},
  title = {Machine Learning Methods for Soil Moisture Retrieval},
  school = {University of North Dakota},
  year = {2021},
  doi = {10.31356/etd-1234},
  abstract = {We retrieve soil moisture.},
}
"""


def test_two_theses_sharing_a_doi_stay_two_with_a_notice(db_path: Path, tmp_path: Path) -> None:
    summary = _import(db_path, _write(tmp_path, "theses.bib", THESES))
    assert summary.endswith("added 2, merged 0, updated 0, unchanged 0, skipped 0, warnings 1")
    papers = {p["id"]: p for p in _papers(db_path)}
    assert set(papers) == {"Hall1991", "Osei2021"}
    # no chimera: each thesis keeps its own title, author, year and abstract
    assert papers["Hall1991"]["title"] == "Agricultural Labour and the Law in North Dakota"
    assert papers["Hall1991"]["date"] == "1991-01-01" and papers["Hall1991"]["abstract"] == ""
    assert papers["Osei2021"]["authors"] == ["Kwame Osei"]
    done = run_cli(db_path, "import", str(tmp_path / "theses.bib"))
    assert "added 0" in done.stdout
    first = run_cli(
        db_path, "--db", str(tmp_path / "other.json"), "import", str(tmp_path / "theses.bib")
    )
    notice = [line for line in first.stderr.splitlines() if "share the DOI" in line]
    assert len(notice) == 1
    assert "Hall1991" in notice[0] and "Osei2021" in notice[0]
    assert "10.31356/etd-1234" in notice[0] and "line 9:" in notice[0] and "(line 1)" in notice[0]


COURTS = """\
@misc{StateVSmithA,
  title = {State v. Smith},
  year = {1998},
  howpublished = {Supreme Court of Ohio},
  journal = {Ohio Reports},
}

@misc{StateVSmithB,
  title = {State v. Smith},
  year = {1998},
  journal = {Pacific Reporter},
}
"""


def test_same_titled_court_decisions_without_authors_stay_two(
    db_path: Path, tmp_path: Path
) -> None:
    summary = _import(db_path, _write(tmp_path, "cases.bib", COURTS))
    assert "added 2, merged 0" in summary
    assert sorted(p["venue"] for p in _papers(db_path)) == ["Ohio Reports", "Pacific Reporter"]


WORKSHOP = """\
@inproceedings{Lee2020Workshop,
  author = {Lee, Jason D.},
  title = {Provable Representation Learning},
  booktitle = {ICML Workshop on Theory of Deep Learning},
  year = {2020},
}

@inproceedings{Lee2020Conference,
  author = {Lee, Jason D.},
  title = {Provable representation learning},
  booktitle = {Advances in Neural Information Processing Systems},
  year = {2020},
}

@inproceedings{Lee2020NoYear,
  author = {Lee, Jason D.},
  title = {Provable representation learning},
  crossref = {unknown-proceedings},
}
"""


def test_a_workshop_paper_and_its_conference_version_stay_two(
    db_path: Path, tmp_path: Path
) -> None:
    summary = _import(db_path, _write(tmp_path, "lee.bib", WORKSHOP))
    # different venues: two papers; no year of its own: never merged by title
    assert "added 3, merged 0" in summary
    assert _import(db_path, tmp_path / "lee.bib").startswith(f"{tmp_path / 'lee.bib'}: added 0")


PREPRINT_AND_JOURNAL = """\
@article{millidge2019deep,
  title={Deep active inference as variational policy gradients},
  author={Millidge, Beren},
  journal={arXiv preprint arXiv:1907.03876},
  year={2019}
}

@article{millidge2020deep,
  title={Deep Active Inference as Variational Policy Gradients},
  author={Beren Millidge},
  journal={Journal of Mathematical Psychology},
  year={2020}
}
"""


def test_a_preprint_and_its_journal_version_are_one_paper_counted_as_merged(
    db_path: Path, tmp_path: Path
) -> None:
    path = _write(tmp_path, "thesis.bib", PREPRINT_AND_JOURNAL)
    done = run_cli(db_path, "import", "--verbose", str(path))
    assert done.returncode == 0, done.stderr
    assert "added 1, merged 1, updated 0, unchanged 0, skipped 0, warnings 0" in done.stdout
    assert "merged millidge2019deep (line 1) = millidge2020deep (line 8)" in done.stdout
    # both keys name the paper
    for key in ("millidge2019deep", "millidge2020deep"):
        assert run_cli(db_path, "mark", "read", key).returncode == 0
        shown = json.loads(run_cli(db_path, "show", key, "--json").stdout)
        assert shown["id"] == "millidge2019deep" and shown["status"] == "read"


EDITIONS = """\
@book{Kim2013,
  author = {Kim, Sun},
  title = {Introduction},
  year = {2013},
}

@book{Kim2021,
  author = {Kim, Sun},
  title = {Introduction},
  year = {2021},
}

@book{Park2013,
  author = {Park, Min},
  title = {Introduction},
  year = {2013},
}

@book{Works3,
  author = {Abeghian, Manuk},
  title = {Works},
  year = {1968},
  volume = {3},
}

@book{Works4,
  author = {Abeghian, Manuk},
  title = {Works},
  year = {1969},
  volume = {4},
}
"""


def test_same_title_with_another_year_author_or_volume_stays_apart(
    db_path: Path, tmp_path: Path
) -> None:
    summary = _import(db_path, _write(tmp_path, "books.bib", EDITIONS))
    assert "added 5, merged 0" in summary


SHORT_TITLES = """\
@misc{NDAggag1991a, title = {ND ag-gag}, year = {1991}}
@misc{NDAggag1991b, title = {ND ag-gag}, year = {1991}, note = {amended}}
@misc{OnAI, title = {On AI}}
@misc{X, title = {X}, author = {Doe, Jane}}
"""


def test_short_titles_are_found_by_their_keys_on_reimport(db_path: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "short.bib", SHORT_TITLES)
    assert "added 4, merged 0" in _import(db_path, path)
    for _ in range(2):
        assert _import(db_path, path).endswith(
            "added 0, merged 0, updated 0, unchanged 4, skipped 0, warnings 0"
        )
    assert len(_papers(db_path)) == 4


def test_csl_citation_keys_and_keyless_ris_reimport_idempotently(
    db_path: Path, tmp_path: Path
) -> None:
    csl = [
        {"id": "a", "citation-key": "OnAI", "type": "article", "title": "On AI"},
        {"id": "b", "type": "article", "title": "On AI", "issued": {"date-parts": [[2020]]}},
        {"id": "c", "type": "book", "title": "Untitled"},
        {"id": "d", "type": "book", "title": "Untitled"},
    ]
    csl_path = _write(tmp_path, "items.json", json.dumps(csl))
    ris_path = _write(
        tmp_path,
        "keyless.ris",
        "TY  - JOUR\nTI  - X\nER  - \n\nTY  - JOUR\nTI  - X\nER  - \n\n"
        "TY  - JOUR\nTI  - Y\nAU  - Doe, J\nER  - \n",
    )
    assert "added 4" in _import(db_path, csl_path)
    assert "added 3" in _import(db_path, ris_path)
    for path in (csl_path, ris_path):
        assert ": added 0, merged 0, updated 0, unchanged" in _import(db_path, path)
    assert len(_papers(db_path)) == 7


def test_dry_run_counts_and_writes_nothing(db_path: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "thesis.bib", PREPRINT_AND_JOURNAL)
    _import(db_path, _write(tmp_path, "books.bib", EDITIONS))
    before = {p: p.read_bytes() for p in db_path.parent.iterdir()}
    summary = _import(db_path, path, "--dry-run")
    assert summary.endswith("added 1, merged 1, updated 0, unchanged 0, skipped 0, warnings 0")
    assert {p: p.read_bytes() for p in db_path.parent.iterdir()} == before


def test_json_summary_and_total_line(db_path: Path, tmp_path: Path) -> None:
    first = _write(tmp_path, "thesis.bib", PREPRINT_AND_JOURNAL)
    second = _write(tmp_path, "books.bib", EDITIONS)
    done = run_cli(db_path, "import", str(first), str(second))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == (
        "total: added 6, merged 1, updated 0, unchanged 0, skipped 0, warnings 0"
    )
    again = run_cli(db_path, "import", "--json", str(first), str(second))
    report = json.loads(again.stdout)
    assert [f["unchanged"] for f in report["files"]] == [1, 5]
    assert report["total"]["merged"] == 1 and report["total"]["added"] == 0


def test_a_key_two_sources_gave_two_papers_is_refused_by_name(
    db_path: Path, tmp_path: Path
) -> None:
    _import(db_path, _write(tmp_path, "one.bib", "@misc{Same, title = {First paper}}"))
    _import(db_path, _write(tmp_path, "two.bib", "@misc{Same, title = {Second paper}}"))
    # the second file's key was taken as an id: it is an alias of a suffixed paper
    ids = sorted(p["id"] for p in _papers(db_path))
    assert ids == ["Same", "Samea"]
    assert json.loads(run_cli(db_path, "show", "Same", "--json").stdout)["id"] == "Same"
    # A RIS ID is never an id: two files giving R1 to two papers make R1 ambiguous.
    for name, title in (("a.ris", "Alpha study"), ("b.ris", "Beta study")):
        ris = f"TY  - JOUR\nID  - R1\nTI  - {title}\nAU  - Doe, Jane\nPY  - 2020\nER  - \n"
        _import(db_path, _write(tmp_path, name, ris))
    refused = run_cli(db_path, "show", "R1")
    assert refused.returncode == 1
    assert "'R1' names 2 papers" in refused.stderr
    named = [p["id"] for p in _papers(db_path) if str(p["title"]).endswith("study")]
    assert len(named) == 2 and all(pid in refused.stderr for pid in named)
    marked = run_cli(db_path, "mark", "read", "R1")
    assert marked.returncode == 1 and "names 2 papers" in marked.stderr


# -- the rules on their own ----------------------------------------------------------


def _facts(**fields: object) -> Facts:
    return Facts.of(Paper(id="", **fields))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        # same normalised title: needs years within one, first author, no venue clash
        (
            {"title": "A B", "date": "2020", "authors": ("Ann Lee",)},
            {"title": "a  b!", "date": "2021", "authors": ("Lee, Ann",)},
            True,
        ),
        (
            {"title": "A B", "date": "2013", "authors": ("Ann Lee",)},
            {"title": "A B", "date": "2021", "authors": ("Ann Lee",)},
            False,
        ),
        (
            {"title": "A B", "date": "2020", "authors": ("Ann Lee",)},
            {"title": "A B", "date": "2020", "authors": ("Bo Kim",)},
            False,
        ),
        ({"title": "A B", "date": "2020"}, {"title": "A B", "date": "2020"}, False),
        (
            {"title": "A B", "authors": ("Ann Lee",)},
            {"title": "A B", "authors": ("Ann Lee",)},
            False,
        ),
        (
            {"title": "A B", "date": "2020", "authors": ("A Lee",), "venue": "ICML Workshop"},
            {"title": "A B", "date": "2020", "authors": ("A Lee",), "venue": "NeurIPS"},
            False,
        ),
        (
            {"title": "A B", "date": "2020", "authors": ("A Lee",), "venue": "arXiv preprint"},
            {"title": "A B", "date": "2020", "authors": ("A Lee",), "venue": "NeurIPS"},
            True,
        ),
        # same DOI: titles must agree, years within one; case-insensitive DOI
        (
            {"title": "A B", "doi": "10.1/X", "date": "1991"},
            {"title": "C D", "doi": "10.1/x", "date": "1991"},
            False,
        ),
        (
            {"title": "A B", "doi": "10.1/X", "date": "1991"},
            {"title": "a b", "doi": "10.1/x", "date": "2021"},
            False,
        ),
        (
            {"title": "A B", "doi": "10.1/X"},
            {"title": "A. B.", "doi": "https://doi.org/10.1/x"},
            True,
        ),
        # same arXiv id: titles must agree between user files; the API's word is enough
        (
            {"title": "A B", "arxiv_id": "2301.00001"},
            {"title": "Other", "arxiv_id": "2301.00001v2"},
            False,
        ),
        (
            {"title": "A B", "arxiv_id": "2301.00001"},
            {"title": "Other", "arxiv_id": "2301.00001", "origin": "arxiv"},
            True,
        ),
    ],
)
def test_judge(a: dict[str, object], b: dict[str, object], same: bool) -> None:
    assert judge(_facts(**a), _facts(**b)).same is same
    assert judge(_facts(**b), _facts(**a)).same is same


def test_a_shared_identifier_that_falls_short_is_a_clash() -> None:
    verdict = judge(
        _facts(title="A", doi="10.1/X", date="1991"), _facts(title="B", doi="10.1/x", date="2021")
    )
    assert not verdict.same and verdict.clash == "DOI 10.1/x"
    assert judge(_facts(title="A B", date="2020"), _facts(title="A B", date="2020")).clash == ""


def test_normalised_title_and_keys() -> None:
    assert normalized_title(r"On {AI}: the G{\"o}del  Case!") == "onaithegodelcase"
    assert normalized_title("Հայերեն բառ") == "հայերենբառ"
    assert normalized_title("Über Café") == normalized_title("uber cafe")
    assert doi_key("https://doi.org/10.1000/ABC") == doi_key("10.1000/abc") == "10.1000/abc"
    with_year = Paper(id="", title="X", authors=("Doe, Jane",), date="1991")
    assert fingerprint(with_year) == "~x|doe|1991"
    assert fingerprint(Paper(id="", title="")).startswith("#")
    assert fingerprint(Paper(id="", title="", venue="A")) != fingerprint(Paper(id="", title=""))
