r"""The BibTeX importer and exporter, pinned against eight real ``.bib`` files.

The real files sit in ``tests/data`` (SOURCES.md there
says where each comes from). Line numbers in warnings are 1-based lines of the
file, where the entry's ``@`` is.
"""

from __future__ import annotations

import dataclasses
import datetime
import random
from pathlib import Path

import bibtexparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.errors import FormatError
from store.formats import bibtex, profile
from store.model import DatePrecision, ImportResult, Paper
from store.text import clean_line

REALDATA = Path(__file__).resolve().parents[1] / "data"
BIBTEX_DIR = REALDATA / "bibtex"
SAMPLE_PROFILE = Path(__file__).resolve().parents[2] / "sample_data" / "jason-d-lee-profile.txt"

BEEBE = "beebe-master-1994-string-preamble-concat.bib"
BIBLATEX = "biblatex-examples-online-date-journaltitle.bib"
INDOLOGY = "indology-iast-utf8-and-latex-accents.bib"
LLM_THESIS = "llm-msc-thesis-arxiv-eprint-string-macros.bib"
ML_THESIS = "ml-phd-thesis-millidge-813-entries.bib"
BBT_BROKEN = "zotero-bbt-broken-trailing-backslash-brace.bib"
PSYCHOLOGY = "zotero-export-psychology-abstract-url-file-584.bib"
ZOTERO7 = "zotero7-export-arxiv-misc-windows-paths.bib"
ALL_FILES = (BEEBE, BIBLATEX, INDOLOGY, LLM_THESIS, ML_THESIS, BBT_BROKEN, PSYCHOLOGY, ZOTERO7)

# file -> (papers, [(line, entry key) of each warning]). Beebe holds 752 entries
# (1,011 blocks less 258 @string and 1 @preamble): bibtexparser reads 748 and
# fails 4 that repeat a field, which are salvaged; two entries use @strings
# (ack-njh, ack-fm) the file never defines.
EXPECTED = {
    BEEBE: (
        752,
        [
            (4145, "Hatton:seismic-kernel"),
            (4384, "Higham:HWM93"),
            (5120, "Johnson:PPM91"),
            (8367, "Schofield:OFP89"),
            (9537, "White:GDE88"),
            (9999, "Zlotnick:PSP91"),
        ],
    ),
    BIBLATEX: (93, []),
    INDOLOGY: (144, []),
    LLM_THESIS: (121, []),
    ML_THESIS: (813, []),
    BBT_BROKEN: (122, [(112, "bhattacharya2017")]),
    PSYCHOLOGY: (584, [(4068, "greene2015a")]),
    ZOTERO7: (9, []),
}

_cache: dict[str, ImportResult] = {}


def real_text(name: str) -> str:
    return (BIBTEX_DIR / name).read_text(encoding="utf-8")


def real(name: str) -> ImportResult:
    """The import of a real file, parsed once per test session."""
    if name not in _cache:
        _cache[name] = bibtex.parse(real_text(name), source=str(BIBTEX_DIR / name))
    return _cache[name]


def paper(name: str, key: str) -> Paper:
    matches = [item for item in real(name).papers if item.id == key]
    assert len(matches) == 1, f"expected one entry {key!r} in {name}"
    return matches[0]


def one(text: str) -> Paper:
    result = bibtex.parse(text)
    assert len(result.papers) == 1
    return result.papers[0]


# --- the real files: counts, warnings, collection ------------------------------------


@pytest.mark.parametrize("name", ALL_FILES)
def test_real_file_imports_every_entry(name: str) -> None:
    result = real(name)
    expected_count, expected_warnings = EXPECTED[name]
    assert len(result.papers) == expected_count
    assert [(warning.line, _quoted_key(warning.message)) for warning in result.warnings] == (
        expected_warnings
    )
    assert result.keep_ids
    assert result.collection is not None
    assert result.collection.name == Path(name).stem
    assert result.collection.source == str(BIBTEX_DIR / name)
    stem = Path(name).stem
    assert [item.collections for item in result.papers] == [
        {stem: rank} for rank in range(1, expected_count + 1)
    ]
    ids = [item.id for item in result.papers]
    assert len(set(ids)) == len(ids) and all(ids)


def _quoted_key(message: str) -> str:
    return message.split("'")[1]


def test_real_warnings_name_the_problem() -> None:
    (greene,) = real(PSYCHOLOGY).warnings
    assert greene.message == "entry 'greene2015a' repeats the field 'doi'; the first value is kept"
    assert "'bibdate'" in real(BEEBE).warnings[2].message
    assert "@string 'ack-njh' is not defined" in real(BEEBE).warnings[1].message
    (broken,) = real(BBT_BROKEN).warnings
    assert "backslash" in broken.message


def test_real_text_is_clean_everywhere() -> None:
    for name in ALL_FILES:
        for item in real(name).papers:
            for value in (item.title, item.venue, *item.authors, *item.extra.values()):
                assert value == clean_line(value)
                assert "\u00ad" not in value  # soft hyphens from "bhā\-ra\-ta"
            assert "file" not in item.extra
            assert not item.url or item.url.startswith(("http://", "https://"))
            assert not item.doi or item.doi.startswith("10.")


# --- the real files: fields checked by hand ------------------------------------------


