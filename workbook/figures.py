"""Diagrams drawn with matplotlib from a problem's figure spec (plain data), returned as SVG text.

The same spec always gives the same bytes: a fixed SVG hash salt, no date in the metadata, and
the object-oriented API (no pyplot global state).
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import os
import re
import unicodedata
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path

from workbook.cache import key_folder

# matplotlib warns, on import, with the path of a config folder it cannot write, as the environment
# spells it (escape sequences and line breaks included); it then uses a temporary one, which is fine
logging.getLogger("matplotlib").setLevel(logging.ERROR)
# one folder for matplotlib, the one the README names (~/.cache/matplotlib, for its font list): it made
# ~/.config/matplotlib on import as well, a folder outside the build that no one asked for
if not os.environ.get("MPLCONFIGDIR"):
    if (_keys := key_folder()) is not None:
        os.environ["MPLCONFIGDIR"] = str(_keys.parent / "matplotlib")
    else:  # a home folder given as no absolute path: a private temporary one, as matplotlib makes where it must
        import atexit
        import shutil
        import tempfile

        os.environ["MPLCONFIGDIR"] = tempfile.mkdtemp(prefix="matplotlib-")
        atexit.register(shutil.rmtree, os.environ["MPLCONFIGDIR"], ignore_errors=True)

import matplotlib
import matplotlib.font_manager
import matplotlib.patches

matplotlib.use("Agg")
# matplotlib has already read a matplotlibrc from the working folder (someone else's, say) or from
# $MATPLOTLIBRC: its own defaults instead, so no file that no option names changes a figure (nor, with
# text.usetex, runs LaTeX with a preamble someone else wrote)
matplotlib.rcdefaults()

import itertools

import numpy as np
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, MultipleLocator

from workbook import figcheck
from workbook.figcheck import BESIDE_CM, COLUMN_CM, PAD_IN, SHEET_CM, SHRINK, printed_cm, wide  # noqa: F401

# what a cached figure depends on: this file's code and matplotlib's version
# (and workbook.figcheck's, whose measures place the labels)
VERSION = (hashlib.sha256(Path(__file__).read_bytes() + Path(figcheck.__file__).read_bytes()).hexdigest()[:16]
           + "|" + matplotlib.__version__)

WIDTH_IN = 2.85  # about 7.5 cm: a plot prints at its own size beside the steps (BESIDE_CM), its text as set
STYLE = {
    "svg.hashsalt": "workbook",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.linewidth": 0.6,
    "axes.edgecolor": "#444444",
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
}


def natural_cm(data: bytes, fmt: str, dpi: int | None = None) -> float:
    """The width a saved figure was drawn at: a PNG's pixels at PRINT_DPI, an SVG's width in points."""
    if fmt == "png":
        return int.from_bytes(data[16:20], "big") / (dpi or PRINT_DPI) * 2.54
    match = re.search(rb'<svg[^>]*?\swidth="([0-9.]+)pt"', data[:4000])
    if match is None:
        raise FigureError("a figure's SVG gives no width in points")
    return float(match.group(1)) / 72 * 2.54


class FigureError(ValueError):
    """A figure spec that cannot be drawn."""


def _mathtext(latex: str) -> str:
    """A label matplotlib's mathtext can draw: no \\left/\\right sizing, no environments."""
    text = latex.replace(r"\left", "").replace(r"\right", "")
    text = re.sub(r"\\operatorname\{(\w+)\}", r"\\mathrm{\1}", text)
    # an accented letter as one glyph (û): mathtext sets the accent apart, and in the SVG, drawn with the PDF's
    # fonts, it stood beside the u (read49 F2)
    text = re.sub(r"\\(hat|tilde|bar)(?:\{([A-Za-z])\}|\s+([A-Za-z])(?![A-Za-z]))", _one_glyph, text)
    return f"${_inline_fractions(text)}$"


_ACCENTS = {"hat": "\u0302", "tilde": "\u0303", "bar": "\u0304"}


def _one_glyph(m: re.Match) -> str:
    """\\hat{u} as û where a character of its own has the accent, else as it was."""
    one = unicodedata.normalize("NFC", (m[2] or m[3]) + _ACCENTS[m[1]])
    return one if len(one) == 1 else m[0]


_FRACTION = re.compile(r"\\[dt]?frac\{((?:[^{}]|\{[^{}]*\})*)\}\{((?:[^{}]|\{[^{}]*\})*)\}")


def _inline_fractions(text: str) -> str:
    """Each fraction written a/b, in brackets where a part is a sum: mathtext stacks \\frac at 70% of the
    label's size, and x³/3 in a legend printed at 5 pt (read26)."""
    def part(s: str) -> str:
        s = _inline_fractions(s).strip()
        return f"({s})" if re.search(r"[-+ /]|\\cdot", s.lstrip("-")) else s

    for _ in range(8):  # innermost first: a fraction within a fraction's part
        text, n = _FRACTION.subn(lambda m: f"{part(m[1])}/{part(m[2])}", text)
        if not n:
            break
    return text


def tangent_figure(spec: dict) -> str:
    """The function, its tangent line at (x0, y0), and the point marked."""
    x = np.asarray(spec["x"], dtype=float)
    y = np.asarray([np.nan if v is None else v for v in spec["y"]], dtype=float)
    x0, y0, slope = float(spec["x0"]), float(spec["y0"]), float(spec["slope"])
    line = y0 + slope * (x - x0)

    finite = y[np.isfinite(y)]
    lo, hi = np.percentile(finite, [2, 98]) if finite.size else (y0 - 1, y0 + 1)
    lo, hi = min(lo, y0), max(hi, y0)
    pad = 0.15 * (hi - lo or 1.0)

    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(WIDTH_IN, WIDTH_IN * 0.72))
        FigureCanvasSVG(fig)
        ax = fig.add_axes((0.15, 0.16, 0.81, 0.78))
        ax.axhline(0, color="#999999", linewidth=0.5, zorder=0)
        ax.axvline(0, color="#999999", linewidth=0.5, zorder=0)
        ax.plot(x, y, color="#1f4e79", linewidth=1.6, label=_safe_label(spec.get("label", "f(x)")))
        if spec.get("tangent", True):  # a worksheet's curve leaves the tangent to the student (workbook.marking)
            ax.plot(x, line, color="#c0504d", linewidth=1.2, linestyle="--",
                    label=_safe_label(spec.get("tangent_label", "tangent")))
        ax.plot([x0], [y0], "o", color="#c0504d", markersize=4.5, zorder=3)
        if spec.get("tangent", True):
            _label(ax, f"({_short(x0)}, {_short(y0)})", (x0, y0), fontsize=8)
        ax.set_xlim(x.min(), x.max())
        ax.set_ylim(lo - pad, hi + pad)
        return _finish(fig, ax, spec.get("xlabel", "x"), spec.get("ylabel", "y"), legend_size=7.5)


