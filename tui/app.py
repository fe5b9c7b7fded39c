"""PaperReaderApp: wiring only — styles, screens, app-wide keys, start-up."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable, Iterable

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen

from store.errors import PaperReaderError
from store.formats import decode_input, parse_text
from store.library import Library
from tui import colours
from tui.history import UndoHistory
from tui.keys import inherited_bindings, key_owners
from tui.memory import keep_out_of_gc
from tui.resources import sample_data_dir, styles_dir
from tui.screens.main import MainScreen, typing_text
from tui.screens.one_paper import OnePaperScreen
from tui.settings import load_settings, save_setting
from tui.store_writer import StoreWriter

# The settings key: do r, x and s in the list move on to the next paper?
ADVANCE_SETTING = "advance_on_decision"


class PaperReaderApp(App[None]):
    """The reader. Built from an injected :class:`Library` so tests can drive it."""

    CSS_PATH = [str(path) for path in sorted(styles_dir().glob("*.tcss"))]
    TITLE = "paper-reader"
    HELP_TITLE = "Everywhere"
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="app.help", priority=True),
        Binding("q", "quit", "Quit", id="app.quit", priority=True),
    ]

    def __init__(
        self,
        library: Library,
        *,
        welcome: str | None = None,
        collections: Iterable[str] = (),
        notice: str | None = None,
    ) -> None:
        """``collections``: open filtered to these (a chip; esc clears it);
        ``notice``: shown on opening (an import summary, say)."""
        super().__init__()
        self.library = library
        self.start_collections = frozenset(collections)
        self.notice = notice
        keep_out_of_gc()
        self.history = UndoHistory()
        # Every change of user state is written by this one thread, in order.
        self.writer = StoreWriter()
        self.hung_up = False
        self.welcome = welcome
        # Keys read before the main screen is ready wait here, in order (None: ready).
        self._early_keys: list[events.Key] | None = []
        settings = load_settings()
        theme = settings.get("theme")
        if isinstance(theme, str) and theme in self.available_themes:
            self.theme = theme
        self.advance_on_decision = settings.get(ADVANCE_SETTING) is not False

    async def on_event(self, event: events.Event) -> None:
        """Hold keys typed before the reader is painted, then replay them in order.

        Without this, ``/quantum`` typed during start-up reaches a screen that
        has no search bar yet: the ``/`` is lost and ``q`` quits.
        """
        if (
            self._early_keys is not None
            and isinstance(event, events.Key)
            and not event.is_forwarded
        ):
            self._early_keys.append(event)
            return
        key = event if isinstance(event, events.Key) and not event.is_forwarded else None
        if key is not None and await self._close_by_key(key):
            return
        await super().on_event(event)

    async def _close_by_key(self, key: events.Key) -> bool:
        """Close the screen now if ``key`` closes it (``q`` or esc on the paper view).

        Textual hands a key to the focused widget's own queue and reads the
        next one at once: ``enter q q`` typed fast sent both ``q`` to the paper
        view, which closed on the first and lost the second (which quits from
        the list). A key that closes the screen is therefore acted on here,
        before the next key is read, and the next goes to the list.
        """
        screen = self.screen
        if isinstance(screen, MainScreen) or typing_text(screen):
            return False
        for node in screen.focused.ancestors_with_self if screen.focused else [screen]:
            for binding in inherited_bindings(type(node)):
                if key.key in binding.key.split(","):
                    if node is not screen or binding.action not in ("leave", "dismiss"):
                        return False  # the key means something else here
                    await self.run_action(binding.action, screen)
                    return True
            if node is screen:
                break
        return False

    async def on_main_screen_ready(self, _message: MainScreen.Ready) -> None:
        # Keys still queued behind this message arrive after the replayed ones.
        early, self._early_keys = self._early_keys or [], None
        for key in early:
            await super().on_event(key)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``q`` and ``?`` are letters while the user types a query or a note.

        ``q`` quits only from the list: elsewhere it goes back (as in mutt).
        """
        if action == "quit" and not isinstance(self.screen, MainScreen):
            return False
        return not (action in ("help", "quit") and typing_text(self.screen))

    def get_css_variables(self) -> dict[str, str]:
        """The theme's variables, with every text colour readable on its background."""
        variables = colours.readable_variables(super().get_css_variables())
        self.theme_variables = variables
        return variables

    def get_default_screen(self) -> Screen[None]:
        chosen = {"collection": self.start_collections} if self.start_collections else {}
        return MainScreen(
            self.library,
            self.history,
            self.writer,
            advance=self.advance_on_decision,
            chosen=chosen,
        )

    def on_mount(self) -> None:
        if self.welcome:
            self.notify(self.welcome, title="Welcome", timeout=12, markup=False)
        if self.notice:
            self.notify(self.notice, title="Imported", timeout=20, markup=False)

    def watch_theme(self, theme: str) -> None:
        if self.is_running:
            save_setting("theme", theme)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The palette offers every key of the screen, generated from the bindings.

        Hidden keys too (statistics, undo, filters...), named as the footer names
        them: ``/``, not ``slash``.
        """
        yield from super().get_system_commands(screen)
        owners: list[DOMNode] = [*key_owners(screen), self]
        turn = "off" if self.advance_on_decision else "on"
        yield SystemCommand(
            f"Move to the next paper after r, x, s: turn {turn}",
            "Whether deciding about a paper moves the cursor on (remembered)",
            self.toggle_advance,
        )
        seen: set[str] = set()
        for owner in owners:
            for binding in inherited_bindings(type(owner)):
                if binding.description in seen:
                    continue
                seen.add(binding.description)
                yield SystemCommand(
                    binding.description,
                    f"key: {self.key_names(binding)}",
                    lambda owner=owner, action=binding.action: self.call_later(
                        owner.run_action, action
                    ),
                )

    def toggle_advance(self) -> None:
        """Turn moving on after a decision off or on, and remember it."""
        self.advance_on_decision = not self.advance_on_decision
        save_setting(ADVANCE_SETTING, self.advance_on_decision)
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                screen.paper_list.advance = self.advance_on_decision
        state = "move on to the next paper" if self.advance_on_decision else "stay on the paper"
        self.notify(f"r, x and s now {state}", markup=False)

    def key_names(self, binding: Binding) -> str:
        """A binding's keys as people write them: ``j / ↓``, ``/``, ``?``."""
        return " / ".join(
            self.get_key_display(Binding(key, binding.action)) for key in binding.key.split(",")
        )

    def action_help(self) -> None:
        """Show every key."""
        from tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(list(self.screen_stack)))

    async def action_quit(self) -> None:
        """Save any unsaved note, wait for every change to be written, then leave.

        While another process holds the store's lock the writes wait for it,
        and so does quitting (saying so); a write that finally fails is told
        on stderr once the screen is closed (:func:`run_reader`).
        """
        self.writer.ending()
        self.save_pending_work()
        if not self.writer.busy:
            self.exit()
            return
        self.notify("Saving…", timeout=60)
        # In a worker: this handler returns, so the screen shows the notice
        # (and takes keys) while the writes wait for the lock.
        self.run_worker(self._exit_when_written(), group="quit", exclusive=True)

    async def _exit_when_written(self) -> None:
        await self.writes_settled()
        self.exit()

    async def on_unmount(self) -> None:
        """However the app ends, the changes queued are written before it returns.

        Not after a hang-up: :func:`run_reader` waits for them then, once the
        alarm that keeps a dead terminal from hanging the exit is off.
        """
        if not self.hung_up:
            await asyncio.to_thread(self.writer.wait)

    def leave_after_hang_up(self) -> None:
        """Queue the note being typed, then close (the terminal is gone)."""
        self.writer.ending()
        self.save_pending_work()
        self.exit()

    def save_pending_work(self) -> None:
        """Queue the writes of what only the UI holds (a note being typed)."""
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen | OnePaperScreen):
                screen.save_pending_note()

    async def writes_settled(self) -> None:
        """Wait until every change queued so far is written and its outcome handled."""
        await asyncio.to_thread(self.writer.wait)
        # The writer posted its outcomes before it went idle: let the screens take them.
        handled = asyncio.Event()
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen) and screen.call_later(handled.set):
                await handled.wait()

    def unsaved(self) -> list[str]:
        """The changes that could not be written and that the user was not shown."""
        return [str(failure) for failure in self.writer.untold()]