def test_beebe_string_macros_concatenation_and_month_days() -> None:
    # journal = j-SPE, an @string holding "Soft{\-}ware\emdash Prac{\-}tice ..."
    hatton = paper(BEEBE, "Hatton:seismic-kernel")
    assert hatton.venue == "Software—Practice and Experience"
    assert hatton.title == (
        "The Seismic Kernel System—A Large-Scale Exercise in Fortran 77 Portability"
    )
    assert hatton.date == "1988-04-01" and hatton.date_precision is DatePrecision.MONTH
    assert hatton.extra["pages"] == "301–329"
    # The salvaged entry keeps the first of its two "quote" fields.
    assert hatton.extra["quote"].startswith("… a load of around 10¹⁴ floating-point")
    # month = jan # " 16": a month macro concatenated with a day.
    spec = paper(BEEBE, "Adobe:docstruct-spec")
    assert spec.date == "1989-01-16" and spec.date_precision is DatePrecision.DAY
    assert spec.authors == ("PostScript Developer Support Group",)
    assert spec.extra["institution"] == "Adobe Systems Incorporated"
    assert "ps-file-server@adobe.com" in spec.extra["note"]  # \path|...| kept verbatim
    assert spec.kind == "techreport"
    colophon = paper(BEEBE, "Adobe:colophon")
    assert colophon.title == "Colophon—Adobe Systems News Publication"
    assert paper(BEEBE, "Abe:index").title.startswith("indx and findphrases, A System")


def test_beebe_noopsort_year_and_book_fields() -> None:
    knuth = paper(BEEBE, "Knuth:ACP68-1")
    assert knuth.title == "Fundamental Algorithms"
    assert knuth.authors == ("Donald E. Knuth",)
    assert knuth.date == "1968-01-01" and knuth.date_precision is DatePrecision.YEAR
    assert knuth.extra["isbn"] == "0-201-03803-X"
    assert knuth.extra["series"] == "The Art of Computer Programming"
    # A year several printings long keeps its text in extra.
    assert paper(BEEBE, "Hockney:PC81").extra["year"] == "1981, 1983"
    # year = "{\noopsort{1972b}}1973": the sort key prints nothing.
    years = [item.year for item in real(BEEBE).papers if item.id.startswith("Aho")]
    assert 1973 in years


def test_biblatex_dates_journaltitle_and_accents() -> None:
    aksin = paper(BIBLATEX, "aksin")
    assert aksin.authors == (
        "Özge Aksın",
        "Hayati Türkmen",
        "Levent Artok",
        "Bekir Çetinkaya",
        "Chaoying Ni",
        "Orhan Büyükgüngör",
        "Erhan Özkal",
    )
    assert aksin.venue == "J. Organomet. Chem."  # journaltitle = jomch, an @string
    assert aksin.date == "2006-01-01" and aksin.date_precision is DatePrecision.YEAR
    baez = paper(BIBLATEX, "baez/online")
    assert baez.date == "2004-10-27" and baez.date_precision is DatePrecision.DAY
    assert baez.arxiv_id == "math/0307200"  # eprinttype = {arxiv}, eprint with version
    assert baez.kind == "online"
    assert paper(BIBLATEX, "itzhaki").arxiv_id == "hep-th/9603067"


def test_biblatex_date_range_subtitle_crossref_and_sets() -> None:
    ranged = [item for item in real(BIBLATEX).papers if "/" in item.extra.get("date", "")]
    assert ranged, "the file has date ranges such as {1984/1986}"
    for item in ranged:
        assert item.date[:4] == item.extra["date"][:4]
    # The subtitle joins the title; the crossref parent's title becomes the venue.
    space = paper(BIBLATEX, "westfahl:space")
    assert space.title == (
        "The True Frontier: Confronting and Avoiding the Realities of Space in American "
        "Science Fiction Films"
    )
    assert space.venue == "Space and Beyond"
    assert "crossref" not in space.extra
    assert paper(BIBLATEX, "knuth:ct:a").title == "The TeXbook"
    # A @set has no title of its own; it still imports, untitled.
    entry_set = paper(BIBLATEX, "set")
    assert entry_set.kind == "set" and entry_set.title == ""
    assert entry_set.extra["entryset"] == "herrmann,aksin,yoon"


def test_indology_mixes_utf8_latex_and_private_macros() -> None:
    assert paper(INDOLOGY, "bhattacharya_nandin_1977").title == "Nandin and Vṛṣabha"
    assert paper(INDOLOGY, "KafleKrsnastami").title == (
        "The kṛṣṇāṣṭamīvrata in the Śivadharmaśāstra. A Comparative Edition and Study"
    )
    kiss = paper(INDOLOGY, "KissVolume2021")
    assert kiss.title.startswith("“...not satisfied with the Mahābhārata...” (śrutvā")
    assert "bhāratasaṃhitām atṛptaḥ" in kiss.title
    assert kiss.venue == "Śivadharmāmṛta. Essays on the Śivadharma and its Network"
    assert kiss.authors == ("Csaba Kiss",)
    assert paper(INDOLOGY, "Raghupancika2").extra["editor"].startswith("Dezső, Csaba")