def _finish(fig: Figure, ax, xlabel: str, ylabel: str, legend_size: float = 7.5, legend_at: str = "best") -> str:
    """Axis labels, a light grid and the legend: the same finish for every plot of a function."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, linewidth=0.3, color="#dddddd")
    _place_legend(fig, ax, legend_size, legend_at)
    return _output(fig)


LEGEND_PLACES = ("upper left", "lower right", "upper right", "lower left", "center right", "center left")


def _place_legend(fig, ax, size: float, first: str = "best") -> None:
    """The legend in the first corner of the plot where it covers no line, point, arrow or text (``first``,
    then LEGEND_PLACES), else under the plot. matplotlib's "best" counts only a line's vertices: a
    horizontal line at the label y = 1, drawn by its two ends, ran through the legend."""
    for place in dict.fromkeys((first, *LEGEND_PLACES)):
        legend = ax.legend(loc=place, fontsize=size, frameon=False)
        if not _covering(fig, legend.get_texts()):
            return
    _legend_below(fig, ax, len(legend.get_texts()))


def _covering(fig, texts) -> bool:
    """Whether any of the texts lies over a line, point or arrow drawn, or over another text of the plot."""
    renderer = _renderer(fig)
    drawn = figcheck.strokes(fig)
    slack = figcheck.SLACK_PT * fig.dpi / 72
    others = [t.get_window_extent(renderer) for ax in fig.axes for t in ax.texts
              if t.get_visible() and t.get_text().strip() and not getattr(t, "_moves", None)]
    return any(figcheck.covers(t, box, stroke, slack) for t in texts
               for box in [t.get_window_extent(renderer)] for stroke in drawn) or any(
        figcheck.overlap(t.get_window_extent(renderer), other, slack) for t in texts for other in others)


def _short(value: float) -> str:
    """A coordinate as a reader writes it: 1485.125, -10, 0.25 (never 1.49e+03)."""
    text = f"{value:.3f}".rstrip("0").rstrip(".") if abs(value) < 1e6 else f"{value:.3g}"
    return "0" if text in ("-0", "") else text


_MINUS = re.compile(r"(?<![\w.)])-(?=\.?\d)")  # "-0.5", "δ=-0.0565": not "x-axis" or "2-2-1"


def _minus(text: str) -> str:
    """A label's minus signs as the typographer's minus (−), as the axes' ticks print them: a hyphen reads
    as a dash (mathtext, between $ signs, sets its own)."""
    return text if "$" in text else _MINUS.sub("\u2212", text)


def _level_text(value: float) -> str:
    """A contour line's label: its level to as few figures as say it (at least three: 2.5, 152.5, 0.0025), a negative
    one with a minus sign. To three alone, 152.5 printed "152" and 252.5 "252" beside a "2.5" (read40)."""
    digits = next((d for d in range(3, 9) if abs(float(f"{value:.{d}g}") - value) <= 1e-9 * max(1.0, abs(value))), 8)
    return _minus(f"{value:.{digits}g}")


def _label(ax, text: str, at, *, fontsize: float, color: str = "#222222", boxed: bool = False, near: float = 5,
           close: bool = False):
    """A point's label, set beside it where it covers no line, point or other text (_place_labels
    tries each side, near and then farther). A ``close`` label (an iterate's number) is tried near its point
    only, and left out where no place there is clear: farther off it was read as another point's (seed 99's
    "3" floated above the curve)."""
    sides = [(near, -near, "left", "top"), (near, near, "left", "bottom"), (-near, near, "right", "bottom"),
             (-near, -near, "right", "top"), (0, near + 2, "center", "bottom"), (0, -near - 2, "center", "top"),
             (near + 2, 0, "left", "center"), (-near - 2, 0, "right", "center")]
    moves = [(tuple(at), (far * dx, far * dy, ha, va)) for far in ((1, 2.4) if close else (1, 2.4, 4, 6))
             for dx, dy, ha, va in sides]
    extra = {"bbox": {"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 1.0}} if boxed else {}
    dx, dy, ha, va = sides[0]
    label = ax.annotate(_minus(text), at, textcoords="offset points", xytext=(dx, dy), ha=ha, va=va,
                        fontsize=fontsize, color=color, **extra)
    label._moves, label._sides = moves, len(sides)  # each distance's places in turn
    label._point = True  # read as the label of the nearest point: placed nearer its own than any other
    label._close = close
    return label


def _outward_first(label, anchors) -> list:
    """A point's label's places, each distance from it in turn, on the side away from the other labelled points
    first: four critical points a square apart had "minimum" set beside the saddle's dot and "saddle point" between
    its own and the minimum's (read47 F1); set outwards, each reads as its own point's."""
    own = label.axes.transData.transform(label._moves[0][0])
    away = np.zeros(2)
    for ax, other in anchors:
        d = own - other
        if ax is label.axes and (length := float(np.hypot(*d))) > 1e-6:
            away += d / length**2
    if not away.any():
        return label._moves

    def key(indexed):
        i, (_, (dx, dy, _ha, _va)) = indexed
        return i // label._sides, -(dx * away[0] + dy * away[1]) / (float(np.hypot(dx, dy)) or 1.0), i
    return [move for _, move in sorted(enumerate(label._moves), key=key)]


def _nearer_another(label, box, anchors) -> bool:
    """Whether a point's label at ``box`` sits nearer another labelled point than its own, or not clearly
    nearer its own (a reader would take it for that point's: "minimum" under the saddle; "saddle point"
    between a maximum and its saddle, 12 and 7 pixels from them)."""
    def gap(x: float, y: float) -> float:
        return float(np.hypot(max(box.x0 - x, 0.0, x - box.x1), max(box.y0 - y, 0.0, y - box.y1)))

    own = label.axes.transData.transform(label.xy)
    mine = gap(*own)
    return any(gap(*a) < 2 * mine for ax, a in anchors if ax is label.axes and not np.allclose(a, own))


def _arc(ax, start, end, rad: float, n: int = 41) -> np.ndarray:
    """Points along the edge matplotlib draws from start to end with connectionstyle arc3 (rad 0: straight),
    in data coordinates: its control point is rad times the chord away from the chord's middle, on screen."""
    to_screen = ax.transData
    p0, p1 = to_screen.transform(start), to_screen.transform(end)
    (dx, dy) = p1 - p0
    control = (p0 + p1) / 2 + rad * np.array([dy, -dx])
    t = np.linspace(0.0, 1.0, n)[:, None]
    return to_screen.inverted().transform((1 - t) ** 2 * p0 + 2 * t * (1 - t) * control + t ** 2 * p1)


def _bend(ax, start, end, others) -> float:
    """0 for an edge that meets no node on its way; an edge that skips a layer through a node goes round it."""
    for rad in (0.0, 0.2, -0.2, 0.3, -0.3, 0.4, -0.4, 0.55, -0.55):
        points = _arc(ax, start, end, rad)
        # a node's box, with its operation above it and its gradient below
        if not any(np.any((np.abs(points[:, 0] - x) < HALF + 0.04) & (points[:, 1] > y - 0.47) & (points[:, 1] < y + 0.36))
                   for x, y in others):
            return rad
    return 0.55


ALONG = (0.5, 0.38, 0.62, 0.28, 0.72, 0.2, 0.8)  # where on its edge a weight goes, the first free place
ALONG_CROSSED = (0.22, 0.78, 0.25, 0.75, 0.28, 0.72, 0.2, 0.8, 0.38, 0.62, 0.5)  # an edge another crosses: well off the crossing


def _crosses(arc: np.ndarray, others: list[np.ndarray]) -> bool:
    """Whether another edge's line (one sharing no node with this one) crosses this edge's: some segment of
    each has the ends of a segment of the other on its two sides."""

    def sides(p0, p1, r):  # which side of each segment p0 -> p1 each point r is on (rows: segments, columns: points)
        return ((p1[:, None, 0] - p0[:, None, 0]) * (r[None, :, 1] - p0[:, None, 1])
                - (p1[:, None, 1] - p0[:, None, 1]) * (r[None, :, 0] - p0[:, None, 0]))

    a0, a1 = arc[:-1], arc[1:]
    for other in others:
        b0, b1 = other[:-1], other[1:]
        # at most 0, not below: two straight edges of a 2-2-1 network cross exactly at a point of both, where
        # each product is 0, and the crossing went unseen, so both weights were set on it (read22 to read24)
        on_a, on_b = sides(a0, a1, b0), sides(a0, a1, b1)
        meet = (on_a * on_b <= 0) & (sides(b0, b1, a0) * sides(b0, b1, a1) <= 0).T
        # two segments on one line (a chain's x → u₁ and u₂ → y) meet only where their spans overlap: counted as
        # crossing, a chain's weights were all set near their arrows' starts, cos(u₂) over its box (read26)
        inline = (on_a == 0) & (on_b == 0)
        apart = np.zeros_like(meet)
        for k in range(2):
            lo_a, hi_a = np.minimum(a0[:, k], a1[:, k])[:, None], np.maximum(a0[:, k], a1[:, k])[:, None]
            lo_b, hi_b = np.minimum(b0[:, k], b1[:, k])[None, :], np.maximum(b0[:, k], b1[:, k])[None, :]
            apart |= (hi_a < lo_b) | (hi_b < lo_a)
        if np.any(meet & ~(inline & apart)):
            return True
    return False


