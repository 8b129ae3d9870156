"""A figure's print, checked from matplotlib's own measurements: every text at least MIN_PT on paper,
no two texts overlapping, no text over a line, marker or arrow it is not tied to, nothing clipped.

A figure is drawn at its natural size and printed at printed_cm of it, so a text's printed
size is its font size times printed / natural width. The same drawing the build saves is measured:
figures.drawn returns the matplotlib Figure before it is saved, and Agg's renderer gives every text's
extent as it is set (the bounding box of its ink, in points of the natural size).

Texts with a background box (a mark's label over contour lines) are legible over contour lines by
construction; a contour label sits on its own level's line, which is cut for it. A text and an arrow
or line with the same gid (``edge-3``) belong together: an edge's weight sits on its own edge.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.contour import ContourSet
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch
from matplotlib.text import Text

MIN_PT = 7.0  # the smallest text on paper
PAD_IN = 0.04  # white space kept round what is drawn

# How wide a figure prints (templates/print.css): beside a solution's steps or below it, BESIDE_CM; on a
# worksheet, where a student marks it, at least SHEET_CM; a figure wider than BESIDE_CM (a wide graph) at
# its own width, below the steps, up to COLUMN_CM (A4's text column less the figure's indent)
BESIDE_CM, SHEET_CM, COLUMN_CM = 7.2, 8.0, 16.4
SHRINK = 7.5 / 7


def printed_cm(natural_cm: float, where: str) -> float:
    """The width a figure drawn ``natural_cm`` wide prints at, placed ``where`` (sheet, beside, below)."""
    if where == "sheet":
        return min(max(natural_cm, SHEET_CM), COLUMN_CM)
    if not wide(natural_cm):
        return BESIDE_CM
    return min(natural_cm, COLUMN_CM)


def wide(natural_cm: float) -> bool:
    """Whether a figure is too wide to print beside the steps at BESIDE_CM: it may shrink there by at most
    SHRINK, which keeps its smallest text (7.5 pt as drawn) at 7 pt (workbook.figcheck measures it)."""
    return natural_cm > BESIDE_CM * SHRINK


BOX_PT = 0.12  # a boxed label's white box reaches this share of its font size round its ink (figures._label)
SLACK_PT = 0.6  # extents that meet within this are not counted as overlapping (ink has side bearings)
CLEAR_PT = 0.5  # a drawn curve's ink keeps this far from a text's extent
HEAD_CLEAR_PT = 1.5  # and an arrowhead's: nearer, a minus beside it read as part of the arrow


@dataclass
class Measured:
    """What was found: the printed width, the scale, each text's printed size, and what is wrong."""

    natural_cm: float
    printed_cm: float
    sizes: list[tuple[str, float]]  # (text, printed points)
    faults: list[str]


def measure_figure(fig, where: str) -> Measured:
    """Measure a drawn matplotlib Figure as it prints ``where``."""
    canvas = FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()
    fig.draw(renderer)
    tight = fig.get_tightbbox(renderer)
    natural_cm = (tight.width + 2 * PAD_IN) * 2.54
    printed = printed_cm(natural_cm, where)
    scale = printed / natural_cm
    per_pt = fig.dpi / 72  # display units (pixels at fig.dpi) a point
    texts = _texts(fig, renderer)
    faults, sizes = [], []
    for text, box in texts:
        size = text.get_fontsize() * scale
        sizes.append((text.get_text(), size))
        if size < MIN_PT - 1e-9:
            faults.append(f"{text.get_text()!r} prints at {size:.1f} pt (at least {MIN_PT:g})")
        elif re.search(r"\\[dt]?frac\b", text.get_text()) and "$" in text.get_text():
            # mathtext sets a fraction's top and bottom at 70%: x³/3 stacked in a legend printed at 5 pt (read26)
            faults.append(f"{text.get_text()!r} stacks a fraction, its parts at {0.7 * size:.1f} pt: write it a/b")
        axes = text.axes
        if axes is not None and text.get_clip_on() and not _legend(text) and not _inside(box, axes.bbox, per_pt):
            faults.append(f"{text.get_text()!r} is cut off by the plot's edge")
    slack = SLACK_PT * per_pt
    for i, (a, box_a) in enumerate(texts):
        for b, box_b in texts[i + 1:]:
            if overlap(box_a, box_b, slack):
                faults.append(f"{a.get_text()!r} overlaps {b.get_text()!r}")
    drawn = strokes(fig)
    for text, box in texts:
        if text.axes is None or _tick(text):
            continue
        if any(covers(text, box, stroke, slack) for stroke in drawn):
            faults.append(f"{text.get_text()!r} lies over a drawn line or point")
    # an arrow is clipped at its plot's edge: a graph's edge bent round a node ran out of the figure, cut off
    for axes in fig.axes:
        edges = {s.gid for s in drawn if s.kind in ("arrow", "head") and s.points.size and (
            any(text.axes is axes and text.get_gid() == s.gid for text in axes.texts)
            and not _inside_points(s.points, axes.bbox, per_pt))}
        faults += [f"the arrow {gid!r} runs out of its plot and is cut off" for gid in sorted(map(str, edges))]
    return Measured(natural_cm, printed, sizes, faults)


