"""One guard for real data: the tests carry their own files and never skip for want of them.

A fresh clone alone in an empty folder must pass with nothing skipped, so no
test may read the workspace's shared folder, and none may skip when a data
file is missing (a missing file must fail loudly instead).
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import REALDATA, ROOT

TESTS = ROOT / "tests"
OUTSIDE_DATA = re.compile(r"\.\./shared|shared/realdata|[\"']shared[\"']")
SKIP_FOR_DATA = re.compile(
    r"(\.skip\(|skipif\(|importorskip\(|mark\.skip\b).*"
    r"(realdata|\bdata\b|sample_data|SAMPLE_|\.(bib|ris|xml|json|txt)\b)",
    re.IGNORECASE,
)


def _test_sources() -> list[Path]:
    this = Path(__file__).resolve()
    return [p for p in sorted(TESTS.rglob("*.py")) if p.resolve() != this]


def test_no_test_reads_the_shared_folder() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _test_sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE_DATA.search(line)
    ]
    assert offenders == [], "tests must read tests/data, not the shared folder"


def test_no_test_skips_for_want_of_data() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _test_sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SKIP_FOR_DATA.search(line)
    ]
    assert offenders == [], "a missing data file must fail, not skip"


def test_the_data_folder_holds_exactly_the_documented_files() -> None:
    sources = (REALDATA / "SOURCES.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z]+/[^`]+)` \|", sources, re.MULTILINE))
    on_disk = {
        path.relative_to(REALDATA).as_posix()
        for path in REALDATA.rglob("*")
        if path.is_file() and path.name != "SOURCES.md"
    }
    assert documented and on_disk == documented
    assert all((REALDATA / name).stat().st_size > 0 for name in on_disk)


def test_the_guard_patterns_match_what_they_must() -> None:
    assert OUTSIDE_DATA.search('ROOT.parent / "shared" / "realdata"')
    assert OUTSIDE_DATA.search("path = '../shared/realdata/bibtex/x.bib'")
    assert SKIP_FOR_DATA.search("pytest.mark.skipif(not FILE.exists(), reason='no data')")
    assert SKIP_FOR_DATA.search('pytest.skip("real data not found")')
    assert SKIP_FOR_DATA.search("pytest.skip(f'{BIB.name} is missing')  # BIB = 'x.bib'")
    assert not SKIP_FOR_DATA.search('pytest.mark.skipif(shutil.which("tmux") is None)')
    assert not SKIP_FOR_DATA.search('skipif(not os.path.exists("/dev/full"), reason="no")')
