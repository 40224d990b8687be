"""The app's one set of colours: CARTO "Safe", a qualitative palette that stays distinguishable
with the common colour-vision deficiencies.

Plots, the Projector and highlighted text take their colours from here, so a colour means the
same thing on every page. No plotting library is imported.
"""

from __future__ import annotations

SAFE_PALETTE = [
    "#88CCEE",
    "#CC6677",
    "#DDCC77",
    "#117733",
    "#332288",
    "#AA4499",
    "#44AA99",
    "#999933",
    "#882255",
    "#661100",
    "#6699CC",
    "#888888",
]

PRIMARY = SAFE_PALETTE[4]  # indigo: a series with no category (bars, posterior means, a path)
EMPHASIS = SAFE_PALETTE[1]  # rose: the one that matters (the drawn character, the chosen point, the sliders' z)
NEUTRAL = SAFE_PALETTE[-1]  # grey: "other", bands and guide lines


def rgba(colour: str, alpha: float) -> str:
    """A "#RRGGBB" colour as a CSS rgba() with opacity `alpha` (0 = invisible, 1 = solid)."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha:.2f})"
