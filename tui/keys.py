"""Who owns which keys: found by walking the screens, for the help screen and the palette.

Nothing here lists widgets by hand: a widget that declares bindings is a key
owner wherever it is mounted, and a screen is one when it declares a help
title (``HELP_TITLE``), so a new pane or screen with keys needs no list to be
added to.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen


def own_bindings(owner: type[DOMNode]) -> list[Binding]:
    """The described bindings a class declares itself (not those it inherits)."""
    declared = vars(owner).get("BINDINGS", [])
    return [binding for binding in declared if isinstance(binding, Binding) and binding.description]


def inherited_bindings(owner: type[DOMNode]) -> list[Binding]:
    """The described bindings of a class and of the reader's classes it derives from.

    Textual's own classes are left out: their keys (tab moves focus) are not the reader's.
    """
    found: list[Binding] = []
    for cls in owner.__mro__:
        if cls.__module__.startswith("textual") or not issubclass(cls, DOMNode):
            continue
        found += own_bindings(cls)
    return found


def help_title(owner: type[DOMNode]) -> str:
    """The heading of an owner's keys on the help screen (its class name when it has none)."""
    title = getattr(owner, "HELP_TITLE", None)
    return title if isinstance(title, str) else owner.__name__


def key_owners(screen: Screen[Any]) -> list[DOMNode]:
    """The screen and its widgets that declare keys, in the order keys reach them.

    The focused widget and its containers answer a key before the screen does;
    the other widgets (the search bar, the note editor) once they have focus.
    A screen counts only with a help title: a dialog's keys (esc closes it)
    are shown by the dialog itself.
    """
    chain: list[DOMNode] = []
    for node in screen.focused.ancestors_with_self if screen.focused else [screen]:
        chain.append(node)
        if node is screen:
            break
    others = [node for node in screen.walk_children() if node not in chain]
    return [
        node
        for node in (*chain, *others)
        if own_bindings(type(node)) and (not isinstance(node, Screen) or _titled(type(node)))
    ]


def _titled(owner: type[DOMNode]) -> bool:
    return "HELP_TITLE" in vars(owner)


def titled_screens() -> list[type[Screen[Any]]]:
    """Every screen of the reader that declares a help title, in module order."""
    import tui.screens

    for module in pkgutil.iter_modules(tui.screens.__path__, "tui.screens."):
        importlib.import_module(module.name)
    found: list[type[Screen[Any]]] = []
    pending: list[type[Screen[Any]]] = [Screen]
    while pending:
        for screen_class in pending.pop(0).__subclasses__():
            pending.append(screen_class)
            if screen_class.__module__.startswith("tui.") and _titled(screen_class):
                found.append(screen_class)
    return sorted(found, key=lambda screen_class: screen_class.__module__)