def test_llm_thesis_string_macros_month_and_arxiv_eprint() -> None:
    ntm = paper(LLM_THESIS, "2014-10-neural-turing-machines")
    assert ntm.title == "Neural Turing Machines"  # {{...}}
    assert ntm.venue == "arXiv Technical Report"  # journal = arXiv, an @string
    assert ntm.date == "2014-10-01" and ntm.date_precision is DatePrecision.MONTH  # oct
    assert ntm.arxiv_id == "1410.5401"
    assert (ntm.category, ntm.categories) == ("cs.NE", ("cs.NE",))
    assert ntm.authors == ("Alex Graves", "Greg Wayne", "Ivo Danihelka")
    attention = paper(LLM_THESIS, "2017-12-attention-is-all-you-need")
    assert attention.venue == "Advances in Neural Information Processing Systems"
    assert "Łukasz Kaiser" in attention.authors
    assert attention.kind == "inproceedings"
    assert attention.extra["keywords"] == "conference"


def test_ml_thesis_arxiv_ids_from_every_hiding_place() -> None:
    # journal = {arXiv preprint arXiv:2006.10524}
    assert paper(ML_THESIS, "millidge2020reinforcement").arxiv_id == "2006.10524"
    # eprint = {cs.LG/1708.07747} with eprinttype = {arXiv} and eprintclass
    fashion = paper(ML_THESIS, "xiao2017online")
    assert fashion.arxiv_id == "1708.07747" and fashion.category == "cs.LG"
    assert fashion.date == "2017-08-28"
    # Zotero's journaltitle = {{arXiv}:1807.02303 [cs, stat]} and eprint
    survey = paper(ML_THESIS, "chatzilygeroudis_survey_2018")
    assert survey.arxiv_id == "1807.02303"
    assert survey.venue == "arXiv:1807.02303 [cs, stat]"
    assert survey.abstract.startswith("Most policy search algorithms require thousands")
    # only an arxiv.org URL, and a key with brackets
    online = paper(ML_THESIS, "noauthor_[1506.07365]_nodate")
    assert online.arxiv_id == "1506.07365" and online.authors == ()
    assert online.url == "https://arxiv.org/abs/1506.07365"
    assert "file" not in online.extra and online.extra["urldate"] == "2019-11-15"
    with_arxiv = sum(1 for item in real(ML_THESIS).papers if item.arxiv_id)
    assert with_arxiv >= 160 + 17


def test_psychology_zotero_export() -> None:
    greene = paper(PSYCHOLOGY, "greene2015a")
    # The first doi was a resolver URL; it is normalised like the second.
    assert greene.doi == "10.1016/j.cognition.2014.11.018"
    assert greene.title == "The rise of moral cognition | elsevier enhanced reader"
    assert greene.venue == "Cognition"
    assert greene.authors == ("Joshua D. Greene",)
    assert greene.url.startswith("https://reader.elsevier.com/")
    papers = real(PSYCHOLOGY).papers
    assert sum(1 for item in papers if item.abstract) >= 300
    assert sum(1 for item in papers if item.doi) >= 500
    assert not any("file" in item.extra for item in papers)


def test_bbt_entry_with_trailing_backslash_is_salvaged() -> None:
    humility = paper(BBT_BROKEN, "bhattacharya2017")
    assert humility.title == "Humility: An Emerging Construct in Moral Psychology"
    assert humility.authors == ("Oindrila Bhattacharya", "Amita Chatterjee", "Jayanti Basu")
    assert humility.date == "2017-03-01"
    assert humility.extra["keywords"].endswith("Positive psychology,positive psychology")
    # The entry after it is untouched, and the trailing @preamble is ignored.
    keys = [item.id for item in real(BBT_BROKEN).papers]
    assert keys[keys.index("bhattacharya2017") + 1] == "bialek2019"


def test_zotero7_arxiv_misc() -> None:
    chen = paper(ZOTERO7, "chenReshapingReasoningLLMs2025")
    assert chen.title == (
        "Reshaping Reasoning in LLMs: A Theoretical Analysis of RL Training Dynamics "
        "through Pattern Selection"
    )
    assert chen.arxiv_id == "2506.04695"
    assert chen.doi == "10.48550/arXiv.2506.04695"
    assert chen.category == "cs"
    assert chen.date == "2025-09-01" and chen.date_precision is DatePrecision.MONTH
    assert chen.kind == "misc"
    assert chen.extra["number"] == "arXiv:2506.04695"
    dean = paper(ZOTERO7, "deanMapReduceSimplifiedData2008")
    assert dean.title == "MapReduce: Simplified Data Processing on Large Clusters"
    assert dean.extra["pages"] == "107–113"
    no_year = [item for item in real(ZOTERO7).papers if not item.date]
    assert [item.id for item in no_year] == ["ongaroSearchUnderstandableConsensus"]


# --- values: macros, concatenation, LaTeX --------------------------------------------


def test_string_macros_concatenation_and_case_insensitive_names() -> None:
    item = one(
        '@String{pub = "ACM"}\n'
        '@string{conf = "Proc. " # PUB # " Conf."}\n'
        '@inproceedings{k, title = "A" # { and } # "B", booktitle = Conf, year = 1999}\n'
    )
    assert item.title == "A and B"
    assert item.venue == "Proc. ACM Conf."
    assert item.kind == "inproceedings"


def test_hash_inside_braces_is_text() -> None:
    assert one("@misc{k, title = {C\\# and {F#} tricks}}").title == "C# and F# tricks"


