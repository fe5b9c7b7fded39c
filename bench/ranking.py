"""``python -m bench.ranking``: how well and how fast ``--sort interest`` and ``--like`` work.

Quality, on real collections from ``tests/data``: two files go into one
store, 15 papers of the first are marked read and 15 of the second skipped
(evenly spread through each file), and ``list status:unread --sort interest
--limit 40`` is scored by the share of the first file's papers (precision@40),
against the date order. ``--like`` is asked for 10 papers of each file: the
share of each one's 10 nearest that come from the same file.

Speed, on a synthetic library (abstracts of ~150 words over a 30,000-word
Zipf vocabulary in 40 topics): the first ranking in a fresh process with
no feature cache (features included), the same with the cache, a re-rank
after one more decision with the features in memory, and ``--like``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"

# (wanted, other, what the pair is)
PAIRS = (
    ("bibtex/zotero-export-psychology-abstract-url-file-584.bib",
     "bibtex/ml-phd-thesis-millidge-813-entries.bib", "far, abstracts"),
    ("bibtex/ml-phd-thesis-millidge-813-entries.bib",
     "bibtex/zotero-export-psychology-abstract-url-file-584.bib", "far, abstracts"),
    ("csljson/better-csl-json-glaciology-thesis-88-items.json",
     "csljson/zotero-csl-json-armenian-studies-250-items.json", "far, titles only"),
    ("csljson/zotero-csl-json-armenian-studies-250-items.json",
     "csljson/better-csl-json-glaciology-thesis-88-items.json", "far, titles only"),
    ("ris/scopus-export-707-records-utf8.ris",
     "bibtex/beebe-master-1994-string-preamble-concat.bib", "far, titles only"),
    ("arxiv/arxiv-api-2026-search-testing-100-entries.xml",
     "bibtex/ml-phd-thesis-millidge-813-entries.bib", "close-ish, abstracts"),
    ("bibtex/llm-msc-thesis-arxiv-eprint-string-macros.bib",
     "bibtex/ml-phd-thesis-millidge-813-entries.bib", "close, both ML"),
    ("bibtex/ml-phd-thesis-millidge-813-entries.bib",
     "bibtex/llm-msc-thesis-arxiv-eprint-string-macros.bib", "close, both ML"),
    ("../../sample_data/jason-d-lee-profile.txt",
     "bibtex/llm-msc-thesis-arxiv-eprint-string-macros.bib", "close, both ML"),
    ("../../sample_data/jason-d-lee-profile.txt",
     "bibtex/ml-phd-thesis-millidge-813-entries.bib", "close, both ML"),
    ("arxiv/arxiv-api-2026-search-testing-100-entries.xml",
     "bibtex/llm-msc-thesis-arxiv-eprint-string-macros.bib", "apart, same years"),
)  # fmt: skip
DECIDED = 15
AS_OF = dt.date(2026, 11, 28)  # the sample profile's dates without a year resolve the same


def _spread(items: list[Any], count: int) -> list[Any]:
    step = len(items) / count
    return [items[int(k * step)] for k in range(min(count, len(items)))]


def quality(wanted: Path, other: Path, work: Path) -> dict[str, Any]:
    """Precision@40 of interest and date order, and ``--like`` own-kind shares, for one pair."""
    from store.importing import import_files
    from store.library import Library
    from store.model import ReadingStatus
    from store.query import parse
    from store.ranking import Ranker
    from tui.cli.ranking import ranked

    library = Library(work / f"{wanted.stem}--{other.stem}" / "library.json")
    import_files(library, [str(wanted), str(other)], as_of=AS_OF)

    def only(mine: str, theirs: str) -> list[Any]:
        papers = [p for p in library.papers() if mine in p.collections]
        return sorted(
            (p for p in papers if theirs not in p.collections), key=lambda p: p.collections[mine]
        )

    first, second = (c.name for c in library.collections())  # a fresh store: in import order
    mine, theirs = only(first, second), only(second, first)
    library.set_status([p.id for p in _spread(mine, DECIDED)], ReadingStatus.READ)
    library.set_status([p.id for p in _spread(theirs, DECIDED)], ReadingStatus.SKIPPED)
    wanted_ids = {p.id for p in mine}
    query = parse("status:unread")
    by_interest, _extra = ranked(library, query, "interest", None, 40)
    by_date = library.search(query, sort="date", limit=40)
    ranker = Ranker(library)
    like_hits = []
    for own in (mine, theirs):
        own_ids = {p.id for p in own}
        for reference in _spread(own, 10):
            nearest = ranker.like(reference.id).order(library.papers())[:10]
            like_hits.append(sum(p.id in own_ids for p in nearest))
    return {
        "papers": len(library),
        "wanted_papers": len(mine),
        "other_papers": len(theirs),
        "precision40_interest": sum(p.id in wanted_ids for p in by_interest) / 40,
        "precision40_date": sum(p.id in wanted_ids for p in by_date) / 40,
        # A file with fewer than 55 papers cannot fill 40 places once 15 are read.
        "precision40_best_possible": min(40, len(mine) - DECIDED) / 40,
        "like_own_kind_mean": sum(like_hits) / (10 * len(like_hits)),
        "like_at_least_8_of_10": f"{sum(h >= 8 for h in like_hits)}/{len(like_hits)}",
    }


# -- speed on a synthetic library ---------------------------------------------------------

_SYLLABLES = "ka lo mi nu pe ra si to vu xe ba de fi go hu ja ke li mo ne".split()  # noqa: SIM905


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choices(_SYLLABLES, k=rng.randint(2, 4))))
    return sorted(words)


SEED = 5
_VOCABULARY = 30_000


def synthetic_profile(n: int, seed: int = SEED) -> str:
    """An author-profile dump of ``n`` papers in 40 topics; topic ``k`` is in title word ``tk``."""
    rng = random.Random(seed)
    vocabulary = _vocabulary(rng, _VOCABULARY)
    zipf = [1.0 / (rank + 1) for rank in range(len(vocabulary))]
    topics = [rng.sample(vocabulary, 400) for _ in range(40)]
    surnames = [w.title() for w in rng.sample(vocabulary, 3000)]
    lines = [f"Synthetic Author\n\nLG\nh-index50\n{n}papers\n1,000citations\n\n{n} Papers\n"]
    for index in range(n):
        topic = index % 40
        common = rng.choices(vocabulary, zipf, k=rng.randint(45, 75))
        own = rng.choices(topics[topic], k=rng.randint(45, 75))
        rng.shuffle(words := common + own)
        title = " ".join([f"t{topic}", *own[:4], *common[:4]]).title()
        authors = ", ".join(f"Ann {rng.choice(surnames)}" for _ in range(rng.randint(2, 5)))
        day, year = rng.randint(1, 28), rng.randint(2000, 2025)
        lines.append(f"LGMar {day}, {year}\n{title}\n\n{authors}\n\n{' '.join(words)}.\n")
    return "\n".join(lines)


# The command line's main, reporting its CPU seconds and peak RSS (KiB) last on stderr.
# VmHWM, not ru_maxrss: the latter carries over the forking parent's size.
_MEASURED_MAIN = (
    "import resource, sys\nfrom tui.cli.main import main\ncode = main(sys.argv[1:])\n"
    "used = resource.getrusage(resource.RUSAGE_SELF)\n"
    "hwm = next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]\n"
    "print('cpu', used.ru_utime + used.ru_stime, hwm, file=sys.stderr)\n"
    "sys.exit(code)"
)


class Run(NamedTuple):
    """One ``paper-reader`` process: wall and CPU seconds, peak RSS (MB), its output."""

    wall: float
    cpu: float
    rss_mb: float
    stdout: str


def _cli(db: Path, *args: str) -> Run:
    """Run ``paper-reader --db DB ARGS`` and measure it."""
    command = [sys.executable, "-c", _MEASURED_MAIN, "--db", str(db), *args]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=True)
    wall = time.perf_counter() - start
    cpu, rss = done.stderr.split()[-2:]
    return Run(wall, float(cpu), int(rss) / 1024, done.stdout)


def synthetic_store(n: int, work: Path) -> Path:
    """A store of ``n`` synthetic papers with 15 of topic 0 read and 15 of topic 1 skipped."""
    db = work / f"synthetic-{n}" / "library.json"
    source = work / f"synthetic-{n}.txt"
    if not source.exists():
        source.write_text(synthetic_profile(n), encoding="utf-8")
    if not db.exists():
        _cli(db, "import", str(source), "--as-of", "2026-11-28")
        papers = json.loads(_cli(db, "list", "--json", "--sort", "rank").stdout)
        topic0 = [p["id"] for p in papers if p["title"].startswith("T0 ")]
        topic1 = [p["id"] for p in papers if p["title"].startswith("T1 ")]
        _cli(db, "mark", "read", *topic0[:15])
        _cli(db, "mark", "skipped", *topic1[:15])
    return db


def _best_of(runs: int, action: Any) -> tuple[float, float]:
    """The least wall and CPU milliseconds of ``runs`` calls of ``action``."""
    walls, cpus = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return min(walls) * 1000, min(cpus) * 1000


def order_speed(n: int, work: Path, runs: int = 7) -> dict[str, float]:
    """What ordering a list by a ranking costs the reader's UI thread, at ``n`` papers.

    The whole date-ordered list and 1,000 papers spread through it, by the
    interest model and by "more like this"; the reader's ranker (which keeps
    the rows of the library's papers) and the command line's (which does not).
    """
    from store.library import Library
    from store.query import parse
    from store.ranking import Ranker, decisions_of

    library = Library(synthetic_store(n, work))
    everything = library.search(parse(""), sort="date")
    some = everything[:: max(len(everything) // 1000, 1)][:1000]
    row: dict[str, float] = {"papers": n, "load_average": os.getloadavg()[0]}
    for who, ranker in (
        ("reader", Ranker(library, paper_rows=True)),
        ("cli", Ranker(library)),
    ):
        for what, ranking in (
            ("interest", ranker.fit(decisions_of(library))),
            ("like", ranker.like(everything[0].id)),
        ):
            for size, papers in (("all", everything), ("1000", some)):
                wall, cpu = _best_of(runs, lambda r=ranking, p=papers: r.order(p))
                row[f"order_{who}_{what}_{size}_ms"] = wall
                row[f"order_{who}_{what}_{size}_cpu_ms"] = cpu
    return row


def _cpu_with_children() -> float:
    """CPU seconds of this process and of its children that ended."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def speed(n: int, work: Path) -> dict[str, float]:
    """Whole-process and in-process timings of ranking a synthetic library of ``n`` papers."""
    from store.features import cache_path
    from store.library import Library
    from store.model import ReadingStatus
    from store.query import parse
    from store.ranking import Ranker, decisions_of

    db = synthetic_store(n, work)
    plain = _cli(db, "list", "status:unread", "--limit", "40", "--json")
    cache_path(db).unlink(missing_ok=True)
    args = ("list", "status:unread", "--sort", "interest", "--limit", "40", "--json")
    first = _cli(db, *args)
    cached = _cli(db, *args)
    top = json.loads(first.stdout)
    precision = sum(p["title"].startswith("T0 ") for p in top) / len(top)

    library = Library(db)
    ranker = Ranker(library)
    start = time.perf_counter()
    features = ranker.features()  # from the cache file the processes above wrote
    load = time.perf_counter() - start
    unread = library.search(parse("status:unread"), sort="date")
    extra = next(p.id for p in unread if p.title.startswith("T0 "))
    ranker.fit(decisions_of(library))  # the reader has fitted before: scikit-learn is loaded
    library.set_status([extra], ReadingStatus.READ)
    start, cpu = time.perf_counter(), time.process_time()
    ranking = ranker.fit(decisions_of(library))
    ranking.order(library.search(parse("status:unread"), sort="date"))
    rerank, rerank_cpu = time.perf_counter() - start, time.process_time() - cpu
    start, cpu = time.perf_counter(), time.process_time()
    ranker.like(extra).order(library.papers())
    like, like_cpu = time.perf_counter() - start, time.process_time() - cpu
    # The reader's ranker: at 50k papers and more it fits in a child process.
    reader = Ranker(library, build_in_child=True, paper_rows=True)
    library.set_status([extra], ReadingStatus.UNREAD)
    reader.fit(decisions_of(library))
    library.set_status([extra], ReadingStatus.READ)
    start, cpu = time.perf_counter(), _cpu_with_children()
    reader.fit(decisions_of(library)).order(library.search(parse("status:unread"), sort="date"))
    reader_rerank, reader_cpu = time.perf_counter() - start, _cpu_with_children() - cpu
    library.set_status([extra], ReadingStatus.UNREAD)
    cache_path(db).unlink()
    start = time.perf_counter()
    cpu = time.process_time()
    Ranker(library).features()
    build = time.perf_counter() - start
    build_cpu = time.process_time() - cpu
    return {
        "papers": n,
        "terms": len(features.terms),
        "first_ranking_s": first.wall,
        "first_ranking_cpu_s": first.cpu,
        "cached_ranking_s": cached.wall,
        "cached_ranking_cpu_s": cached.cpu,
        "plain_list_s": plain.wall,
        "plain_list_cpu_s": plain.cpu,
        "features_build_s": build,
        "features_build_cpu_s": build_cpu,
        "features_load_s": load,
        "rerank_after_decision_ms": rerank * 1000,
        "rerank_after_decision_cpu_ms": rerank_cpu * 1000,
        "rerank_in_reader_ms": reader_rerank * 1000,
        "rerank_in_reader_cpu_ms": reader_cpu * 1000,
        "like_ms": like * 1000,
        "like_cpu_ms": like_cpu * 1000,
        "cache_file_mb": cache_path(db).stat().st_size / 1e6,
        "peak_rss_list_mb": plain.rss_mb,
        "peak_rss_first_ranking_mb": first.rss_mb,
        "peak_rss_cached_ranking_mb": cached.rss_mb,
        "synthetic_precision40": precision,
    }


