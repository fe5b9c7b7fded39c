"""The enrichment log: what each ``enrich`` changed, so that a wrong match can be taken back.

Kept beside the store as ``library.enrichments.json`` (user data: written
atomically with a ``.bak``, see :mod:`store.sidefiles`)::

    {"version": 1, "runs": [{"at": "2026-12-01T12:00:00Z", "papers": {
        "Giannou2023Looped": {
            "arxiv_id": {"before": "", "after": "2301.13196"},
            "authors": {"before": ["Angeliki Giannou", ...], "after": [...]},
            "extra.pdf_url": {"before": null, "after": "https://arxiv.org/pdf/2301.13196"}}}}]}

A field is named as in :meth:`Paper.to_dict`, an extra field as
``extra.KEY`` (``null``: the key was absent). Undo puts back the previous
value of each field that still holds what the enrichment set, and leaves a
field changed since alone. The last :data:`KEEP_RUNS` runs are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from store import sidefiles
from store.errors import PaperReaderError
from store.model import Paper

if TYPE_CHECKING:
    # Only a type here: store.backups reads this log, and the library imports that.
    from store.library import Library

FILE_ROLE = "enrichments"
KEEP_RUNS = 20
_VERSION = 1


@dataclass(frozen=True, slots=True)
class UndoReport:
    """What an undo did: the run it took back, the papers restored, the fields left alone."""

    at: str
    restored: list[str] = field(default_factory=list)
    kept: dict[str, list[str]] = field(default_factory=dict)


def field_changes(before: Paper, after: Paper) -> dict[str, dict[str, Any]]:
    """Each field that differs, named as in the log, with its value before and after."""
    old, new = before.to_dict(), after.to_dict()
    changes = {
        name: {"before": old[name], "after": new[name]}
        for name in old
        if name != "extra" and old[name] != new[name]
    }
    extra_old, extra_new = old["extra"], new["extra"]
    for key in {**extra_old, **extra_new}:
        if extra_old.get(key) != extra_new.get(key):
            changes[f"extra.{key}"] = {"before": extra_old.get(key), "after": extra_new.get(key)}
    return changes


def _value(record: dict[str, Any], name: str) -> Any:
    if name.startswith("extra."):
        return record["extra"].get(name[len("extra.") :])
    return record.get(name)


def _set(record: dict[str, Any], name: str, value: Any) -> None:
    if not name.startswith("extra."):
        record[name] = value
    elif value is None:
        record["extra"].pop(name[len("extra.") :], None)
    else:
        record["extra"][name[len("extra.") :]] = value


def _is_run(run: object) -> bool:
    """True for ``{"at": ..., "papers": {id: {field: {"before": .., "after": ..}}}}``."""
    if not isinstance(run, dict) or not isinstance(run.get("papers"), dict):
        return False
    return all(
        isinstance(fields, dict)
        and all(isinstance(c, dict) and c.keys() == {"before", "after"} for c in fields.values())
        for fields in run["papers"].values()
    )


class EnrichLog:
    """The enrichment log of one store."""

    def __init__(self, store_path: Path) -> None:
        self.path = sidefiles.side_path(store_path, FILE_ROLE)

    def record(self, at: str, changes: dict[str, tuple[Paper, Paper]]) -> None:
        """Add a run: each paper's changed fields with their values before and after."""
        run = {"at": at, "papers": {pid: field_changes(b, a) for pid, (b, a) in changes.items()}}
        with sidefiles.locked(self.path):
            runs = self._runs()
            self._save([*runs, run][-KEEP_RUNS:])

    def check(self) -> None:
        """Raise the log's damage, if any, before work that will write to it (no lock taken)."""
        read_runs(self.path)

    def last(self) -> dict[str, Any] | None:
        """The most recent run, or None when there is none."""
        with sidefiles.locked(self.path):
            runs = self._runs()
        return runs[-1] if runs else None

    def undo_last(self, library: Library) -> UndoReport:
        """Take back the most recent enrichment and drop it from the log.

        Raises:
            PaperReaderError: There is no enrichment to undo.
        """
        run = self.last()
        if run is None:
            raise PaperReaderError("no enrichment to undo")
        papers: dict[str, dict[str, dict[str, Any]]] = run["papers"]
        known = {paper.id for paper in library.papers()}
        report = UndoReport(at=str(run["at"]))

        def revert(paper: Paper) -> Paper:
            record = paper.to_dict()
            changed = False
            for name, change in papers[paper.id].items():
                current = _value(record, name)
                if current == change["after"]:
                    _set(record, name, change["before"])
                    changed = True
                elif current != change["before"]:
                    report.kept.setdefault(paper.id, []).append(name)
            return Paper.from_dict(record) if changed else paper

        revised = library.revise_papers([pid for pid in papers if pid in known], revert)
        report.restored.extend(revised)
        with sidefiles.locked(self.path):
            runs = self._runs()
            self._save([r for r in runs if r != run])
        return report

    def _runs(self) -> list[dict[str, Any]]:
        return read_runs(self.path)

    def _save(self, runs: list[dict[str, Any]]) -> None:
        sidefiles.write_json(self.path, {"version": _VERSION, "runs": runs})


def read_runs(path: Path) -> list[dict[str, Any]]:
    """The runs in the enrichment log at ``path`` (none when it was never written).

    Raises:
        DamagedFileError: The file is damaged, or missing while its backups
            are there.
    """
    data = sidefiles.read_json(path)
    if data is None:
        return []
    runs = data.get("runs")
    if not isinstance(runs, list) or not all(_is_run(run) for run in runs):
        raise sidefiles.damaged(path, "not a list of enrichment runs")
    return runs