@pytest.mark.parametrize(
    ("fields", "date", "precision"),
    [
        ("year = 2020, month = oct", "2020-10-01", DatePrecision.MONTH),
        ("year = {2020}, month = {October}", "2020-10-01", DatePrecision.MONTH),
        ("year = 2020, month = 6", "2020-06-01", DatePrecision.MONTH),
        ('year = 2020, month = jan # " 16"', "2020-01-16", DatePrecision.DAY),
        ("year = 2020, month = {16~feb}", "2020-02-16", DatePrecision.DAY),
        ("year = 2020, month = feb, day = 30", "2020-02-01", DatePrecision.MONTH),
        ("year = 2020", "2020-01-01", DatePrecision.YEAR),
        ("date = {2004-10-27}", "2004-10-27", DatePrecision.DAY),
        ("date = {2004-10}", "2004-10-01", DatePrecision.MONTH),
        ("date = 2006", "2006-01-01", DatePrecision.YEAR),
        ("date = {1984/1986}", "1984-01-01", DatePrecision.YEAR),
        ("date = {1997-05-01/1997-05-05}", "1997-05-01", DatePrecision.DAY),
        ("date = {2010-13-40}, year = 2010", "2010-01-01", DatePrecision.YEAR),
        ("date = {n.d.}, year = 2001, month = mar", "2001-03-01", DatePrecision.MONTH),
        ("year = {in press}", "", None),
    ],
)
def test_dates(fields: str, date: str, precision: DatePrecision | None) -> None:
    item = one(f"@article{{k, title = {{T}}, {fields}}}")
    assert (item.date, item.date_precision) == (date, precision)


def test_unreadable_date_parts_are_kept_in_extra() -> None:
    assert one("@misc{k, year = {in press}}").extra == {"year": "in press"}
    assert one("@misc{k, year = 2001, month = {Spring}}").extra == {"month": "Spring"}
    assert one("@misc{k, date = {1984/1986}}").extra == {"date": "1984/1986"}
    assert one("@misc{k, date = {2004-10-27}, year = 2004}").extra == {}


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"{\"u}ber {\"{U}}ber \'e \`a \^o \~n \=a \.z", "über Über é à ô ñ ā ż"),
        (
            r"Aks{\i}n \'{\i} \c{C}etinkaya \v{s} \v s \u{a} \H{o} \k{a}",
            "Aksın í Çetinkaya š š ă ő ą",
        ),
        (
            r"{\o}rsted Stra{\ss}e Stra\ss e {\AA}ngstr{\"o}m \L{}\'od\'z",
            "ørsted Straße Straße Ångström Łódź",
        ),
        (r"{{Double Braced}} {GAN}s", "Double Braced GANs"),
        (r"A \& B, 50\% \$5 \#1 a\_b", "A & B, 50% $5 #1 a_b"),
        (r"pages 1--2, a---b, ``quoted''", "pages 1–2, a—b, “quoted”"),
        (r"D.~E. Knuth", "D. E. Knuth"),
        (r"\emph{Very} \textbf{bold} {\em old} \texttt{code}", "Very bold old code"),
        (r"\LaTeX{} and \TeX\ and x\textless{}y", "LaTeX and TeX and x<y"),
        (r"Sa{\dharmanusvara}hitā, V{\dharmar}ṣabha", "Saṃhitā, Vṛṣabha"),
        (r"bhā\-ra\-ta", "bhārata"),
        (r"ACM SIG{\-}GRAPH\emdash Com{\-}puter", "ACM SIGGRAPH—Computer"),
        (r"\textit{Sa}{\dharmanusvara}hitā and \cite{k}", "Saṃhitā and [k]"),
        (r"\unknownmacro{kept} text", "kept text"),
        (r"{\noopsort{1985a}}1985", "1985"),
        (r"see \url{https://x.org/~u/a--b} and \path|c~d|", "see https://x.org/~u/a--b and c~d"),
        ("plain UTF-8: Erdős, Zoë, 東京", "plain UTF-8: Erdős, Zoë, 東京"),
    ],
)
def test_latex_in_titles_decodes_to_unicode(latex: str, text: str) -> None:
    assert one(f"@misc{{k, title = {{{latex}}}}}").title == text