def make_app(
    library: Library,
    *,
    welcome: str | None = None,
    collections: Iterable[str] = (),
    notice: str | None = None,
) -> PaperReaderApp:
    """The app for a library: used by ``main()``, the pilot tests and the snapshots."""
    return PaperReaderApp(library, welcome=welcome, collections=collections, notice=notice)


def import_sample_collection(library: Library) -> str:
    """Import the bundled sample into an empty library; returns the welcome text."""
    added = 0
    for path in sorted(sample_data_dir().iterdir()):
        if not path.is_file():
            continue
        try:
            result = parse_text(decode_input(path.read_bytes()), source=str(path))
        except PaperReaderError:
            continue
        added += library.import_result(result, source=str(path)).added
    return (
        f"Your library was empty, so the sample collection ({added} papers) was imported. "
        "Import your own with: paper-reader import FILE (profile dumps, BibTeX, RIS, "
        "arXiv Atom, CSL-JSON)."
    )


def require_terminal() -> None:
    """Raise :class:`PaperReaderError` unless the reader can talk to a terminal.

    The reader reads keys from standard input and draws on standard error;
    started from a script, a pipe or a cron job it would hang or fill a file
    with escape codes. Commands do not need a terminal and never call this.
    """
    streams = (sys.stdin, sys.stdout, sys.stderr)
    if any(stream is None or not stream.isatty() for stream in streams):
        raise PaperReaderError(
            "the reader needs a terminal; without one, use a command (paper-reader --help)"
        )


