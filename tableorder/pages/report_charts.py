"""Bar charts of a sales report as geometry for inline SVG (`templates/reports/sales.html`):
the server draws them, so the page needs no script and labels are escaped by the template."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from core.money import won

# The drawing's own units; the SVG scales to the page's width.
WIDTH = 900
HEIGHT = 280
LEFT = 112  # room for the amounts of the scale
BOTTOM = 30  # room for the labels under the bars
TOP = 12
MAX_LABELS = 12
ROW = 30  # a horizontal bar's row height
LABEL_WIDTH = 190  # room for an item's name
NAME_LENGTH = 14


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # empty when the axis has no room for it
    value: str  # the bar's figure, for its tooltip (and drawn beside a horizontal bar)
    title: str  # the bar's tooltip: its label and figure

    @property
    def center(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def end(self) -> float:
        """Where the figure of a horizontal bar is written."""
        return round(self.x + self.width + 8, 1)

    @property
    def middle(self) -> float:
        """The baseline of a horizontal bar's text."""
        return round(self.y + self.height / 2 + 5, 1)


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    scale: list[tuple[float, str]]  # (y, amount) of each line of the scale
    baseline: float
    left: int = LEFT  # where the bars start; the scale's amounts end before it


def _step(top: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50… that cuts 0…top into at most four parts."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor * 4 >= top:
                return step * factor
        step *= 10


def column_chart(rows: Sequence[dict[str, Any]], label: Callable[[Any], str]) -> Chart:
    """Vertical bars of each row's amount, in the rows' order, labels thinned to fit."""
    plot_height = HEIGHT - TOP - BOTTOM
    baseline = float(HEIGHT - BOTTOM)
    top = max((row["amount"] for row in rows), default=0)
    step = _step(top) if top else 1
    ceiling = max(step * -(-top // step), step)
    slot = (WIDTH - LEFT) / max(len(rows), 1)
    every = -(-len(rows) // MAX_LABELS)
    bars = []
    for index, row in enumerate(rows):
        height = plot_height * row["amount"] / ceiling
        text = label(row["key"])
        bars.append(
            Bar(
                x=round(LEFT + index * slot + slot * 0.15, 1),
                y=round(baseline - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                label=text if index % every == 0 else "",
                value=won(row["amount"]),
                title=f"{text}: {won(row['amount'])}",
            )
        )
    scale = [(round(baseline - plot_height * n * step / ceiling, 1), won(n * step)) for n in range(ceiling // step + 1)]
    return Chart(width=WIDTH, height=HEIGHT, bars=bars, scale=scale, baseline=baseline)


def bar_chart(rows: Sequence[dict[str, Any]], label: Callable[[Any], str], limit: int = 10) -> Chart:
    """Horizontal bars of the first `limit` rows' amounts (names shortened to fit), the largest first."""
    shown = list(rows[:limit])
    top = max((row["amount"] for row in shown), default=0) or 1
    room = WIDTH - LABEL_WIDTH - 130  # the figure is written after the bar
    bars = []
    for index, row in enumerate(shown):
        text = label(row["key"])
        short = text if len(text) <= NAME_LENGTH else text[: NAME_LENGTH - 1] + "…"
        bars.append(
            Bar(
                x=LABEL_WIDTH,
                y=index * ROW + 4,
                width=round(max(room * row["amount"] / top, 1), 1),
                height=ROW - 8,
                label=short,
                value=won(row["amount"]),
                title=f"{text}: {won(row['amount'])}",
            )
        )
    return Chart(width=WIDTH, height=max(len(shown), 1) * ROW, bars=bars, scale=[], baseline=0)