def test_math_stays_in_titles_and_abstracts_but_not_in_other_fields() -> None:
    item = one(
        r"@article{k, title = {Bounds for {$\epsilon$}-greedy with $d^2\asymp n$},"
        r" abstract = {We show $O(\sqrt{n})$ regret for {\"u}ber-agents.},"
        r" note = {costs $x^2$}}"
    )
    assert item.title == r"Bounds for $\epsilon$-greedy with $d^2\asymp n$"
    assert item.abstract == r"We show $O(\sqrt{n})$ regret for über-agents."
    assert item.extra["note"] == "costs x²"


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (
            r"As shown \cite{lee2020}, {\"u}ber -- 40\% gain.",
            "As shown [lee2020], über – 40% gain.",
        ),
        (r"See \citep[p.~3]{a, b}and \citet*{c}.", "See [a, b]and [c]."),
        (r"Known \citeyear{k}, empty \cite{}.", "Known [k], empty ."),
    ],
)
def test_citations_decode_as_their_keys_without_the_slow_converter(
    latex: str, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A citation in a long abstract sent the whole abstract through pylatexenc
    # (6 ms for 2 KB): a 100,000-entry file of such abstracts took minutes.
    def refuse(value: str) -> str:
        raise AssertionError(f"pylatexenc called for {value!r}")

    monkeypatch.setattr("store.formats.bibtex_latex.latex_to_unicode", refuse)
    assert one(f"@misc{{k, abstract = {{{latex}}}}}").abstract == text


def test_abstract_keeps_paragraphs_and_reflows_lines() -> None:
    item = one("@misc{k, abstract = {First line\n   continues.\n\n  Second   paragraph.}}")
    assert item.abstract == "First line continues.\n\nSecond paragraph."


def test_escape_sequences_in_values_are_removed() -> None:
    item = one("@misc{k, title = {Evil \x1b[2J title\x07}, author = {A\x1b]52;c;eA==\x07 B}}")
    assert item.title == "Evil title"
    assert item.authors == ("A B",)


# --- names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "authors", "truncated"),
    [
        ("Lee, Jason D. and Chen, Zoë", ("Jason D. Lee", "Zoë Chen"), False),
        ("Jason D. Lee and Zoë Chen", ("Jason D. Lee", "Zoë Chen"), False),
        (
            "{World Health Organization} and Smith, J.",
            ("World Health Organization", "J. Smith"),
            False,
        ),
        ("{Barnes and Noble} and A. B", ("Barnes and Noble", "A. B"), False),
        ("Lee, Jason and others", ("Jason Lee",), True),
        ("King, Jr., Martin Luther", ("Martin Luther King, Jr.",), False),
        # An explicit family name of several words keeps its words joined (no-break
        # spaces), so that the surname stays recoverable: store.text.family_name.
        (
            "van der Berg, Hans AND Ludwig van Beethoven",
            ("Hans van\u00a0der\u00a0Berg", "Ludwig van Beethoven"),
            False,
        ),
        ("Roth, Gregory A. et al.", ("Gregory A. Roth",), True),
        ("Gregory A. Roth and Jane Doe et al", ("Gregory A. Roth", "Jane Doe"), True),
        ("Roth, Gregory A. and et al.", ("Gregory A. Roth",), True),
        ("{Smith et al. Holdings}", ("Smith et al. Holdings",), False),
        ('{\\"U}ber, Hans and M{\\"u}ller, J{\\"o}rg', ("Hans Über", "Jörg Müller"), False),
        (
            "Harunaga Isaacson{\\comma}  with Csaba Kiss",
            ("Harunaga Isaacson, with Csaba Kiss",),
            False,
        ),
        ("Smith,\n    John and\n  Doe, Jane", ("John Smith", "Jane Doe"), False),
        ("others", (), True),
        ("A and and B", ("A", "B"), False),
    ],
)
def test_author_names(field: str, authors: tuple[str, ...], truncated: bool) -> None:
    item = one(f"@misc{{k, author = {{{field}}}}}")
    assert (item.authors, item.authors_truncated) == (authors, truncated)


# --- identifiers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "arxiv_id"),
    [
        ("eprint = {2301.12345v2}, archiveprefix = {arXiv}", "2301.12345"),
        ("eprint = {hep-th/9901001}, eprinttype = {arxiv}", "hep-th/9901001"),
        ("eprint = {cs.LG/1708.07747}, eprinttype = {arXiv}", "1708.07747"),
        ("eprint = {2301.12345}", "2301.12345"),
        ("journal = {arXiv preprint arXiv:1706.03762}", "1706.03762"),
        ("number = {arXiv:2506.04695}", "2506.04695"),
        ("url = {https://arxiv.org/abs/2101.00001v3}", "2101.00001"),
        ("doi = {10.48550/arXiv.2506.04695}", "2506.04695"),
        ("journal = {CoRR}, volume = {abs/1412.6980}", "1412.6980"),
        ("eprint = {12345}, eprinttype = {jstor}", ""),
        ("doi = {10.1234/5678.12345}", ""),
    ],
)
def test_arxiv_ids(fields: str, arxiv_id: str) -> None:
    assert one(f"@misc{{k, title = {{T}}, {fields}}}").arxiv_id == arxiv_id


def test_eprint_fields_are_consumed_only_when_they_are_arxiv() -> None:
    item = one("@misc{k, eprint = {2301.12345}, archiveprefix = {arXiv}, primaryclass = {cs.LG}}")
    assert item.extra == {} and (item.category, item.categories) == ("cs.LG", ("cs.LG",))
    jstor = one("@misc{k, eprint = {12345}, eprinttype = {jstor}}")
    assert jstor.extra == {"eprint": "12345", "eprinttype": "jstor"}


def test_doi_and_url_normalisation() -> None:
    item = one(
        r"@misc{k, doi = {https://doi.org/10.1000/ABC\_1}, url = {\url{https://x.org/a\_b?c=1&d}}}"
    )
    assert item.doi == "10.1000/ABC_1"  # the source's case; compared case-insensitively
    assert item.url == "https://x.org/a_b?c=1&d"
    odd = one("@misc{k, doi = {not a doi}, url = {ftp://files.example.org/p.pdf}}")
    assert (odd.doi, odd.url) == ("", "")
    assert odd.extra == {"doi": "not a doi", "url": "ftp://files.example.org/p.pdf"}
    assert one("@misc{k, url = {javascript:alert(1)}}").url == ""


