"""Colours resolved against the background they are drawn on, and kept readable.

Textual's theme colours are often translucent (``$text-muted`` is "auto 60%",
a selection ``$accent 25%``). A widget that renders its own segments must blend
them onto the real background itself: handing Rich a translucent colour drops
the alpha and paints it solid. Every text colour is then checked against its
background and, where a theme leaves it too faint, pushed towards black or
white until it reads (WCAG 2 contrast).
"""

from __future__ import annotations

from rich.style import Style
from textual.color import Color
from textual.css.styles import RenderStyles

# WCAG AA for body text; large text and marks only need 3:1, but the list is small text.
MIN_CONTRAST = 4.5


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: Color) -> float:
    """Relative luminance (WCAG 2) of an opaque colour."""
    r, g, b = colour.rgb
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(foreground: Color, background: Color) -> float:
    """The WCAG 2 contrast ratio of two opaque colours, from 1 to 21."""
    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def readable(foreground: Color, background: Color, minimum: float = MIN_CONTRAST) -> Color:
    """``foreground`` on ``background``, moved towards black or white until it reads."""
    foreground = background + foreground  # translucent colours blended first
    if contrast(foreground, background) >= minimum:
        return foreground
    black, white = Color(0, 0, 0), Color(255, 255, 255)
    target = black if contrast(black, background) > contrast(white, background) else white
    for step in range(1, 11):
        candidate = foreground.blend(target, step / 10)
        if contrast(candidate, background) >= minimum:
            return candidate
    return target


def layer(background: Color, foreground: Color, styles: RenderStyles) -> tuple[Color, Color, Style]:
    """Lay one set of component styles over a background and foreground.

    Returns the new opaque background, the (still unresolved) foreground and
    the text style the component adds.
    """
    if styles.has_rule("background"):
        background = background + styles.background
    if styles.has_rule("color"):
        if styles.auto_color:
            foreground = background.get_contrast_text(styles.color.a)
        else:
            foreground = styles.color
    text_style = styles.text_style if styles.has_rule("text_style") else Style()
    return background, foreground, text_style


def rich_style(foreground: Color, background: Color, text_style: Style | None = None) -> Style:
    """A Rich style with a readable foreground on an opaque background."""
    colour = readable(foreground, background)
    style = Style(color=colour.rich_color, bgcolor=background.rich_color)
    return style + text_style if text_style else style


# Theme variables used as text, and the backgrounds (each a stack of variables
# laid over ``$background``) they are drawn on.
_TEXT_ON: dict[str, tuple[tuple[str, ...], ...]] = {
    "foreground": (("surface",), ("panel",), ()),
    "text-muted": (("surface",), ("panel",), ("surface", "boost"), ()),
    "text-disabled": (("surface",), ("panel",), ()),
    "footer-foreground": (("footer-background",),),
    "footer-key-foreground": (("footer-background", "footer-key-background"),),
    "footer-description-foreground": (("footer-background", "footer-description-background"),),
    "block-cursor-foreground": (("surface", "block-cursor-background"),),
    "block-cursor-blurred-foreground": (("surface", "block-cursor-blurred-background"),),
    "text-primary": (("surface",), ()),
    "text-accent": (("surface",), ()),
    "text-warning": (("surface",), ()),
    "text-error": (("surface",), ()),
    "text-success": (("surface",), ()),
}


def _parse(value: str) -> Color | None:
    try:
        return Color.parse(value)
    except Exception:  # "auto 60%", "ansi_default" and other values with no fixed colour
        return None


def _text_colour(value: str, background: Color) -> Color | None:
    """A variable's colour as drawn on ``background`` ("auto N%" resolved there)."""
    words = value.split()
    if words and words[0] == "auto":
        alpha = float(words[1].rstrip("%")) / 100 if len(words) > 1 else 1.0
        return background + background.get_contrast_text(alpha)
    colour = _parse(value)
    return None if colour is None or colour.ansi is not None else background + colour


def readable_variables(variables: dict[str, str]) -> dict[str, str]:
    """The theme's variables with every text colour readable on its backgrounds.

    Themes whose colours are the terminal's own (the ANSI themes) are left as
    they are: their colours are not known here.
    """
    base = _parse(variables.get("background", ""))
    if base is None or base.ansi is not None:
        return variables
    fixed = dict(variables)
    for name, stacks in _TEXT_ON.items():
        if name not in fixed:
            continue
        backgrounds: list[Color] = []
        for stack in stacks:
            background = base
            for layer_name in stack:
                colour = _parse(fixed.get(layer_name, "transparent"))
                if colour is None or colour.ansi is not None:
                    break
                background += colour
            else:
                backgrounds.append(background)
        if not backgrounds:
            continue
        text = _text_colour(fixed[name], backgrounds[0])
        if text is None:
            continue
        # Focused and hovered widgets tint their background towards the text a little.
        backgrounds += [background.blend(text, 0.08) for background in backgrounds]
        for _ in range(3):  # nudging it for one background may undo another
            for background in backgrounds:
                text = readable(text, background)
        fixed[name] = text.hex
    return fixed


def muted_style(variables: dict[str, str]) -> Style:
    """Secondary text in Rich renderables: the theme's readable ``$text-muted``.

    Rich's ``dim`` leaves the fading to the terminal, too faint on light themes.
    """
    colour = _parse(variables.get("text-muted", ""))
    return Style(color=colour.rich_color) if colour is not None else Style(dim=True)


def match_style(variables: dict[str, str]) -> Style:
    """Searched-for words: the theme's readable accent, bold and underlined."""
    colour = _parse(variables.get("text-accent", ""))
    style = Style(bold=True, underline=True)
    return style + Style(color=colour.rich_color) if colour is not None else style