def _inside_points(points, bbox, per_pt: float) -> bool:
    """Whether every point lies within the box (a point of slack)."""
    return bool(np.all((points[:, 0] >= bbox.x0 - per_pt) & (points[:, 0] <= bbox.x1 + per_pt)
                       & (points[:, 1] >= bbox.y0 - per_pt) & (points[:, 1] <= bbox.y1 + per_pt)))


def _texts(fig, renderer) -> list[tuple[Text, object]]:
    """Every text drawn, with its extent: titles, labels, the tick labels inside the view, legends,
    annotations and contour labels."""
    found = []
    for text in fig.findobj(Text):
        if not text.get_visible() or not text.get_text().strip() or not _drawn(text):
            continue
        found.append((text, text.get_window_extent(renderer)))
    return found


def _drawn(text: Text) -> bool:
    """Tick labels exist for ticks outside the view; only those inside it are drawn. (A tick label's
    ``axes`` is not its plot's: each plot's axes are searched.)"""
    for axes in text.get_figure(root=True).axes:
        for axis in (axes.xaxis, axes.yaxis):
            if any(text is label for label in axis.get_ticklabels(which="both")):
                shown = [t.label1 for t in axis._update_ticks()] + [t.label2 for t in axis._update_ticks()]
                return any(text is label for label in shown) and axis.get_visible() and axes.axison
    return True


def _legend(text: Text) -> bool:
    return any(axes.get_legend() is not None and any(text is t for t in axes.get_legend().get_texts())
               for axes in text.get_figure(root=True).axes)


def _tick(text: Text) -> bool:
    return any(text is label for axes in text.get_figure(root=True).axes for axis in (axes.xaxis, axes.yaxis)
               for label in axis.get_ticklabels(which="both"))


def _boxed(text: Text) -> bool:
    patch = text.get_bbox_patch()
    return patch is not None and patch.get_facecolor()[3] > 0.6 and text.axes is not None


SHAFT_PT = 4.0  # of an edge's shaft, from its node, that its own weight leaves uncovered


@dataclass
class Stroke:
    """Something drawn that a text must not cover, as dense points in display units."""

    gid: str | None  # a text with the same gid belongs to it (an edge and its weight)
    kind: str  # line, marker, contour, arrow, head (an arrow's)
    points: np.ndarray
    level: int = -1  # a contour line's level
    half: float = 0.0  # half the line's width, in display units: ink reaches this far from the points


def strokes(fig) -> list[Stroke]:
    """What is drawn in each plot: the curves and paths (with their markers), contour lines and arrows.
    Light reference lines (the axes at 0, the grid) are not."""
    found = []
    x0, y0, x1, y1 = fig.bbox.extents
    margin = 50.0  # display units: what lies beyond the figure's edge covers nothing on it
    window = (x0 - margin, y0 - margin, x1 + margin, y1 + margin)
    dense = functools.partial(_dense, window=window)
    for axes in fig.axes:
        for line in axes.lines:
            if not line.get_visible() or _reference(line):
                continue
            xy = line.get_transform().transform(np.column_stack(line.get_data()).astype(float))
            if line.get_linestyle() not in ("None", "", " ") and line.get_linewidth() > 0:
                found.append(Stroke(line.get_gid(), "line", dense(xy), half=line.get_linewidth() / 2 * fig.dpi / 72))
            if line.get_marker() not in (None, "None", "", " "):
                r = line.get_markersize() / 2 * fig.dpi / 72
                for x, y in xy[np.all(np.isfinite(xy), axis=1)]:
                    square = np.array([[x - r, y - r], [x + r, y - r], [x + r, y + r], [x - r, y + r], [x - r, y - r]])
                    found.append(Stroke(line.get_gid(), "marker", dense(square)))
        for child in axes.get_children():
            if isinstance(child, ContourSet):
                for level, path in enumerate(child.get_paths()):
                    for piece in path.to_polygons(closed_only=False):
                        found.append(Stroke(child.get_gid(), "contour", dense(child.get_transform().transform(piece)),
                                            level))
        for patch in axes.patches:
            if isinstance(patch, FancyArrowPatch):
                found += [Stroke(patch.get_gid(), "arrow", dense(p), half=patch.get_linewidth() / 2 * fig.dpi / 72)
                          for p in patch.get_path().to_polygons(closed_only=False)]
        for text in axes.texts:
            arrow = getattr(text, "arrow_patch", None)
            if arrow is not None and arrow.get_visible():
                # the shaft, then the head: an edge's weight may sit on its own shaft, never on its head
                found += [Stroke(text.get_gid(), "arrow" if k == 0 else "head", dense(p),
                                 half=arrow.get_linewidth() / 2 * fig.dpi / 72)
                          for k, p in enumerate(arrow.get_path().to_polygons(closed_only=False))]
    return found