def test_howpublished_url_is_used_when_there_is_no_url_field() -> None:
    item = one(r"@misc{k, howpublished = {\url{https://example.org/x}}}")
    assert item.url == "https://example.org/x"


def test_fields_the_model_lacks_go_to_extra_and_file_is_dropped() -> None:
    item = one(
        "@Book{Key:1, TITLE = {T}, Publisher = {P}, volume = 3, ISBN = {0-1},"
        " file = {C\\:\\\\Users\\\\me\\\\paper.pdf:application/pdf}, keywords = {a, b}}"
    )
    assert item.id == "Key:1" and item.kind == "book"
    assert item.extra == {"publisher": "P", "volume": "3", "isbn": "0-1", "keywords": "a, b"}


def test_crossref_fills_missing_fields_from_the_parent() -> None:
    result = bibtex.parse(
        "@inproceedings{child, title = {Paper}, crossref = {proc}, pages = {1--2}}\n"
        "@proceedings{proc, title = {Proceedings of X}, year = 2001, publisher = {P}}\n"
    )
    child = result.papers[0]
    assert child.venue == "Proceedings of X"
    assert child.year == 2001
    assert child.extra == {"pages": "1–2", "publisher": "P"}


# --- broken input --------------------------------------------------------------------


def test_duplicate_field_entry_is_salvaged_with_the_first_value() -> None:
    text = (
        "% header\n\n@article{a,\n  title = {First},\n  title = {Second}\n}\n@misc{b, title={B}}\n"
    )
    result = bibtex.parse(text)
    assert [item.title for item in result.papers] == ["First", "B"]
    (warning,) = result.warnings
    assert warning.line == 3
    assert warning.message == "entry 'a' repeats the field 'title'; the first value is kept"


def test_duplicate_key_is_skipped_with_a_warning() -> None:
    result = bibtex.parse("@misc{a, title={One}}\n\n@misc{a, title={Two}}\n")
    assert [item.title for item in result.papers] == ["One"]
    (warning,) = result.warnings
    assert warning.line == 3 and "'a'" in warning.message and "skipped" in warning.message


def test_duplicate_string_uses_the_later_value_and_warns() -> None:
    result = bibtex.parse('@string{j = "Old"}\n@string{j = "New"}\n@misc{a, journal = j}\n')
    assert result.papers[0].venue == "New"
    assert [warning.line for warning in result.warnings] == [2]


def test_broken_entry_is_a_warning_with_its_line_and_the_rest_imports() -> None:
    text = (
        "@misc{good1, title={A}}\n\n@article{broken,\n  title = {Unclosed\n\n"
        "@misc{good2, title={B}}\n"
    )
    result = bibtex.parse(text)
    assert [item.id for item in result.papers] == ["good1", "good2"]
    (warning,) = result.warnings
    assert warning.line == 3
    assert warning.message.startswith("entry 'broken' skipped: Unexpected block start")


def test_trailing_backslash_entry_is_salvaged() -> None:
    text = "@misc{a,\n  keywords = {x,y\\\\},\n  title = {T}\n}\n@misc{b, title={B}}\n"
    result = bibtex.parse(text)
    assert [item.id for item in result.papers] == ["a", "b"]
    assert result.papers[0].extra["keywords"] == "x,y"
    assert [warning.line for warning in result.warnings] == [1]


def test_warning_lines_survive_backslash_line_breaks() -> None:
    # bibtexparser does not count a newline after a backslash; the importer does.
    text = '@misc{a, note = "one \\\\\n two \\\\\n three"}\n@misc{b, t = 1, t = 2}\n'
    assert [warning.line for warning in bibtex.parse(text).warnings] == [4]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n",
        "just some prose, no entries",
        '@string{a = "b"}\n@comment{nothing here}\n@preamble{"\\relax"}\n',
        "% only a comment\n",
    ],
)
def test_no_entries_is_a_format_error(text: str) -> None:
    with pytest.raises(FormatError, match="no BibTeX entries found"):
        bibtex.parse(text)


def test_only_broken_entries_is_a_format_error_with_the_first_line() -> None:
    with pytest.raises(FormatError) as caught:
        bibtex.parse("\n\n@article{x,\n title = {never closed\n")
    assert caught.value.line == 3
    assert "no readable BibTeX entries" in caught.value.message


# --- sniffing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@article{k, title={T}}", True),
        ("\ufeff% Encoding: UTF-8\n\n@Book{k,\n}", True),
        ('%%% header\n@Preamble{"x"}\n', True),
        ("This file was created with JabRef.\n\n@misc(k, title = {T})\n", True),
        ('[{"id": "x", "note": "@article{k,"}]', False),
        ('{"papers": []}', False),
        ("<feed><entry>@article{k,</entry></feed>", False),
        ("Jason D. Lee\nLG\nAIJun 3Code\nTitle\n", False),
        ("TY  - JOUR\nTI  - x\nER  - \n", False),
        ("email me @ home {later}", False),
        ("", False),
    ],
)
def test_looks_like(text: str, expected: bool) -> None:
    assert bibtex.looks_like(text) is expected


