"""The import's progress bar: on a terminal after a second, never on a pipe."""

from __future__ import annotations

import io

from tui.cli.progress import DelayedBar, progress_bar


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_waits_a_second_then_shows_entries_and_time_left() -> None:
    now = [100.0]
    screen = _Terminal()
    bar = DelayedBar("importing", screen, clock=lambda: now[0])
    bar.report(10, 1000)
    now[0] += 0.5
    bar.report(100, 1000)
    assert screen.getvalue() == ""  # a quick import prints nothing extra
    now[0] += 0.6
    bar.report(300, 1000)
    now[0] += 1.0
    bar.report(500, 1000)
    drawn = screen.getvalue()
    assert "importing" in drawn and "500/1000" in drawn and "50%" in drawn
    assert "200 entries/s" in drawn and "0:00:03" in drawn  # rate, and 500 left at 200/s
    bar.close()
    assert "\x1b[2K" in screen.getvalue()[len(drawn) :]  # wiped before the summary lines


def test_nothing_is_drawn_when_output_is_piped() -> None:
    piped = io.StringIO()
    with progress_bar("importing", piped) as report:
        assert report is None
    assert piped.getvalue() == ""


def test_a_terminal_gets_a_report_callback() -> None:
    with progress_bar("importing", _Terminal()) as report:
        assert report is not None
        report(1, 2)  # within the first second: nothing drawn, nothing fails
