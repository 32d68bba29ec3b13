"""The dashboard's charts with pyqtgraph (docs/analytics.md, "Charts"): funnel bars, estimated
and recorded value side by side, the hour × weekday heat map.

One blue hue in steps (as the PDF report), with the numbers written on the chart: it reads the
same for colour-blind eyes. A step not measured yet gets no bar and the words, never a 0.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QFont

BLUES = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
INK = "#212529"

pg.setConfigOptions(antialias=True, background="w", foreground=INK)


class MoneyAxis(pg.AxisItem):
    """Whole guaraníes with thousands points (35.000.000), never 3.5e+07."""

    separator = "."  # Spanish; "," in English

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [f"{round(v * scale):,}".replace(",", self.separator) for v in values]


def _plot(parent: object = None, *, money: bool = False) -> pg.PlotWidget:
    axes = {"left": MoneyAxis("left")} if money else None
    widget = pg.PlotWidget(parent, axisItems=axes)
    widget.setMenuEnabled(False)
    widget.setMouseEnabled(False, False)
    widget.hideButtons()
    widget.setMinimumHeight(220)
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the tables beside them hold the figures
    return widget


def _label(text: str, color: str = INK, anchor: tuple[float, float] = (0, 0.5)) -> pg.TextItem:
    item = pg.TextItem(text, color=color, anchor=anchor)
    font = QFont()
    font.setPointSize(9)
    item.setFont(font)
    return item


class FunnelChart:
    """Horizontal bars, top step first, each with its number (or "not measured yet")."""

    def __init__(self) -> None:
        self.widget = _plot()
        self.widget.getAxis("bottom").setStyle(showValues=False)
        self.widget.getAxis("bottom").setPen(None)
        self.texts: list[str] = []  # what the chart writes, for tests and accessibility

    def show(self, labels: Sequence[str], values: Sequence[int | None], missing: str) -> None:
        plot = self.widget.getPlotItem()
        plot.clear()
        self.texts = []
        count = len(labels)
        rows = [count - 1 - i for i in range(count)]  # first step on top
        top = max([v for v in values if v] or [1])
        measured = [(r, v) for r, v in zip(rows, values, strict=True) if v is not None]
        if measured:
            plot.addItem(
                pg.BarGraphItem(
                    x0=0,
                    y=[r for r, _ in measured],
                    height=0.6,
                    width=[v for _, v in measured],
                    brush=BLUES[3],
                    pen=None,
                )
            )
        for row, value in zip(rows, values, strict=True):
            text = f"{value:,}".replace(",", ".") if value is not None else missing
            item = _label(f"  {text}", INK if value is not None else "#6c757d")
            item.setPos(QPointF(value or 0, row))
            plot.addItem(item)
            self.texts.append(text)
        plot.getAxis("left").setTicks([[(r, label) for r, label in zip(rows, labels, strict=True)]])
        plot.setXRange(0, top * 1.35, padding=0)
        plot.setYRange(-0.6, count - 0.4, padding=0)
        self.widget.setAccessibleDescription(
            "; ".join(f"{label}: {text}" for label, text in zip(labels, self.texts, strict=True))
        )


class ValueChart:
    """Estimated and recorded value per period, side by side (never added)."""

    def __init__(self) -> None:
        self.widget = _plot(money=True)
        self.widget.getAxis("left").enableAutoSIPrefix(False)
        self.legend = self.widget.getPlotItem().addLegend(offset=(10, 10))
        self.periods: list[str] = []

    def show(
        self,
        periods: Sequence[str],
        estimated: Sequence[int],
        recorded: Sequence[int],
        names: tuple[str, str],
        separator: str = ".",
    ) -> None:
        plot = self.widget.getPlotItem()
        plot.clear()
        self.legend.clear()
        axis = plot.getAxis("left")
        if isinstance(axis, MoneyAxis):
            axis.separator = separator
        self.periods = list(periods)
        x = np.arange(len(periods), dtype=float)
        for values, offset, colour, name in (
            (estimated, -0.2, BLUES[3], names[0]),
            (recorded, 0.2, BLUES[1], names[1]),
        ):
            bars = pg.BarGraphItem(x=x + offset, height=list(values), width=0.38, brush=colour)
            plot.addItem(bars)
            self.legend.addItem(bars, name)
        plot.getAxis("bottom").setTicks([list(enumerate(periods))])
        plot.getAxis("left").setLabel("₲")
        top = max([*estimated, *recorded, 1])
        plot.setYRange(0, top * 1.35, padding=0)  # room for the legend above the bars
        plot.setXRange(-0.7, max(len(periods) - 0.3, 0.7), padding=0)


def heat_colour_map() -> pg.ColorMap:
    """White to dark blue, one hue: order is readable without telling colours apart."""
    return pg.ColorMap(np.linspace(0, 1, 1 + len(BLUES)), ["#ffffff", *BLUES])


class HeatMap:
    """Redemptions by weekday (rows, Monday on top) and hour (columns), numbers in the cells."""

    def __init__(self) -> None:
        self.widget = _plot()
        self.widget.setMinimumHeight(260)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(heat_colour_map())
        self.widget.getPlotItem().addItem(self.image)
        self.widget.getPlotItem().invertY(True)
        self.grid: list[list[int]] = [[0] * 24 for _ in range(7)]
        self.days: Sequence[str] = ()
        self.word = "{count}"
        self._numbers: list[pg.TextItem] = []
        self.widget.scene().sigMouseMoved.connect(self._hover)

    def show(self, grid: Sequence[Sequence[int]], days: Sequence[str], word: str) -> None:
        """``word`` is the tooltip's pattern, with ``{day}``, ``{hour}`` and ``{count}``."""
        plot = self.widget.getPlotItem()
        for item in self._numbers:
            plot.removeItem(item)
        self._numbers = []
        self.grid = [list(row) for row in grid]
        self.days, self.word = days, word
        data = np.array(self.grid, dtype=float)
        top = float(data.max()) or 1.0
        self.image.setImage(data, levels=(0, top))
        for day, row in enumerate(self.grid):
            for hour, count in enumerate(row):
                if count:
                    dark = count / top > 0.6
                    item = _label(str(count), "#ffffff" if dark else INK, anchor=(0.5, 0.5))
                    item.setPos(QPointF(hour + 0.5, day + 0.5))
                    plot.addItem(item)
                    self._numbers.append(item)
        plot.getAxis("left").setTicks([[(d + 0.5, name[:3]) for d, name in enumerate(days)]])
        plot.getAxis("bottom").setTicks([[(h + 0.5, f"{h:02d}") for h in range(0, 24, 2)]])
        plot.setXRange(0, 24, padding=0)
        plot.setYRange(0, 7, padding=0)

    def cell_text(self, day: int, hour: int) -> str:
        return self.word.format(
            day=self.days[day] if self.days else day, hour=f"{hour:02d}", count=self.grid[day][hour]
        )

    def _hover(self, position: QPointF) -> None:
        point = self.widget.getPlotItem().vb.mapSceneToView(position)
        day, hour = int(point.y()), int(point.x())
        if 0 <= day < 7 and 0 <= hour < 24 and point.x() >= 0 and point.y() >= 0:
            self.widget.setToolTip(self.cell_text(day, hour))
        else:
            self.widget.setToolTip("")