@pytest.mark.parametrize("name", ALL_FILES)
def test_real_files_are_sniffed_as_bibtex(name: str) -> None:
    assert bibtex.looks_like(real_text(name))


def test_profile_sample_is_not_bibtex() -> None:
    assert not bibtex.looks_like(SAMPLE_PROFILE.read_text(encoding="utf-8"))


# --- never anything but FormatError ---------------------------------------------------


def _parse_or_format_error(text: str) -> None:
    try:
        result = bibtex.parse(text)
    except FormatError:
        return
    assert isinstance(result, ImportResult) and result.papers


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_any_text_parses_or_is_a_format_error(text: str) -> None:
    _parse_or_format_error(text)


_BIB_PIECES = st.sampled_from(
    [
        *("@", "@article{", "@string{", "@comment{", "@preamble{", "{", "}", '"', "#", ",", "="),
        *("\\", "\\\\", "\n", " ", "k", "title", "author", " and ", "$", "~", "--", '{\\"u}'),
        *("month = jan", "\\emph{", "(", ")", "%", "date = {2001/2002}", "eprint", "others"),
        "\x1b[",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_BIB_PIECES | st.text(max_size=3), max_size=60).map("".join))
def test_bibtex_like_text_parses_or_is_a_format_error(text: str) -> None:
    _parse_or_format_error(text)


@pytest.mark.parametrize("name", ALL_FILES)
def test_truncated_and_mutated_real_files(name: str) -> None:
    text = real_text(name)
    rng = random.Random(name)
    for cut in sorted(rng.sample(range(len(text)), 15)):
        _parse_or_format_error(text[:cut])
    for _ in range(15):
        chars = list(text[rng.randrange(len(text)) :][:3000])
        for _ in range(rng.randrange(1, 12)):
            position = rng.randrange(len(chars) + 1)
            if chars and rng.random() < 0.4:
                del chars[min(position, len(chars) - 1)]
            else:
                chars.insert(position, rng.choice('@{}"#,=\\$%~\n'))
        _parse_or_format_error("".join(chars))


# --- export --------------------------------------------------------------------------


def identity(item: Paper) -> tuple[object, ...]:
    """What an export must carry back: the fields the brief names, and the key."""
    return (
        item.id,
        item.title,
        item.authors,
        item.authors_truncated,
        item.year,
        item.venue,
        item.doi,
        item.arxiv_id,
        item.url,
        item.abstract,
    )


def profile_papers() -> list[Paper]:
    result = profile.parse(
        SAMPLE_PROFILE.read_text(encoding="utf-8"), as_of=datetime.date(2026, 11, 28)
    )
    return [dataclasses.replace(item, id=f"K{rank}") for rank, item in enumerate(result.papers, 1)]


@pytest.mark.parametrize("name", ALL_FILES)
def test_real_file_round_trip(name: str) -> None:
    papers = real(name).papers
    text = bibtex.dump(papers)
    library = bibtexparser.parse_string(text)
    assert len(library.entries) == len(papers) and not library.failed_blocks
    back = bibtex.parse(text)
    assert back.warnings == []
    assert [identity(item) for item in back.papers] == [identity(item) for item in papers]
    # A BibTeX paper comes back whole: date, kind, category and every extra field.
    for before, after in zip(papers, back.papers, strict=True):
        assert (after.date, after.date_precision) == (before.date, before.date_precision)
        assert (after.kind, after.category, after.extra) == (
            before.kind,
            before.category,
            before.extra,
        )
    assert bibtex.dump(back.papers) == text  # stable


def test_profile_round_trip() -> None:
    papers = profile_papers()
    text = bibtex.dump(papers)
    back = bibtex.parse(text)
    assert back.warnings == []
    assert [identity(item) for item in back.papers] == [identity(item) for item in papers]
    for before, after in zip(papers, back.papers, strict=True):
        assert (after.date, after.date_precision) == (before.date, before.date_precision)
        assert after.category == before.category
        assert after.kind == "misc"


def test_dump_writes_month_macros_arxiv_fields_and_others() -> None:
    item = Paper(
        id="Lee2023Gradient",
        title="Gradient Descent & Friends: 100% of $d^2\\asymp n$ in {C}",
        authors=("Jason D. Lee", "Zoë Chen"),
        authors_truncated=True,
        abstract="We show $x_1$ -- no, {really}.\n\nSecond paragraph #2.",
        category="cs.LG",
        date="2023-06-05",
        date_precision=DatePrecision.MONTH,
        arxiv_id="2306.00001",
        url="https://example.org/a_b?c=1%20d",
    )
    text = bibtex.entry_text(item)
    assert text.startswith("@misc{Lee2023Gradient,\n")
    assert text.endswith("}\n")
    assert "  month = jun,\n" in text
    assert "  year = {2023},\n" in text
    assert "author = {Jason D. Lee and Zoë Chen and others}" in text
    assert "eprint = {2306.00001}" in text
    assert "archiveprefix = {arXiv}" in text
    assert "primaryclass = {cs.LG}" in text
    assert r"title = {Gradient Descent \& Friends: 100\% of $d^2\asymp n$ in \{C\}}" in text
    assert r"We show $x_1$ -{}- no, \{really\}." in text
    assert "url = {https://example.org/a_b?c=1%20d}" in text
    (entry,) = bibtexparser.parse_string(text).entries
    assert entry["month"] == "jun"  # a bare macro, read back as one
    back = one(text)
    assert identity(back) == identity(item)
    assert (back.date, back.date_precision) == ("2023-06-01", DatePrecision.MONTH)