def _star(ax, at, **kwargs) -> None:
    """A contour plot's point of note among paths (a minimum, a marked point): a dark star, ringed in white."""
    ax.plot([at[0]], [at[1]], "*", color="#222222", markeredgecolor="white", markeredgewidth=0.6, markersize=10,
            zorder=6, linestyle="none", **kwargs)


def _on_edge(ax, text: str, points: np.ndarray, gid: str, crossed: bool = False):
    """An edge's weight on the edge itself (on a white box), where along it no other edge or label is:
    it reads as this edge's, never a neighbour's. On an edge that another crosses (a 2-2-1 network's
    x₁ → h₂ and x₂ → h₁) it goes well off the crossing first, where no one can take it for the other's."""
    n = len(points) - 1
    along = [(tuple(points[round(t * n)]), (0, 0, "center", "center")) for t in (ALONG_CROSSED if crossed else ALONG)]
    if abs(points[-1][1] - points[0][1]) < 1e-9 and np.ptp(points[:, 1]) < 1e-9:
        # a level edge: the weight just above it, not on it, where the line running into "1" read as "−1" (read24)
        along = [(at, (0, 1.5, "center", "bottom")) for at, _ in along] + along
    # an edge too short for its weight and its arrowhead (cos(u2) between two nodes of a chain): beside it
    middle = tuple(points[round(0.45 * n)])
    along += [(middle, (0, 4, "center", "bottom")), (middle, (0, -4, "center", "top"))]
    label = ax.annotate(_minus(text), along[0][0], textcoords="offset points", xytext=(0, 0), ha="center", va="center",
                        fontsize=7.5, color="#c0504d", gid=gid,
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.9})
    label._moves = along
    return label


def _renderer(fig):
    """A renderer to measure with, after a draw that draws nothing: the plots' shapes settled, each
    arrow's path, the ticks and the legend worked out as they will be drawn."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    fig.draw_without_rendering()
    return fig.canvas.get_renderer()


def _legend_below(fig, ax, entries: int) -> None:
    """The legend under the plot, below its x label: over the plot it would hide what it names."""
    from matplotlib.transforms import ScaledTranslation

    under = ax.transAxes + ScaledTranslation(0, -30 / 72, fig.dpi_scale_trans)
    box = ax.get_position()
    middle = (0.5 - box.x0) / box.width  # the figure's middle, in the plot's own coordinates
    handles, labels = ax.get_legend_handles_labels()
    for columns in range(min(3, entries), 0, -1):  # as many columns as fit the figure's width
        # read across, row by row, as a reader reads: matplotlib fills its columns down, so that rates in order
        # read 1/4, 5/12, 1/12, 1/3 across (read47 F3); given column by column, each row holds the next ones
        rows = -(-len(handles) // columns)
        order = [r * columns + c for c in range(columns) for r in range(rows) if r * columns + c < len(handles)]
        legend = ax.legend([handles[k] for k in order], [labels[k] for k in order], loc="upper center",
                           bbox_to_anchor=(middle, 0), bbox_transform=under, fontsize=7.5,
                           ncol=columns, frameon=False, handlelength=1.6, columnspacing=1.0)
        if legend.get_window_extent(_renderer(fig)).width <= fig.bbox.width * 0.98:
            return


def _obstacles(fig, renderer, skip=()) -> list:
    """The extents of the texts already set in each plot, and of its legend."""
    boxes = [t.get_window_extent(renderer) for ax in fig.axes for t in ax.texts
             if t.get_visible() and t.get_text().strip() and t not in skip and not getattr(t, "_moves", None)]
    return boxes + [ax.get_legend().get_window_extent(renderer) for ax in fig.axes if ax.get_legend()]


LABEL_GAP_PT = 2.0  # the white space a placed label keeps from every other text


def _clashes(text, box, drawn, taken, slack: float) -> int:
    """How badly a text at ``box`` sits: a point for each stroke it covers and each extent it overlaps,
    a hundred if it leaves its plot (as workbook.figcheck judges the figure)."""
    gap = -LABEL_GAP_PT * text.figure.dpi / 72  # two labels side by side ("0" and "1") read as one ("01")
    return (sum(figcheck.covers(text, box, stroke, slack) for stroke in drawn)
            + sum(figcheck.overlap(box, other, gap) for other in taken)
            + (0 if figcheck.within(box, text.axes.bbox) else 100))


def _place_labels(fig) -> None:
    """Set each movable label (_label, _on_edge) at its first place that covers nothing, measured with
    matplotlib's own text extents (workbook.figcheck checks the result the same way)."""
    movable = [t for ax in fig.axes for t in ax.texts if getattr(t, "_moves", None)]
    if not movable:
        return
    renderer = _renderer(fig)
    drawn = figcheck.strokes(fig)
    slack = figcheck.SLACK_PT * fig.dpi / 72
    placed = _obstacles(fig, renderer)
    anchors = [(t.axes, t.axes.transData.transform(t._moves[0][0])) for t in movable if getattr(t, "_point", False)]
    anchors += [(ax, ax.transData.transform(p)) for ax in fig.axes for p in getattr(ax, "_points", ())]
    for label in movable:
        if getattr(label, "_point", False) and not getattr(label, "_close", False):
            label._moves = _outward_first(label, anchors)
        best = None
        for at, (dx, dy, ha, va) in label._moves:
            label.xy, label.xyann = at, (dx, dy)
            label.set_horizontalalignment(ha)
            label.set_verticalalignment(va)
            box = label.get_window_extent(renderer)
            cost = _clashes(label, box, drawn, placed, slack)
            if getattr(label, "_point", False) and _nearer_another(label, box, anchors):
                cost += 0.5  # worse than a clean place, better than one that covers something
            fault = cost
            if figcheck._boxed(label):  # legible over a contour line on its white box, but clear of every one where it
                # can be: "−∇f" set along the line y = 0 read as "∇f", its minus lost in the line (read30)
                cost += 0.25 * any(stroke.kind == "contour" and figcheck._crosses(stroke.points, box, slack)
                                   for stroke in drawn)  # (less than a place nearer another point costs; no fault)
            if best is None or cost < best[0]:
                best = (cost, at, (dx, dy), ha, va, box, fault)
            if cost == 0:
                break
        if best[-1] > 0 and getattr(label, "_close", False):
            label.remove()  # no clear place near its point: left out rather than set where it misleads
            if getattr(label, "_join", None) is not None:  # an iterate's number: joined to its run's nearest
                _join(*label._join)
            continue
        _, label.xy, label.xyann, ha, va, box, _ = best
        label.set_horizontalalignment(ha)
        label.set_verticalalignment(va)
        placed.append(box)


def _thin_ticks(fig) -> None:
    """Fewer ticks on an axis whose tick labels would touch (a narrow plot, long numbers), and no x label
    in the corner where the y axis's lowest label already is."""
    from matplotlib.ticker import MaxNLocator

    renderer = None
    for ax in fig.axes:
        if not ax.axison:
            continue
        for axis in (ax.xaxis, ax.yaxis):
            for bins in (None, 6, 5, 4, 3):
                if bins is not None:
                    axis.set_major_locator(MaxNLocator(nbins=bins, steps=[1, 2, 2.5, 5, 10]))
                renderer = renderer or _renderer(fig)
                boxes = [t.label1.get_window_extent(renderer) for t in axis._update_ticks() if t.label1.get_text()]
                if not any(figcheck.overlap(a, b, 0) for a, b in itertools.pairwise(boxes)):
                    break
        ys = [t.label1.get_window_extent(renderer) for t in ax.yaxis._update_ticks() if t.label1.get_text()]
        for tick in ax.xaxis._update_ticks():
            if any(figcheck.overlap(tick.label1.get_window_extent(renderer), y, 0) for y in ys):
                tick.label1.set_visible(False)