def hang_up_handler(
    app: PaperReaderApp, alarm: Callable[[int], object] | None = None
) -> Callable[[int, object], None]:
    """What SIGHUP does: the terminal is gone (a dropped SSH link), keep the user's words, leave.

    A Python signal handler runs between two bytecodes of the main thread,
    which is the app's event loop: the loop may be inside a lock at that
    instant (the library's, while a key's change is previewed), and taking
    it again would hang. The handler therefore only arms the alarm that keeps
    a dead terminal from hanging the exit and hands the rest to the loop,
    which runs it between two callbacks, holding nothing. ``alarm`` stands
    in for :func:`signal.alarm` in tests.
    """

    def hang_up(_signum: int, _frame: object) -> None:
        app.hung_up = True
        if alarm is not None:
            alarm(2)
        elif hasattr(signal, "SIGALRM"):
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            signal.alarm(2)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # the app is not running: run_reader saves what is queued
            return
        loop.call_soon_threadsafe(app.leave_after_hang_up)

    return hang_up


def run_reader(
    library: Library, *, collections: Iterable[str] = (), notice: str | None = None
) -> int:
    """Open the reader on a library, importing the sample collection on first run.

    ``paper-reader FILE`` passes the collections it imported (the reader opens
    filtered to them) and its summary as ``notice``.
    """
    require_terminal()
    welcome = import_sample_collection(library) if len(library) == 0 else None
    app = make_app(library, welcome=welcome, collections=collections, notice=notice)

    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, hang_up_handler(app))
    try:
        app.run()
    finally:
        if hasattr(signal, "SIGALRM"):
            signal.alarm(0)  # the app has closed; the writes below may wait for the lock
        # Every queued write lands (or fails) before the process exits.
        app.writer.wait()
        unsaved = app.unsaved()
        for line in unsaved:
            with contextlib.suppress(OSError):
                print(f"paper-reader: not saved: {line}", file=sys.stderr)
    return 1 if unsaved else 0
