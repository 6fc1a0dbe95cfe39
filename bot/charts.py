"""Chart images (PNG) for poll results and reports; call them via `asyncio.to_thread`."""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from types import ModuleType

# Labels are kept to digits and Latin text: the default fonts have no CJK glyphs, and the
# message beside the chart carries the option names in the reader's language.


@cache
def _pyplot() -> ModuleType:
    """matplotlib, imported at the first chart: importing it takes a third of a second,
    which the bot's start (and every update handled meanwhile) does not need to wait for."""
    import matplotlib

    matplotlib.use("Agg")  # no display; must precede pyplot
    from matplotlib import pyplot

    return pyplot


def bar_chart(
    values: Sequence[int], labels: Sequence[str], *, highlight: Sequence[int] = ()
) -> bytes:
    """Horizontal bars, one per value, labelled and annotated with the count."""
    height = 0.6 + 0.45 * len(values)
    pyplot = _pyplot()
    figure, axes = pyplot.subplots(figsize=(6, height), dpi=100)
    try:
        positions = list(range(len(values)))[::-1]
        colours = ["#2e7d32" if i in highlight else "#90a4ae" for i in range(len(values))]
        axes.barh(positions, values, color=colours)
        axes.set_yticks(positions, labels=list(labels))
        top = max(values, default=0)
        axes.set_xlim(0, max(top * 1.15, 1))
        for position, value in zip(positions, values, strict=True):
            axes.text(value + top * 0.02 + 0.05, position, str(value), va="center")
        axes.spines[["top", "right"]].set_visible(False)
        axes.xaxis.set_visible(False)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        pyplot.close(figure)


def grouped_bar_chart(labels: Sequence[str], new: Sequence[int], resolved: Sequence[int]) -> bytes:
    """Two horizontal bars per label: new (grey) above resolved (green)."""
    count = len(labels)
    pyplot = _pyplot()
    figure, axes = pyplot.subplots(figsize=(6, 1.0 + 0.6 * count), dpi=100)
    try:
        positions = list(range(count))[::-1]
        height = 0.38
        new_bars = axes.barh(
            [p + height / 2 for p in positions], list(new), height, color="#90a4ae", label="new"
        )
        resolved_bars = axes.barh(
            [p - height / 2 for p in positions],
            list(resolved),
            height,
            color="#2e7d32",
            label="resolved",
        )
        axes.set_yticks(positions, labels=list(labels))
        top = max((*new, *resolved), default=0)
        axes.set_xlim(0, max(top * 1.15, 1))
        for bars in (new_bars, resolved_bars):
            axes.bar_label(bars, padding=2)
        axes.spines[["top", "right"]].set_visible(False)
        axes.xaxis.set_visible(False)
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        pyplot.close(figure)