def _round_levels(lo: float, hi: float, count: int, between=(), closer: bool = False, rings=()) -> list[float]:
    """About ``count`` contour levels from lo to hi, evenly spaced at round values (2, 4, 6 or 0.25, 0.5),
    not at an odd 6.19, 10.7: the round step next above (hi - lo)/(count - 1), or with ``closer`` (lines about
    the values that matter, which a student marks) the one next below, so that they are no farther apart.
    With ``between`` (critical values a student is to find: a saddle's), none through one nor a hair from
    one, which would draw a saddle's cross and give the point away: where a level falls within a quarter step
    of one, every level moves half a step (or a quarter, or three, where that one lands nearer another).
    With ``rings`` ((value, +1) for a minimum, (value, -1) for a maximum), of the shifts that keep clear of
    ``between``, the one whose first ring round each extremum is nearest it (a level at a maximum's own value
    draws nothing, and the next ring was a step away: 0.13 of the plot)."""
    between = [between] if isinstance(between, int | float) else list(between)
    even = (hi - lo) / max(count - 1, 2)
    power = 10.0 ** np.floor(np.log10(even))
    rounds = [k * power for k in (1, 2, 2.5, 5, 10)]
    step = max(r for r in rounds if r <= even * (1 + 1e-9)) if closer else min(r for r in rounds if r >= even * (1 - 1e-9))
    first = np.ceil(lo / step - 1e-9) * step
    levels = [round(v, 12) + 0.0 for v in np.arange(first, hi + step * 1e-9, step)]  # + 0.0: no −0 label

    def clear(shift: float) -> float:  # how far the shifted levels stay from the nearest value, in steps
        return min((abs((b - first - shift) / step - round((b - first - shift) / step)) for b in between), default=1)

    def ring(shift: float) -> float:  # in steps, how far the first ring round the farthest-ringed extremum is
        gaps = [((side * (first + shift - value)) / step) % 1.0 for value, side in rings]
        return max((g if g > 0.1 else g + 1.0 for g in gaps), default=0.0)  # a ring a hair off is a dot

    if clear(0) < 0.25 or rings:
        # rounder shifts first; with several values a quarter step clear may be out of reach (values 4, 6
        # and 8 apart from a step of 10), so then the shift that keeps furthest from them
        shifts = [k * step for k in (0.0, 0.5, 0.25, 0.75, *(j / 10 for j in range(1, 10) if j != 5),
                                     *(j / 20 for j in range(1, 20, 2)))]
        fine = [s for s in shifts if clear(s) >= 0.25]
        shift = min(fine, key=ring) if fine else max(shifts, key=clear)
        # the shifted levels fill the range from its foot: one below the first, where it still fits
        start = first + shift - step if first + shift - step >= lo - 1e-9 * step else first + shift
        levels = [round(v, 12) + 0.0 for v in np.arange(start, hi + step * 1e-9, step)]
    return levels if len(levels) >= 3 else list(np.linspace(lo, hi, count))


def _contour_labels(fig, ax, cs) -> None:
    """Label the contour lines where a label covers no other line, point, arrow or text and lies inside
    the plot; the lines are then cut round the labels kept."""
    renderer = _renderer(fig)
    whole = list(cs.get_paths())  # the lines uncut, to start again from
    ax.clabel(cs, inline=False, fontsize=7.5, fmt=_level_text)
    kept = [(text.get_position(), cs.levels[_level_of(cs, text, value)])
            for text, value in zip(cs.labelTexts, cs.labelCValues)]
    for attempt in range(4):  # a label set in its line moves a little: those that then cover something go
        fits = _fitting(fig, ax, cs, renderer, whole)
        if attempt and len(fits) == len(cs.labelTexts):
            return
        kept = [kept[i] for i in fits]  # the labels set by hand come in the order of their places
        for index in reversed(range(len(cs.labelTexts))):
            cs.pop_label(index)
        cs.set_paths(list(whole))
        if not kept:
            return
        ax.clabel(cs, levels=sorted({level for _, level in kept}), manual=[at for at, _ in kept], inline=True,
                  fontsize=7.5, fmt=_level_text)
    for text, value in zip(cs.labelTexts, cs.labelCValues):
        _level_of(cs, text, value)


def _level_of(cs, text, value) -> int:
    text._level = int(np.argmin(np.abs(np.asarray(cs.cvalues) - value)))
    return text._level


def _fitting(fig, ax, cs, renderer, whole: list) -> list[int]:
    """The indices of the contour labels that lie inside the plot, cover nothing and sit on a line long
    enough to keep most of itself once cut for the label, earlier ones first."""
    drawn = figcheck.strokes(fig)
    slack = figcheck.SLACK_PT * fig.dpi / 72
    taken = _obstacles(fig, renderer, skip=set(cs.labelTexts))
    points = marked_points(ax)
    clear = POINT_CLEAR_PT * fig.dpi / 72
    fits = []
    for i, (text, value) in enumerate(zip(cs.labelTexts, cs.labelCValues)):
        level = _level_of(cs, text, value)
        box = text.get_window_extent(renderer)
        # not beside a marked point either, where it reads as that point's level: "15" against the point (1, 2),
        # whose own contour is 11 (read40)
        near = any(np.hypot(max(box.x0 - x, 0, x - box.x1), max(box.y0 - y, 0, y - box.y1)) < clear for x, y in points)
        if not near and not _clashes(text, box, drawn, taken, slack) and not _eats_its_line(cs, whole[level], box):
            fits.append(i)
            taken.append(box)
    return fits


POINT_CLEAR_PT = 9.0  # how far a contour label keeps from a marked point


def marked_points(ax) -> list[tuple[float, float]]:
    """The points a plot marks alone (a line of one point with a marker: the point asked about, a start, a
    minimum's star), in display units."""
    out = []
    for line in ax.lines:
        x, y = (np.atleast_1d(np.asarray(v, dtype=float)) for v in line.get_data())
        if line.get_visible() and len(x) == 1 and line.get_marker() not in (None, "None", "", " ") \
                and np.isfinite(x[0]) and np.isfinite(y[0]):
            out.append(tuple(line.get_transform().transform((x[0], y[0]))))
    return out


def _eats_its_line(cs, path, box) -> bool:
    """Whether a label sits on a piece of its contour line shorter than RING_LABELS times its own width:
    a small ring round an optimum, which the cut for the label would all but remove (and a label there
    sits on the point it rings)."""
    middle = np.array([(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2])
    pieces = [cs.get_transform().transform(p) for p in path.to_polygons(closed_only=False) if len(p) > 1]
    if not pieces:
        return False
    piece = min(pieces, key=lambda p: float(np.min(np.hypot(*(p - middle).T))))
    return bool(float(np.sum(np.hypot(*np.diff(piece, axis=0).T))) < RING_LABELS * max(box.width, box.height))


RING_LABELS = 6.0


def _safe_label(latex: str) -> str:
    """mathtext for a label, or the plain text if mathtext cannot parse it."""
    from matplotlib.mathtext import MathTextParser

    plain = latex.replace("$", "")[:200]
    if len(latex) > 200:
        return plain  # a label is a few symbols; a longer one is shown as text
    label = _mathtext(latex)
    try:
        MathTextParser("path").parse(label)
        return label
    except (ValueError, RecursionError):  # RecursionError: a constant nested deep enough blows mathtext's stack
        return plain


# what the drawing functions return: SVG text (None), PNG bytes at this dpi (int), or both ("both", dpi)
_OUTPUT: ContextVar[int | tuple | None] = ContextVar("figure_output", default=None)


def _output(fig: Figure):
    """The finished figure as SVG text; as PNG bytes inside figure_png; as both inside figure_both.

    Both are cropped to what is drawn: long tick labels must not push an axis label off the edge.
    """
    _place_labels(fig)
    _thin_ticks(fig)
    output = _OUTPUT.get()
    if output is None:
        return _save_svg(fig)
    if output == "figure":
        return fig
    if isinstance(output, tuple):
        return _save_svg(fig), _save_png(fig, output[1])
    return _save_png(fig, output)


def _save_svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", pad_inches=PAD_IN,
                metadata={"Date": None, "Creator": "workbook"})
    return buffer.getvalue()