def main() -> None:
    """Run the quality pairs and the speed test; print JSON and a table."""
    parser = argparse.ArgumentParser(prog="python -m bench.ranking", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000], help="library sizes")
    parser.add_argument("--no-quality", action="store_true", help="speed only")
    parser.add_argument("--work", type=Path, help="folder for generated files (kept)")
    parser.add_argument(
        "--order", action="store_true", help="only what ordering a list costs the UI thread"
    )
    parser.add_argument(
        "--reader-memory",
        action="store_true",
        help="only the installed reader's memory in tmux, with and without a ranking",
    )
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-ranking-"))
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"quality": [], "speed": []}
    only = args.order or args.reader_memory
    if not args.no_quality and not only:
        for wanted, other, kind in PAIRS:
            row = quality(DATA / wanted, DATA / other, work)
            results["quality"].append({"wanted": wanted, "other": other, "kind": kind, **row})
    for n in args.sizes:
        if args.order:
            results["speed"].append(order_speed(n, work))
        if args.reader_memory:
            from bench.ranking_memory import reader_memory

            word = _vocabulary(random.Random(SEED), _VOCABULARY)[0]  # the commonest word
            results["speed"].append(reader_memory(synthetic_store(n, work), word, n))
        if not only:
            results["speed"].append(speed(n, work))
    print(json.dumps(results, indent=2))
    for row in results["quality"]:
        print(
            f"{Path(row['wanted']).stem[:38]:38} vs {Path(row['other']).stem[:30]:30} "
            f"{row['kind']:20} p@40 interest {row['precision40_interest']:.2f} "
            f"date {row['precision40_date']:.2f} best {row['precision40_best_possible']:.2f}  "
            f"like {row['like_own_kind_mean']:.2f} "
            f"(≥8/10: {row['like_at_least_8_of_10']})"
        )
    for row in results["speed"]:
        print("  ".join(f"{k}={v:.3g}" for k, v in row.items()))
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
