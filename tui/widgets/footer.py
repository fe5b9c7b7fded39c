"""The footer: as many keys as the width holds, and always ``? Help``.

Textual's footer lists every shown binding and lets the row run off the
screen: at 80 columns ``?`` was cut off, so a newcomer never learnt of help.
This one keeps the most useful keys that fit (short labels, compact spacing
below 100 columns) in their usual order, with help always among them.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Resize
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

NARROW_WIDTH = 100
# Kept first when space runs out, in this order; the rest follow as declared.
_PRIORITY = [
    "app.help",
    "main.search",
    "paper.read",
    "paper.skip",
    "paper.star",
    "pager.page_down",
    "pager.next",
    "pager.back",
    "main.note",
    "pager.note",
    "main.triage",
    "triage.read",
    "triage.skip",
    "triage.star",
    "triage.later",
    "triage.page",
    "triage.back",
    "app.quit",
]
_RANK = {binding_id: rank for rank, binding_id in enumerate(_PRIORITY)}
# Shorter labels below 100 columns.
_SHORT = {
    "Copy link": "Link",
    "Copy BibTeX": "BibTeX",
    "Star & keep": "Star",
}
_PALETTE_WIDTH = {True: 11, False: 15}  # "^p palette" with its border, compact or not


class ReaderFooter(Footer):
    """A footer that fits its width and never drops help."""

    def __init__(self) -> None:
        super().__init__()
        self._laid_out_for = 0

    def on_resize(self, event: Resize) -> None:
        if event.size.width != self._laid_out_for:
            self._laid_out_for = event.size.width
            self.call_after_refresh(self.recompose)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        width = self.size.width or self.app.size.width
        narrow = width < NARROW_WIDTH
        self.compact = narrow
        shown: list[tuple[Binding, bool, str]] = []
        seen_actions: set[str] = set()
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show and binding.action not in seen_actions:
                seen_actions.add(binding.action)
                shown.append((binding, enabled, tooltip))
        keep = self._fitting(shown, width - _PALETTE_WIDTH[narrow] - 1, narrow)
        for binding, enabled, tooltip in shown:
            if id(binding) not in keep:
                continue
            description = _SHORT.get(binding.description, binding.description)
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                description if narrow else binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip or binding.description,
            ).data_bind(compact=Footer.compact)
        yield from self._palette_key()

    def _fitting(
        self, shown: list[tuple[Binding, bool, str]], budget: int, narrow: bool
    ) -> set[int]:
        """The bindings (by ``id()``) that fit in ``budget`` cells, most useful first."""

        def rank(item: tuple[int, tuple[Binding, bool, str]]) -> tuple[int, int]:
            index, (binding, _enabled, _tooltip) = item
            return (_RANK.get(binding.id or "", len(_RANK)), index)

        keep: set[int] = set()
        for _index, (binding, _enabled, _tooltip) in sorted(enumerate(shown), key=rank):
            label = _SHORT.get(binding.description, binding.description)
            key = self.app.get_key_display(binding)
            cost = cell_len(key) + cell_len(label if narrow else binding.description)
            cost += 2 if narrow else 4
            if cost <= budget:
                keep.add(id(binding))
                budget -= cost
        return keep

    def _palette_key(self) -> ComposeResult:
        if not (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE):
            return
        try:
            _node, binding, enabled, _tooltip = self.screen.active_bindings[
                self.app.COMMAND_PALETTE_BINDING
            ]
        except KeyError:
            return
        yield FooterKey(
            binding.key,
            self.app.get_key_display(binding),
            binding.description,
            binding.action,
            classes="-command-palette",
            disabled=not enabled,
            tooltip=binding.tooltip or binding.description,
        )