def _save_png(fig: Figure, dpi: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", pad_inches=PAD_IN)
    # opaque RGB on white: WeasyPrint would split an alpha channel into a second image
    rgba = Image.open(buffer).convert("RGBA")
    out = io.BytesIO()
    Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB").save(
        out, format="PNG", compress_level=1)
    return out.getvalue()


MOST_LEVELS = 20


def contour_levels(spec: dict, z: np.ndarray) -> list[float] | int:
    """The levels a contour plot of ``z`` draws: round values about those that matter (``levels_near``),
    none a hair from a lone saddle's value (a line through it draws its cross), one through ``through``."""
    if spec.get("levels"):  # the figure's own: a bowl drawn in doubling rings (workbook.kinds.optimizer)
        return [float(v) for v in spec["levels"]]
    finite = z[np.isfinite(z)]
    lo, hi = np.percentile(finite, [1, 99])
    near = [v for v in spec.get("levels_near") or () if np.isfinite(v)]
    count = 14
    if near:  # evenly spaced still (their spacing shows the slope), about the values that matter
        p10, p90 = np.percentile(finite, [10, 90])
        # one critical value alone (a lone saddle): the levels centred on it, half a step either side of
        # it (a line through it would draw the saddle's cross, and give the point away), and wide enough
        # apart to fill the plot (at 5% of the range they crowded the asymptotes of x^2 + 2x - y^2,
        # leaving the saddle in a blank gap with no room for a label)
        alone = max(near) - min(near) < 1e-9
        spread = max((max(near) - min(near)) / 2, (0.1 if alone else 0.05) * (p90 - p10))
        reach = 2 * spread if alone else spread / 2  # several values: lines close enough to ring each of them
        # never short of the values themselves: a minimum is the lowest value in its plot, under the 1st
        # percentile, and its nearest ring was 13 below it (f = x^3 - 27x + y^3 - 27y)
        lo, hi = min(max(lo, min(near) - reach), min(near)), max(min(hi, max(near) + reach), max(near))
        if alone and lo < near[0] < hi:
            step = min(near[0] - lo, hi - near[0]) / 5
            lo, hi, count = near[0] - 4.5 * step, near[0] + 4.5 * step, 10
    avoid = near[:1] if near and alone else []
    rings = [tuple(r) for r in spec.get("levels_rings") or ()]
    levels = _round_levels(lo, hi, count, avoid, closer=bool(near), rings=rings) if hi > lo else 10
    if isinstance(levels, list) and len(levels) > MOST_LEVELS:  # the step next below made 25 lines of a
        levels = _round_levels(lo, hi, count, avoid, rings=rings)  # four-point plot: 150 kB of drawing
    through = spec.get("through")  # f at the point: the line a sketched arrow crosses at right angles
    if through is not None and hi > lo and lo < through < hi and len(levels) > 1:
        # in place of a level close beside it: two lines a hair apart read as one drawn twice
        gap = 0.4 * (levels[1] - levels[0])
        levels = sorted({*(v for v in levels if abs(v - through) >= gap), float(through)})
    return levels


@functools.cache
def _contour_colours():
    """Viridis without its palest quarter: the highest contours, and their labels, were a yellow that vanished
    on white paper and in a photocopy (read24)."""
    from matplotlib import colormaps
    from matplotlib.colors import ListedColormap

    return ListedColormap(colormaps["viridis"](np.linspace(0.0, CONTOUR_PALEST, 256)), name="viridis-print")


CONTOUR_PALEST = 0.75  # viridis at 0.75 is a mid green, #5ec962; above it the yellow-greens and yellows


def contour_figure(spec: dict) -> str:
    """Contour lines of f, the point, arrows from it (gradient, its negative) and paths (descent)."""
    x = np.asarray(spec["x"], dtype=float)
    y = np.asarray(spec["y"], dtype=float)
    z = np.array([[np.nan if v is None else v for v in row] for row in spec["z"]], dtype=float)
    span = min(x.max() - x.min(), y.max() - y.min())
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(WIDTH_IN, WIDTH_IN * 0.85))
        FigureCanvasSVG(fig)
        ax = fig.add_axes((0.14, 0.12, 0.82, 0.82))
        finite = z[np.isfinite(z)]
        if finite.size:
            levels = contour_levels(spec, z)
            cs = ax.contour(x, y, z, levels=levels, cmap=_contour_colours(), linewidths=0.8)
        point = spec.get("point")
        if point is not None:
            ax.plot([point[0]], [point[1]], "o", color="#222222", markersize=4, zorder=4)
        for mark in spec.get("marks", []):
            if spec.get("paths"):  # among paths that end at it a label has no clear place: a star, which the
                # caption names (in the legend it took a second row, and a worked example a second page)
                _star(ax, mark["at"], gid="mark")
                continue
            ax.plot([mark["at"][0]], [mark["at"][1]], "o", color="#c0504d", markersize=4.5, zorder=4)
            _label(ax, mark["label"], mark["at"], fontsize=8, color="#c0504d", boxed=True)
        minimum = spec.get("minimum")  # a descent's bowl: where its steps are heading
        if minimum is not None:
            _star(ax, minimum, gid="minimum", label="minimum")
        for arrow in spec.get("arrows", []):
            v = np.asarray(arrow["vector"], dtype=float)
            length = float(np.hypot(*v)) or 1.0
            v = v / length * 0.3 * span
            ax.annotate("", xy=(point[0] + v[0], point[1] + v[1]), xytext=(point[0], point[1]),
                        arrowprops={"arrowstyle": "-|>", "color": arrow.get("color", "#c0504d"), "lw": 1.4}, zorder=5)
            if arrow.get("label"):
                _label(ax, _safe_label(arrow["label"]), (point[0] + v[0], point[1] + v[1]), fontsize=8.5,
                       color=arrow.get("color", "#c0504d"), boxed=True, near=3)
        for path in spec.get("paths", []):
            pts = np.asarray(path["points"], dtype=float)
            # a long path's dots smaller: 25 steps of SGD along a valley floor ran together into a bar (read48 F7)
            ax.plot(pts[:, 0], pts[:, 1], "o-", color=path.get("color", "#c0504d"),
                    markersize=2.5 if len(pts) <= 12 else 1.7, linewidth=1.1 if len(pts) <= 12 else 0.9,
                    label=path.get("label"))
        if spec.get("paths"):  # below the plot: over it, it would hide the paths it names
            _legend_below(fig, ax, len(spec["paths"]) + (minimum is not None))
        ax.set_xlim(x.min(), x.max())
        ax.set_ylim(y.min(), y.max())
        if spec.get("grid"):  # a plane to mark points on: a line at each whole number, numbered at whole numbers
            for axis in (ax.xaxis, ax.yaxis):  # (read45 F3: numbers at 2.5 put a line between two whole ones)
                axis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
            ax.xaxis.set_minor_locator(MultipleLocator(1.0))
            ax.yaxis.set_minor_locator(MultipleLocator(1.0))
            ax.grid(True, which="both", color="#d0d0d0", linewidth=0.5)
        ax.set_xlabel(spec.get("xlabel", "x"))
        ax.set_ylabel(spec.get("ylabel", "y"))
        ax.set_aspect("equal", adjustable="box")
        numbered = [path for path in spec.get("paths", []) if path.get("numbered")]
        if numbered:  # a descent's few steps, which its table lists by number (read34: a learner guessed which dot
            ax.apply_aspect()  # was k = 1); where the points are drawn once the plot is squared
            _number_iterates(ax, [[tuple(p) for p in path["points"]] for path in numbered],
                             [path.get("color", "#c0504d") for path in numbered], boxed=True)
        if numbered or any(getattr(t, "_moves", None) for t in ax.texts):
            ax.apply_aspect()
            # the points' labels before the contour labels, which then keep clear of them: set after, they took the
            # places beside a start in a corner, and its 0 was left out; and the place under a saddle, whose label
            # was set halfway to the next point (read48)
            _place_labels(fig)
            for text in ax.texts:
                text._moves = None
        if finite.size and isinstance(levels, list):
            _contour_labels(fig, ax, cs)
        return _output(fig)


