"""Issue 10 checked from outside: cases a stranger's real libraries hit.

Each test is a defect found by using the product on files the suite had not
seen; it failed before its fix.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from store.importing import import_files
from store.library import Library
from tests.conftest import REALDATA, run_cli

# A RIS export without ID fields (Zotero writes none): two decisions of one title
# and year from two courts, no authors. Their fingerprints are equal, so only
# the order told them apart.
_END = "ER  - \n"
_CASE_SCC = "TY  - CASE\nTI  - Smith v. Jones\nPY  - 2004\nT2  - Supreme Court of Canada\n" + _END
_CASE_ONCA = "TY  - CASE\nTI  - Smith v. Jones\nPY  - 2004\nT2  - Ontario Court of Appeal\n" + _END


def _ids_by_venue(library: Library) -> dict[str, str]:
    return {paper.venue: paper.id for paper in library.papers()}


def test_a_keyless_export_in_another_order_keeps_each_note_on_its_own_case(
    tmp_path: Path, db_path: Path
) -> None:
    first = tmp_path / "law.ris"
    first.write_text(_CASE_SCC + "\n" + _CASE_ONCA, encoding="utf-8")
    library = Library(db_path)
    import_files(library, [str(first)], collection="law")
    before = _ids_by_venue(library)
    library.set_note(before["Supreme Court of Canada"], "SCC: the precedent")

    # The same library exported again, sorted the other way round.
    first.write_text(_CASE_ONCA + "\n" + _CASE_SCC, encoding="utf-8")
    [again] = import_files(library, [str(first)], collection="law")

    reread = Library(db_path)
    assert _ids_by_venue(reread) == before
    assert reread.state(before["Supreme Court of Canada"]).note == "SCC: the precedent"
    # Only the ranks in the collection changed.
    assert (again.summary.added, again.summary.merged, again.summary.updated) == (0, 0, 2)


def _thesis(title: str, author: str, year: int) -> str:
    return (
        f"TY  - THES\nTI  - {title}\nAU  - {author}\nPY  - {year}\n"
        "DO  - 10.18452/14203\nPB  - Humboldt-Universität zu Berlin\n" + _END
    )


def test_a_doi_clash_between_keyless_records_names_both_records(
    tmp_path: Path, db_path: Path
) -> None:
    twin = tmp_path / "theses.ris"
    twin.write_text(
        _thesis("Zur Kinetik der Adsorption von Proteinen", "Hartmann, Wolfgang", 1991)
        + "\n"
        + _thesis("Machine learning methods for protein structure", "Müller, Anna", 2021),
        encoding="utf-8",
    )
    [done] = import_files(Library(db_path), [str(twin)])

    [clash] = [str(w) for w in done.summary.warnings]
    assert clash.startswith(
        "line 9: “Machine learning methods for protein structure” and Hartmann1991Zur (line 1) "
        "share the DOI 10.18452/14203"
    )


def test_a_merge_of_keyless_records_names_both_in_the_verbose_list(
    tmp_path: Path, db_path: Path
) -> None:
    ris = tmp_path / "twice.ris"
    record = _thesis("Zur Kinetik der Adsorption von Proteinen", "Hartmann, Wolfgang", 1991)
    ris.write_text(record + "\n" + record, encoding="utf-8")
    [done] = import_files(Library(db_path), [str(ris)])

    assert done.summary.merges == (
        "Hartmann1991Zur (line 1) = “Zur Kinetik der Adsorption von Proteinen” (line 9)",
    )


_TWO_KEYS_ONE_PAPER = """
@article{vaswani_attention_2017,
  title = {Attention is {All} you {Need}},
  journal = {Advances in Neural Information Processing Systems},
  author = {Vaswani, Ashish and Shazeer, Noam},
  year = {2017},
}
@misc{vaswani_attention_2017-1,
  title = {Attention {Is} {All} {You} {Need}},
  doi = {10.48550/arXiv.1706.03762},
  author = {Vaswani, Ashish and Shazeer, Noam},
  year = {2017},
}
@article{other_attention_2018,
  title = {Self-attention with relative position representations},
  author = {Shaw, Peter},
  year = {2018},
}
"""


def test_like_accepts_a_bibtex_key_that_became_an_alias(tmp_path: Path, db_path: Path) -> None:
    bib = tmp_path / "zotero.bib"
    bib.write_text(_TWO_KEYS_ONE_PAPER, encoding="utf-8")
    assert run_cli(db_path, "import", str(bib)).returncode == 0

    done = run_cli(db_path, "list", "--json", "--like", "vaswani_attention_2017-1")

    assert done.returncode == 0, done.stderr
    assert [paper["id"] for paper in json.loads(done.stdout)] == ["other_attention_2018"]


HERDMAN_FEED = REALDATA / "arxiv" / "arxiv-api-2016-search-au-del_maestro-10-entries.xml"
_HERDMAN_BIB = """
@article{herdman2015particle,
  title = {Particle-partition entanglement in bosonic {Luttinger} liquids},
  author = {Herdman, C. M. and Del Maestro, A.},
  journal = {Physical Review B},
  year = {2015},
  eprint = {1412.6529},
  archiveprefix = {arXiv},
}
"""


def test_a_bibtex_file_imported_twice_does_not_rename_the_arxiv_feeds_paper(
    tmp_path: Path, db_path: Path
) -> None:
    bib = tmp_path / "herdman.bib"
    bib.write_text(_HERDMAN_BIB, encoding="utf-8")
    library = Library(db_path)
    import_files(library, [str(HERDMAN_FEED)])
    [from_feed] = [p for p in library.papers() if p.arxiv_id == "1412.6529"]

    import_files(library, [str(bib)])
    [again] = import_files(library, [str(bib)])

    [paper] = [p for p in Library(db_path).papers() if p.arxiv_id == "1412.6529"]
    assert (paper.title, paper.venue) == (from_feed.title, from_feed.venue)
    assert (again.summary.updated, again.summary.unchanged) == (0, 1)


def test_importing_zotero_twins_again_changes_nothing(tmp_path: Path, db_path: Path) -> None:
    bib = tmp_path / "my-library.bib"
    bib.write_text(_TWO_KEYS_ONE_PAPER, encoding="utf-8")
    ris = tmp_path / "my-library-ris-export.ris"
    ris.write_text(
        "TY  - JOUR\nTI  - Attention is all you need\nAU  - Vaswani, Ashish\n"
        "T2  - NeurIPS\nPY  - 2017\n" + _END,
        encoding="utf-8",
    )
    library = Library(db_path)
    import_files(library, [str(ris), str(bib)])

    done = import_files(library, [str(ris), str(bib)])

    assert [(d.summary.added, d.summary.updated) for d in done] == [(0, 0), (0, 0)]


_LAW = """
@jurisdiction{smith_v_jones_2004a,
  title = {Smith v. Jones},
  institution = {Supreme Court of Canada},
  year = {2004},
}
"""
_THESES = """
@phdthesis{hartmann_kinetik_1991,
  title = {Zur {Kinetik} der {Adsorption} von {Proteinen} an {Grenzflächen}},
  doi = {10.18452/14203},
  author = {Hartmann, Wolfgang},
  year = {1991},
}
@phdthesis{muller_machine_2021,
  title = {Machine learning methods for protein structure prediction},
  doi = {10.18452/14203},
  author = {Müller, Anna and Schmidt, Jonas},
  year = {2021},
}
"""


def test_strict_with_a_clash_in_the_second_file_imports_nothing(
    tmp_path: Path, db_path: Path
) -> None:
    law = tmp_path / "law.bib"
    law.write_text(_LAW, encoding="utf-8")
    theses = tmp_path / "theses.bib"
    theses.write_text(_THESES, encoding="utf-8")

    done = run_cli(db_path, "import", str(law), str(theses), "--strict")

    assert done.returncode == 1
    assert done.stderr.startswith(f"paper-reader: {theses}: line ")
    assert "share the DOI 10.18452/14203" in done.stderr
    assert len(Library(db_path)) == 0


def test_a_dry_run_of_two_files_counts_as_the_import_would(tmp_path: Path, db_path: Path) -> None:
    bib = tmp_path / "my-library.bib"
    bib.write_text(_TWO_KEYS_ONE_PAPER, encoding="utf-8")
    again = tmp_path / "my-library-copy.bib"
    again.write_text(_TWO_KEYS_ONE_PAPER, encoding="utf-8")
    paths = [str(bib), str(again)]

    dry = import_files(Library(db_path), paths, dry_run=True)
    assert len(Library(db_path)) == 0
    real = import_files(Library(db_path), paths)

    assert [d.summary for d in dry] == [r.summary for r in real]
    assert real[1].summary.added == 0


_LAW_LIBRARY = """
@jurisdiction{smith_v_jones_2004a,
  title = {Smith v. Jones}, institution = {Supreme Court of Canada}, year = {2004},
}
@jurisdiction{smith_v_jones_2004b,
  title = {Smith v. Jones}, institution = {Ontario Court of Appeal}, year = {2004},
}
@legislation{act_2010, title = {Equality Act 2010}, year = {2010}}
"""


@pytest.mark.parametrize("fmt", ["bibtex", "csljson"])
def test_importing_our_own_export_back_adds_no_duplicate_of_an_authorless_case(
    tmp_path: Path, db_path: Path, fmt: str
) -> None:
    law = tmp_path / "law.bib"
    law.write_text(_LAW_LIBRARY, encoding="utf-8")
    assert run_cli(db_path, "import", str(law)).returncode == 0
    exported = tmp_path / f"export-{fmt}.txt"
    done = run_cli(db_path, "export", "--format", fmt, "-o", str(exported))
    assert done.returncode == 0, done.stderr

    [back] = import_files(Library(db_path), [str(exported)])

    assert (back.summary.added, back.summary.merged) == (0, 0)
    assert sorted(p.id for p in Library(db_path).papers()) == [
        "act_2010",
        "smith_v_jones_2004a",
        "smith_v_jones_2004b",
    ]


_ABBRV = '@string{jmlr = "Journal of Machine Learning Research"}\n'
_LITERATUR = """@article{smith2017jmlr,
  author = {Smith, Alice},
  title = {A Note on Gradient Descent},
  journal = jmlr,
  year = 2017,
  month = jan,
}
"""


def test_an_undefined_string_is_a_warning_naming_entry_and_line(tmp_path: Path) -> None:
    from store.formats.bibtex import parse_bibliography

    [alone] = parse_bibliography([("literatur.bib", _LITERATUR)])
    [_, together] = parse_bibliography([("abbrv.bib", _ABBRV), ("literatur.bib", _LITERATUR)])

    assert [str(w) for w in alone.warnings] == [
        "line 1: entry 'smith2017jmlr': @string 'jmlr' is not defined in the files of this "
        "import; its name is used"
    ]
    assert together.warnings == []
    assert together.papers[0].venue == "Journal of Machine Learning Research"