def test_dump_kinds_venues_and_keys() -> None:
    papers = [
        Paper(id="a", title="Journal paper", venue="J. Things"),
        Paper(id="b", title="Talk", venue="Proc. Conf.", kind="inproceedings"),
        Paper(id="c", title="CSL chapter", venue="Book", kind="chapter"),
        Paper(id="has space, comma", title="Odd key"),
        Paper(id="a", title="Same key again"),
        Paper(id="", title="No Key At All", authors=("Ada Lovelace",), date="1843-01-01"),
    ]
    text = bibtex.dump(papers)
    entries = bibtexparser.parse_string(text).entries
    assert [(entry.entry_type, entry.key) for entry in entries] == [
        ("article", "a"),
        ("inproceedings", "b"),
        ("incollection", "c"),
        ("misc", "has_space__comma"),
        ("misc", "a-2"),
        ("misc", "Lovelace1843No"),
    ]
    assert "journal" in entries[0] and "booktitle" in entries[1] and "booktitle" in entries[2]
    assert [item.venue for item in bibtex.parse(text).papers[:3]] == [
        "J. Things",
        "Proc. Conf.",
        "Book",
    ]


def test_dump_braces_names_bibtex_would_misread() -> None:
    item = Paper(
        id="k",
        title="T",
        authors=("Smith, John", "Barnes and Noble", "others", "Ada {Lovelace}", "J. Doe"),
    )
    text = bibtex.entry_text(item)
    assert "{Smith, John} and {Barnes and Noble} and {others}" in text
    assert one(text).authors == item.authors
    assert not one(text).authors_truncated


def test_dump_writes_utf8_as_is_and_nothing_for_nothing() -> None:
    item = Paper(id="k", title="Über Łódź 東京", authors=("Paul Erdős",))
    assert "title = {Über Łódź 東京}" in bibtex.entry_text(item)
    assert bibtex.dump([]) == ""


def test_dump_protects_a_line_starting_with_at() -> None:
    item = Paper(id="k", title="T", abstract="Para one.\n\n@misc{x, a line that looks like a block")
    text = bibtex.entry_text(item)
    assert len(bibtexparser.parse_string(text).entries) == 1
    assert one(text).abstract == item.abstract


# Text as the importers store it: clean, single-line (titles, names) or paragraphs.
_LINE = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(list("\\{}$&%#_~-`'@ ")),
    max_size=40,
).map(clean_line)
_ABSTRACT = st.lists(_LINE.filter(bool), max_size=3).map("\n\n".join)
_SAFE = st.text("abcxyz0189._-/", min_size=1, max_size=12)


@st.composite
def papers_strategy(draw: st.DrawFn) -> Paper:
    precision = draw(st.sampled_from([None, *DatePrecision]))
    date = ""
    if precision is not None:
        day = draw(st.dates(datetime.date(1000, 1, 1), datetime.date(2999, 12, 31)))
        if precision is DatePrecision.YEAR:
            day = day.replace(month=1, day=1)
        elif precision is DatePrecision.MONTH:
            day = day.replace(day=1)
        date = day.isoformat()
    arxiv = draw(st.sampled_from(["", "2301.12345", "hep-th/9901001"]))
    return Paper(
        id=draw(st.text("abcK0123456789:_-", min_size=1, max_size=10)),
        title=draw(_LINE),
        authors=tuple(draw(st.lists(_LINE.filter(bool), max_size=4))),
        authors_truncated=draw(st.booleans()),
        abstract=draw(_ABSTRACT),
        date=date,
        date_precision=precision,
        venue=draw(_LINE),
        doi=draw(st.sampled_from(["", "10.1000/"])) and "10.1000/" + draw(_SAFE),
        arxiv_id=arxiv,
        url=draw(st.sampled_from(["", "https://example.org/"])) and "https://e.org/" + draw(_SAFE),
        kind=draw(st.sampled_from(["", "article", "inproceedings", "misc"])),
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(papers_strategy(), min_size=1, max_size=4, unique_by=lambda item: item.id))
def test_any_paper_round_trips(papers: list[Paper]) -> None:
    text = bibtex.dump(papers)
    library = bibtexparser.parse_string(text)
    assert len(library.entries) == len(papers) and not library.failed_blocks
    back = bibtex.parse(text)
    assert [identity(item) for item in back.papers] == [identity(item) for item in papers]
    assert [(item.date, item.date_precision) for item in back.papers] == [
        (item.date, item.date_precision) for item in papers
    ]


def test_foreign_record_types_export_as_bibtex_types() -> None:
    papers = [
        Paper(id="a", title="From RIS", kind="JOUR", venue="A Journal"),
        Paper(id="b", title="From arXiv", kind="preprint", arxiv_id="2301.00001"),
        Paper(id="c", title="A chapter", kind="CHAP"),
        Paper(id="d", title="Odd", kind="weird-type"),
    ]
    text = bibtex.dump(papers)
    assert "@article{a," in text and "@misc{b," in text and "@incollection{c," in text
    assert "@misc{d," in text
    assert "@jour" not in text.lower() and "@preprint" not in text