APART_PX = 14  # display pixels (at the figure's 100 dpi) an iterate's number needs from another's point
JOIN_PX = 9  # and within which of a numbered one's point an iterate is on the same spot: its number joins that one


def descent1d_figure(spec: dict) -> str:
    """The loss curve with each run's iterates marked on it and joined in order."""
    x = np.asarray(spec["x"], dtype=float)
    y = np.asarray([np.nan if v is None else v for v in spec["y"]], dtype=float)
    colors = ["#c0504d", "#2e7d32", "#7b3fa0", "#b8860b", "#00838f", "#6d4c41"]
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(WIDTH_IN, WIDTH_IN * 0.72))
        FigureCanvasSVG(fig)
        ax = fig.add_axes((0.15, 0.16, 0.81, 0.78))
        ax.plot(x, y, color="#1f4e79", linewidth=1.5, label=_safe_label(spec.get("label", "f(x)")))
        for i, run in enumerate(spec["runs"]):
            px, py = np.asarray(run["points"], dtype=float), np.asarray(run["values"], dtype=float)
            out = np.flatnonzero((px < x.min()) | (px > x.max()))
            if out.size:  # up to its first step off the plot (cut at the frame); the caption says where the rest go
                px, py = px[:out[0] + 1], py[:out[0] + 1]
            # over the minimum's star: the last iterate, the answer, sat hidden under it (read26)
            ax.plot(px, py, "o-", color=colors[i % len(colors)], markersize=3.5, linewidth=0.9, label=run.get("label"),
                    zorder=6)
        start = spec.get("start")
        if start is not None:  # a worksheet's curve: the iterates are the student's to mark (workbook.marking)
            ax.plot([start[0]], [start[1]], "o", color="#222222", markersize=4.5, zorder=5, label="start")
        minimum = spec.get("minimum")
        if minimum is not None:  # under the iterates (the last, the answer, sat hidden under it: read26), and larger
            # than them, ringed in white, so that it shows round one on it (read47 F3, read48 F6: it was hidden)
            ax.plot([minimum[0]], [minimum[1]], "*", color="#222222", markeredgecolor="white", markeredgewidth=0.6,
                    markersize=11, zorder=5, label=spec.get("minimum_label", "minimum").replace("$", ""))
        finite = y[np.isfinite(y)]
        if finite.size:  # the curve's low part, and every iterate over its span (a diverging rate's too)
            drawn = [v for run in spec["runs"] for p, v in zip(run["points"], run["values"])
                     if x.min() <= p <= x.max() and v is not None and np.isfinite(v)]
            drawn += [start[1]] if start is not None else []
            lo, hi = finite.min(), max([np.percentile(finite, 95), *drawn])
            ax.set_ylim(lo - 0.16 * (hi - lo + 1), hi + 0.1 * (hi - lo + 1))  # room under the lowest iterates for their numbers
        ax.set_xlim(x.min(), x.max())
        for i, run in enumerate(spec["runs"]):  # a run that leaves the plot (the caption says where to): its
            _leaves(ax, run, colors[i % len(colors)], spec.get("xlabel", "x"))  # first step off, named at the edge
        _number_iterates(ax, [list(itertools.takewhile(lambda pv: _in_view(ax, *pv), zip(run["points"], run["values"])))
                              for run in spec["runs"]], [colors[i % len(colors)] for i in range(len(spec["runs"]))])
        ax.set_xlabel(spec.get("xlabel", "x"))
        ax.set_ylabel(spec.get("ylabel", "f(x)"))
        ax.grid(True, linewidth=0.3, color="#dddddd")
        _legend_below(fig, ax, len(spec["runs"]) + 1 + (minimum is not None))
        return _output(fig)


def _number_iterates(ax, runs: list[list[tuple[float, float]]], colors: list[str], boxed: bool = False) -> None:
    """Each run's iterates (its points in view, in order) numbered 0, 1, 2 ... in the run's colour (on a
    white box over contour lines, which an unboxed number may not cross and so was left out)."""
    # each iterate's number, where it stands apart from the numbers already set: several rates that
    # close in on the minimum together printed "33", "2 0" and "10 0" in a pile (a shared start once)
    # A point two rates reach at the same step (0.25 and 0.75 both at x = 2.5 at step 2) is numbered once, in
    # black, as a shared start is; one reached at another step is left to the nearer number
    # The last iterate in view (the answer) is numbered first after the start, then those between where they
    # stand apart; a number is never set nearer another iterate than its own, and iterates that all but meet
    # share one number, "1, 2" (read30: four iterates close together printed "0", "1", "2", the "2" beside
    # the last, and the last unnumbered)
    placed: list = []
    ax._points = []  # every iterate numbered: _place_labels keeps a number nearer its own than any of them
    for i, shown in enumerate(runs):
        groups: list[tuple[list[int], np.ndarray, tuple[float, float]]] = []  # (off the plot from its first step
        for k, (a, b) in enumerate(shown):  # off: _leaves named that one)
            at = ax.transData.transform((float(a), float(b)))
            if groups and np.hypot(*(at - groups[-1][1])) < APART_PX / 2:
                groups[-1][0].append(k)
            else:
                groups.append(([k], at, (float(a), float(b))))
        ax._points += [xy for _, _, xy in groups]
        order = [0, len(groups) - 1, *range(1, len(groups) - 1)] if len(groups) > 1 else list(range(len(groups)))
        for ks, at, xy in (groups[g] for g in order):
            same = next((p for p in placed if np.hypot(*(at - p[0])) < 1.0 and p[1] == ks), None)
            if same is not None:
                same[2].set_color("#222222")
                continue
            join = None
            if any(np.hypot(*(at - p[0])) < APART_PX for p in placed):
                # too near a numbered one for a number of its own: on the same spot as one of its run's (a few
                # pixels off), it joins that number, "1, 2" (seed 4242's worked example printed 0, 1 and 3, and
                # no 2: read33); never one further off, which the joined number would stand beside (a bounce's
                # "4, 5" beside 5 alone, 4 at the other end: read34)
                last = groups[-1][0]
                ours = sorted((p for p in placed if p[3] == i and np.hypot(*(at - p[0])) < APART_PX),
                              key=lambda p: (p[1] == last, np.hypot(*(at - p[0]))))
                if not ours:  # near another rate's number only: left to it, as before
                    continue
                spot = next((p for p in ours if np.hypot(*(at - p[0])) < JOIN_PX), None)
                if spot is not None:
                    _join(spot, ks)
                    continue
                # a few pixels further: a number of its own where a clear place is found (_place_labels), else
                # it joins the nearest of its run's
                join = (ours[0], list(ks))
            label = _label(ax, _numbers_text(ks), xy, fontsize=7.5, color=colors[i], near=3, close=True,
                           boxed=boxed)
            label._join = join
            placed.append((at, list(ks), label, i))


def _join(entry, ks) -> None:
    """An iterate's numbers joined to a numbered one's label (an entry of descent1d_figure's ``placed``)."""
    entry[1][:] = sorted(set(entry[1]) | set(ks))
    entry[2].set_text(_numbers_text(entry[1]))


def _numbers_text(ks: list[int]) -> str:
    """Iterates' numbers as one label: "2", "1, 2", "1–3" (in a row), "1, 3, 5" (a bounce's, at one end)."""
    if len(ks) > 2 and ks == list(range(ks[0], ks[-1] + 1)):
        return f"{ks[0]}–{ks[-1]}"
    return ", ".join(map(str, ks[:4])) + (", …" if len(ks) > 4 else "")