def covers(text: Text, box, stroke: Stroke, slack: float) -> bool:
    """Whether a text's extent lies over a stroke it does not belong to. A text on a background box is
    legible over contour lines; a contour label is drawn on its own line (the line is cut for it)."""
    if stroke.gid is not None and stroke.gid == text.get_gid() and stroke.kind != "head":
        if stroke.kind == "arrow":  # a weight on its own edge: the edge must still be seen to leave its node
            return _crosses(stroke.points[:max(2, round(SHAFT_PT * text.figure.dpi / 72))], box, slack)
        return False  # its own line; the head shows which way the edge goes, and is never covered
    if stroke.kind == "contour" and (_boxed(text) or getattr(text, "_level", None) == stroke.level):
        return False
    if stroke.kind == "head":  # an arrowhead against a label's first character read as part of it, boxed or not:
        # "−∇f" beside the tip of its arrow read "∇f", both arrows then named alike (read35a)
        return _crosses(stroke.points, box, -stroke.half - HEAD_CLEAR_PT * text.figure.dpi / 72)
    if _boxed(text) and stroke.kind in ("line", "marker"):  # its white box hides what runs under it: a path
        # or a point stays clear of the box (an edge's weight, on its own edge, may still cross another edge)
        return _crosses(stroke.points, box, -BOX_PT * text.get_fontsize() * text.figure.dpi / 72 - stroke.half)
    if stroke.kind in ("line", "arrow", "head") and not _boxed(text):  # a curve's or an arrow's ink, not only its
        # middle, keeps clear of a text: the sigmoid's 1.5 pt line ran through the foot of "ŷ − y", a point away
        return _crosses(stroke.points, box, -stroke.half - CLEAR_PT * text.figure.dpi / 72)
    return _crosses(stroke.points, box, slack)


def _reference(line: Line2D) -> bool:
    return line.get_linewidth() <= 0.5 and line.get_marker() in (None, "None", "", " ")


def _dense(xy: np.ndarray, step: float = 1.0, window: tuple[float, float, float, float] | None = None) -> np.ndarray:
    """A polyline as points at most ``step`` display units apart (gaps at non-finite points kept): each
    segment between two finite points cut into equal parts, all segments at once. With ``window`` (x0, y0,
    x1, y1), only each segment's part inside it: a curve's value far off the plot (1/x⁹ near 0, 10¹⁴ units
    off) had been cut into 650 million points, 4.8 GB (attack23)."""
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    a, b = xy[:-1], xy[1:]
    ok = np.isfinite(a).all(axis=1) & np.isfinite(b).all(axis=1)
    a, b = a[ok], b[ok]
    if window is not None and len(a):
        a, b = _clipped(a, b, window)
    if not len(a):
        return xy[np.isfinite(xy).all(axis=1)] if len(xy) and window is None else np.empty((0, 2))
    parts = np.maximum(1, (np.hypot(*(b - a).T) / step).astype(int))
    counts = parts + 1  # each segment's points, both ends included, as one linspace a segment
    segment = np.repeat(np.arange(len(a)), counts)
    k = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    t = (k / parts[segment])[:, None]
    return a[segment] + (b[segment] - a[segment]) * t


def _clipped(a: np.ndarray, b: np.ndarray, window) -> tuple[np.ndarray, np.ndarray]:
    """The parts of segments a-b inside the window (Liang and Barsky's clipping, all segments at once)."""
    x0, y0, x1, y1 = window
    d = b - a
    low, high = np.zeros(len(a)), np.ones(len(a))
    keep = np.ones(len(a), dtype=bool)
    for p, q in ((-d[:, 0], a[:, 0] - x0), (d[:, 0], x1 - a[:, 0]), (-d[:, 1], a[:, 1] - y0), (d[:, 1], y1 - a[:, 1])):
        parallel = p == 0
        keep &= ~(parallel & (q < 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(parallel, 0.0, q / np.where(parallel, 1.0, p))
        low = np.where(~parallel & (p < 0), np.maximum(low, t), low)
        high = np.where(~parallel & (p > 0), np.minimum(high, t), high)
    keep &= low <= high
    a, d, low, high = a[keep], d[keep], low[keep], high[keep]
    return a + d * low[:, None], a + d * high[:, None]


def overlap(a, b, slack: float) -> bool:
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > slack) and (min(a.y1, b.y1) - max(a.y0, b.y0) > slack)


def _crosses(points: np.ndarray, box, slack: float) -> bool:
    if not len(points):
        return False
    x, y = points[:, 0], points[:, 1]
    inside = (x > box.x0 + slack) & (x < box.x1 - slack) & (y > box.y0 + slack) & (y < box.y1 - slack)
    return bool(inside.any())


def within(box, frame) -> bool:
    """Whether an extent lies inside a frame (a plot's area), half a point clear of its edge."""
    return _inside(box, frame, 100 / 72)


def _inside(box, frame, per_pt: float) -> bool:
    """Inside the frame with half a point clear of it: a label whose ink touches the frame reads as cut."""
    tolerance = -0.5 * per_pt
    return (box.x0 >= frame.x0 - tolerance and box.x1 <= frame.x1 + tolerance
            and box.y0 >= frame.y0 - tolerance and box.y1 <= frame.y1 + tolerance)