def steps_figure(spec: dict) -> str:
    """A quantity after each update, t = 0, 1, 2 ..., for each run, marked and joined in order."""
    colors = ["#c0504d", "#1f4e79", "#2e7d32"]
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(WIDTH_IN, WIDTH_IN * 0.62))
        FigureCanvasSVG(fig)
        ax = fig.add_axes((0.15, 0.18, 0.81, 0.76))
        longest = 0
        for i, run in enumerate(spec["runs"]):
            values = np.asarray(run["values"], dtype=float)
            longest = max(longest, len(values))
            ax.plot(np.arange(len(values)), values, "o-", color=colors[i % len(colors)], markersize=3.5,
                    linewidth=1.0, label=run.get("label", "").replace("$", ""))  # ours: an optimizer's name
        ax.xaxis.set_major_locator(MultipleLocator(1.0))
        ax.set_xlim(-0.3, longest - 0.7)
        ax.set_xlabel("update t")
        ax.set_ylabel(_safe_label(spec.get("ylabel", "θ")))
        ax.grid(True, linewidth=0.3, color="#dddddd")
        _legend_below(fig, ax, len(spec["runs"]))
        return _output(fig)


def _in_view(ax, a: float, b: float) -> bool:
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    return x0 <= a <= x1 and y0 <= b <= y1


def _leaves(ax, run: dict, color: str, name: str) -> None:
    """Where a run's first step off the plot crosses its frame: an arrowhead, and the step's number with
    where it lands ("2 at x = 19"). The line itself is cut at the frame."""
    points = list(zip(run["points"], run["values"]))
    k = next((k for k, (a, b) in enumerate(points) if not _in_view(ax, a, b)), None)
    if k is None or k == 0:
        return
    (a0, b0), (a1, b1) = points[k - 1], points[k]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    t = 1.0  # the part of the step inside the frame (Liang and Barsky's clipping, the far end only)
    for p, q in ((-(a1 - a0), a0 - x0), (a1 - a0, x1 - a0), (-(b1 - b0), b0 - y0), (b1 - b0, y1 - b0)):
        if p > 0:
            t = min(t, q / p)
    edge = (a0 + t * (a1 - a0), b0 + t * (b1 - b0))
    back = (a0 + 0.9 * t * (a1 - a0), b0 + 0.9 * t * (b1 - b0))
    ax.annotate("", xy=edge, xytext=back, arrowprops={"arrowstyle": "-|>", "color": color, "lw": 0.9}, zorder=4)
    _label(ax, f"{k} at {name} = {float(a1):g}", back, fontsize=7.5, color=color, boxed=True, near=3)


def _axes(height: float = 0.72, rect=(0.15, 0.16, 0.81, 0.78)):
    fig = Figure(figsize=(WIDTH_IN, WIDTH_IN * height))
    FigureCanvasSVG(fig)
    return fig, fig.add_axes(rect)


def residuals_figure(spec: dict) -> str:
    """Data points, the fitted line, and each point's residual."""
    x, y, w, b = np.asarray(spec["x"], float), np.asarray(spec["y"], float), spec["w"], spec["b"]
    with matplotlib.rc_context(STYLE):
        fig, ax = _axes()
        lo, hi = x.min() - 1, x.max() + 1
        ax.plot([lo, hi], [w * lo + b, w * hi + b], color="#1f4e79", linewidth=1.4, label="model line")
        for xi, yi in zip(x, y):
            ax.plot([xi, xi], [yi, w * xi + b], color="#c0504d", linewidth=1.0, linestyle="--")
        ax.plot(x, y, "o", color="#222222", markersize=4, label="data")
        return _finish(fig, ax, "x", "y")


def sigmoid_figure(spec: dict) -> str:
    """The sigmoid, the neuron's output on it, and the label it is pulled towards."""
    z0, yhat, label = spec["z"], spec["yhat"], spec["label"]
    z = np.linspace(min(-6, z0 - 2), max(6, z0 + 2), 200)
    with matplotlib.rc_context(STYLE):
        fig, ax = _axes()
        ax.plot(z, 1 / (1 + np.exp(-z)), color="#1f4e79", linewidth=1.4, label=r"$\sigma(z)$")
        ax.axhline(label, color="#2e7d32", linewidth=1.0, linestyle=":", label=f"label y = {label:g}")
        ax.plot([z0], [yhat], "o", color="#c0504d", markersize=4.5)
        ax.annotate("", xy=(z0, label), xytext=(z0, yhat), arrowprops={"arrowstyle": "<->", "color": "#c0504d"})
        _label(ax, r"$\hat y - y$", (z0, (yhat + label) / 2), fontsize=8, color="#c0504d", near=4)
        ax.set_xlabel("z")
        ax.set_ylabel("output")
        ax.set_ylim(-0.05, 1.05)
        ax.grid(True, linewidth=0.3, color="#dddddd")
        _place_legend(fig, ax, 7.5, "upper left")
        return _output(fig)


def bars_figure(spec: dict) -> str:
    """Grouped bars, one group per label."""
    labels, series = spec["labels"], spec["series"]
    pos = np.arange(len(labels))
    width = 0.8 / len(series)
    colors = ["#1f4e79", "#c0504d", "#2e7d32"]
    with matplotlib.rc_context(STYLE):
        fig, ax = _axes()
        for i, s in enumerate(series):
            ax.bar(pos + (i - (len(series) - 1) / 2) * width, s["values"], width, label=s["label"],
                   color=colors[i % len(colors)])
        ax.set_xticks(pos, labels)
        ax.set_ylim(0, 1.1)
        _legend_below(fig, ax, len(series))  # over the bars it hid the tallest (a one-hot 1 in the last class)
        ax.grid(True, axis="y", linewidth=0.3, color="#dddddd")
        return _output(fig)


HALF = 0.26  # half a graph node's width, in layers (a layer is made wide enough for the text inside: _widest_in)
NODE_PAD_IN = 0.05  # white space either side of the widest text inside a node's box
WRITE_ON_LAYER_IN = 1.65  # a layer of a graph whose arrows are written on: each arrow about 2 cm


def _widest_in(nodes) -> float:
    """The widest text set inside a graph's node boxes (its name, bold at 9 pt, and its value at 7.5 pt), in inches."""
    from matplotlib.textpath import TextPath

    widths = [0.0]
    for node in nodes:
        for text, size, weight in ((node.get("label"), 9, "bold"), (node.get("value"), 7.5, "normal")):
            if text:
                props = matplotlib.font_manager.FontProperties(family=STYLE.get("font.family", "sans-serif"),
                                                               size=size, weight=weight)
                widths.append(TextPath((0, 0), _minus(str(text)), prop=props).get_extents().width / 72)
    return max(widths)


EDGE_LABEL_ROOM_IN = 0.3  # an arrow's length besides its label: the arrowhead and white either side


def _widest_edge_label_in(edges) -> float:
    """The widest label set on a graph's arrows (7.5 pt, mathtext as drawn), in inches."""
    from matplotlib.textpath import TextPath

    props = matplotlib.font_manager.FontProperties(family=STYLE.get("font.family", "sans-serif"), size=7.5)
    widths = [0.0]
    for edge in edges:
        if edge.get("label"):
            try:
                widths.append(TextPath((0, 0), _minus(_safe_label(edge["label"])), prop=props).get_extents().width / 72)
            except (ValueError, RuntimeError):  # a label mathtext cannot lay out is drawn as text, and measured so
                widths.append(TextPath((0, 0), _minus(edge["label"]), prop=props).get_extents().width / 72)
    return max(widths)


def graph_figure(spec: dict) -> str:
    """A computational graph or dependency tree: nodes in layers, each edge labelled (local derivative)."""
    layers = spec.get("layers") or [[n["id"]] for n in spec["nodes"]]
    pos = {}
    for i, layer in enumerate(layers):
        for j, node in enumerate(layer):
            pos[node] = (i, (len(layer) - 1) / 2 - j)
    nodes = {n["id"]: n for n in spec["nodes"]}
    width = max(2, len(layers))
    height = max(len(layer) for layer in layers)
    # only as tall as what is drawn (a chain of four nodes was a band of white 4.7 cm tall): the edges are laid
    # out on the full height, then the plot is cut to the nodes (an op above, a gradient below) and the edges'
    # bends, at the same inches a unit, so that every edge keeps its shape
    full = 1.1 + 0.75 * height
    top = max(y + (0.33 if {"op", "bias"} & set(nodes.get(n, {})) else 0.2) for n, (_, y) in pos.items())
    bottom = min(y - (0.4 if "grad" in nodes.get(n, {}) else 0.2) for n, (_, y) in pos.items())
    with matplotlib.rc_context(STYLE):
        # a layer wide enough for its boxes' widest text with room either side ("a = −0.4621" touched its box)
        layer_in = max(1.15, (_widest_in(nodes.values()) + 2 * NODE_PAD_IN) / ((2 * HALF - 0.02) * 0.96))
        half = HALF
        if any(edge.get("label") == "?" for edge in spec["edges"]):
            # an arrow a learner writes its local derivative on: cos(u₂) had 1.1 cm (read25); its boxes as wide
            # as their text needs, the rest of the wider layer the arrow's
            layer_in = max(layer_in, WRITE_ON_LAYER_IN)
            half = min(HALF, max(0.15, (_widest_in(nodes.values()) + 2 * NODE_PAD_IN) / (layer_in * 0.96) / 2 + 0.01))
        # the gap between two boxes as wide as the widest label an arrow carries and its arrowhead: cos(u₂) ran
        # over the box it leaves (read26)
        gap = (_widest_edge_label_in(spec["edges"]) + EDGE_LABEL_ROOM_IN) / ((1 - 2 * half) * 0.96)
        layer_in = max(layer_in, gap)
        fig = Figure(figsize=(min(max(WIDTH_IN, layer_in * width), COLUMN_CM / 2.54), full))
        FigureCanvasSVG(fig)
        ax = fig.add_axes((0.02, 0.02, 0.96, 0.96))
        ax.set_xlim(-0.5, len(layers) - 0.5)
        ax.set_ylim(-height / 2 - 0.1, height / 2 + 0.1)
        ax.axis("off")
        arcs = []
        for k, edge in enumerate(spec["edges"]):
            (x0, y0), (x1, y1) = pos[edge["from"]], pos[edge["to"]]
            start, end = (x0 + half, y0 - (y0 - y1) * 0.12), (x1 - half, y1 + (y0 - y1) * 0.12)
            rad = _bend(ax, start, end, [p for n, p in pos.items() if n not in (edge["from"], edge["to"])])
            ax.annotate("", xy=end, xytext=start, gid=f"edge-{k}",
                        arrowprops={"arrowstyle": "-|>", "color": "#555555", "lw": 0.9,
                                    "connectionstyle": f"arc3,rad={rad}"})
            arcs.append(_arc(ax, start, end, rad))
            top, bottom = max(top, arcs[-1][:, 1].max() + 0.12), min(bottom, arcs[-1][:, 1].min() - 0.12)
        for k, edge in enumerate(spec["edges"]):
            if edge.get("label"):
                ends = {edge["from"], edge["to"]}
                others = [arc for arc, e in zip(arcs, spec["edges"], strict=True) if not ends & {e["from"], e["to"]}]
                _on_edge(ax, _safe_label(edge["label"]), arcs[k], f"edge-{k}", _crosses(arcs[k], others))
        per_unit = full * 0.96 / (height + 0.2)  # inches a unit, kept
        fig.set_size_inches(fig.get_figwidth(), (top - bottom) * per_unit / 0.96)
        ax.set_ylim(bottom, top)
        for node_id, (x, y) in pos.items():
            node = nodes.get(node_id, {"label": node_id})
            ax.add_patch(matplotlib.patches.FancyBboxPatch((x - half + 0.01, y - 0.14), 2 * half - 0.02, 0.28,
                                                           boxstyle="round,pad=0.02", fc="#eef3f8", ec="#1f4e79"))
            if "op" in node:
                ax.text(x, y + 0.17, node["op"], ha="center", va="bottom", fontsize=7.5, color="#555555",
                        style="italic")
            elif "bias" in node:  # a unit's bias, a given like the weights on its arrows
                ax.text(x, y + 0.17, _minus(node["bias"]), ha="center", va="bottom", fontsize=7.5, color="#555555")
            # a name over its value, set apart in points: in data units the gap shrank with the graph's layers, and
            # a three-row graph's "y" sat its tail on its value, −0.5 (read38)
            ax.text(x, y, node["label"], ha="center", va="center", fontsize=9, fontweight="bold",
                    transform=ax.transData + _points(fig, LABEL_UP_PT if "value" in node else 0))
            if "value" in node:
                ax.text(x, y, _minus(node["value"]), ha="center", va="center", fontsize=7.5, color="#1f4e79",
                        transform=ax.transData + _points(fig, -VALUE_DOWN_PT))
            if "grad" in node:
                ax.text(x, y - 0.24, _minus(node["grad"]), ha="center", va="top", fontsize=7.5, color="#c0504d")
        return _output(fig)


LABEL_UP_PT, VALUE_DOWN_PT = 3.6, 6.0  # a graph node's name above its centre, its value below: their extents 1 pt apart


def _points(fig, up: float):
    """A shift of ``up`` points, to add to a data transform."""
    from matplotlib.transforms import ScaledTranslation

    return ScaledTranslation(0, up / 72, fig.dpi_scale_trans)


FIGURES: dict[str, Callable[[dict], str]] = {"graph": graph_figure, "tangent": tangent_figure, "contour": contour_figure,
                                             "descent1d": descent1d_figure, "residuals": residuals_figure,
                                             "sigmoid": sigmoid_figure, "bars": bars_figure, "steps": steps_figure}


MAX_SPEC = 64_000  # characters in a figure's spec: the largest a family draws is about 22 000


def _checked_spec(spec: dict) -> None:
    """A spec no larger than a page can show (a template may build its own): FigureError otherwise."""
    if len(repr(spec)) > MAX_SPEC:
        raise FigureError(f"a figure's spec is over {MAX_SPEC} characters; a figure shows a few dozen things")
    if not isinstance(spec.get("alt"), str):  # its caption: checked before the drawing, not after it (28 s)
        raise FigureError("a figure's spec needs its alt text (a string), what its caption and a screen reader say")


def figure_svg(spec: dict) -> str:
    """Draw a figure spec, by its kind, as SVG (for the HTML: sharp at any zoom, text kept as paths)."""
    _checked_spec(spec)
    draw = FIGURES.get(spec.get("kind"))
    if draw is None:
        raise FigureError(f"unknown figure kind {spec.get('kind')!r}; known: {', '.join(FIGURES)}")
    return draw(spec)


PRINT_DPI = 300  # figures print at 0.93-1.4 times the size they are drawn: 210-320 dots an inch on paper


def figure_png(spec: dict, dpi: int = PRINT_DPI) -> bytes:
    """The same figure as PNG, for the PDF: WeasyPrint lays a PNG out 10-15 times faster than
    matplotlib's SVG (thousands of small paths), at print resolution."""
    token = _OUTPUT.set(dpi)
    try:
        return figure_svg(spec)
    finally:
        _OUTPUT.reset(token)


def drawn(spec: dict) -> Figure:
    """The matplotlib Figure of a spec, drawn but not saved: what workbook.figcheck measures."""
    token = _OUTPUT.set("figure")
    try:
        return figure_svg(spec)
    finally:
        _OUTPUT.reset(token)


def measure(spec: dict, where: str) -> figcheck.Measured:
    """Draw the spec and measure it as it prints ``where`` (sheet, beside, below): workbook.figcheck."""
    return figcheck.measure_figure(drawn(spec), where)


def figure_both(spec: dict, dpi: int = PRINT_DPI) -> tuple[str, bytes]:
    """The SVG and the PNG of a figure, drawn once (a build that writes HTML and PDF needs both)."""
    token = _OUTPUT.set(("both", dpi))
    try:
        return figure_svg(spec)
    finally:
        _OUTPUT.reset(token)
