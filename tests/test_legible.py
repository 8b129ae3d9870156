"""Figures are legible in print (issue 11): every text at least 7 pt on paper, no two texts overlapping,
no text over a line, point or arrow it does not belong to, nothing cut off at a plot's edge. Measured
with matplotlib's own text extents (workbook.figcheck) on every family's figures over several seeds."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure

from workbook import figcheck, figures
from workbook.bank import load_bank
from workbook.generate import REDRAW, generate_one
from workbook.seeds import derive_seed

SEEDS = 3


def _figures():
    bank = load_bank(None)
    for family_id, family in sorted(bank.items()):
        for k in range(SEEDS):
            try:
                record = generate_one(family, derive_seed("legible", family_id, k))
            except ValueError:
                continue
            record = record if isinstance(record, dict) else record.record()
            for key, where in (("figure", "beside"), ("worksheet_figure", "sheet")):
                if record.get(key):
                    yield f"{family_id} #{k} {key}", record[key], where


@pytest.fixture(scope="module")
def measured() -> list[tuple[str, str, figcheck.Measured]]:
    return [(name, spec["kind"], figures.measure(spec, where)) for name, spec, where in _figures()]


def test_every_figure_of_every_family_prints_legibly(measured):
    faults = [f"{name}: {fault}" for name, _, m in measured for fault in m.faults]
    assert faults == []


def test_the_figures_measured_are_every_kind_and_their_text(measured):
    kinds = {kind for _, kind, _ in measured}
    assert kinds >= set(figures.FIGURES)  # graph, tangent, contour, descent1d, residuals, sigmoid, bars
    for name, _, m in measured:
        assert len(m.sizes) >= 3, name  # ticks, labels, node names: the texts were found
        assert min(size for _, size in m.sizes) >= figcheck.MIN_PT, name


def test_a_plot_prints_beside_the_steps_near_its_own_size_and_a_wide_graph_at_its_own_width(measured):
    for name, kind, m in measured:
        assert m.printed_cm * figures.SHRINK >= m.natural_cm or m.printed_cm == figures.COLUMN_CM, name
        if kind != "graph":
            assert not figures.wide(m.natural_cm), name  # a plot fits beside the steps
    assert any(kind == "graph" and figures.wide(m.natural_cm) for _, kind, m in measured)


def _plot(*texts, line=True):
    fig = Figure(figsize=(figures.WIDTH_IN, 2.0))
    ax = fig.add_axes((0.15, 0.2, 0.8, 0.7))
    if line:
        ax.plot([0, 1], [0, 1], linewidth=1.5)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    for x, y, text, size in texts:
        ax.text(x, y, text, fontsize=size, clip_on=True)
    return fig


@pytest.mark.parametrize("texts, line, found", [
    ([(0.1, 0.8, "tiny", 5)], False, "(at least 7)"),
    ([(0.1, 0.8, "first label", 8), (0.12, 0.8, "second", 8)], False, "overlaps"),
    ([(0.45, 0.48, "on the line", 8)], True, "lies over a drawn line"),
    ([(0.9, 0.5, "past the edge of the plot", 8)], False, "cut off"),
])
def test_the_check_finds_each_fault(texts, line, found):
    measured = figcheck.measure_figure(_plot(*texts, line=line), "beside")
    assert any(found in fault for fault in measured.faults), measured.faults


@pytest.mark.parametrize("width, covered", [(5.0, True), (1.0, False)])
def test_a_thick_lines_ink_counts_not_only_its_middle(width, covered):
    # a teacher's read: the sigmoid's 1.5 pt curve ran through the foot of "ŷ − y", its middle a point from the text
    fig = _plot(line=False)
    ax = fig.axes[0]
    ax.plot([0, 1], [0.5, 0.5], linewidth=width)
    ax.annotate("beside the line", (0.3, 0.5), textcoords="offset points", xytext=(0, 2), va="bottom", fontsize=8)
    faults = figcheck.measure_figure(fig, "beside").faults
    assert any("lies over a drawn line" in f for f in faults) == covered, faults


def test_the_check_passes_a_clean_plot():
    assert figcheck.measure_figure(_plot((0.05, 0.85, "clear", 8)), "beside").faults == []


def test_an_edge_weight_is_tied_to_its_edge_and_no_other():
    spec = {"kind": "graph", "nodes": [{"id": i, "label": i} for i in ("a", "b", "c", "d")],
            "layers": [["a", "b"], ["c", "d"]],
            "edges": [{"from": "a", "to": "d", "label": "0.5"}, {"from": "b", "to": "c", "label": "0.25"},
                      {"from": "a", "to": "c", "label": "1"}, {"from": "b", "to": "d", "label": "2"}],
            "alt": "two crossing edges"}
    fig = figures.drawn(spec)
    figcheck.measure_figure(fig, "beside")  # draws it
    ax = fig.axes[0]
    arrows = {t.get_gid(): t for t in ax.texts if getattr(t, "arrow_patch", None) is not None}
    renderer = fig.canvas.get_renderer()
    strokes = figcheck.strokes(fig)
    crossing = ax.transData.transform((0.5, 0.0))  # where a -> d and b -> c cross, on screen
    for label in (t for t in ax.texts if t.get_gid() and getattr(t, "arrow_patch", None) is None):
        box = label.get_window_extent(renderer)
        middle = ((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)
        own = [s for s in strokes if s.gid == label.get_gid()]
        near = min(strokes, key=lambda s: min((p[0] - middle[0]) ** 2 + (p[1] - middle[1]) ** 2 for p in s.points))
        assert near.gid == label.get_gid() and label.get_gid() in arrows, label.get_text()  # nearest its own edge
        level = np.ptp(own[0].points[:, 1]) < 1
        if level:  # just above a level edge, never on it: the line running into "1" read as "−1" (read24)
            assert box.y0 >= own[0].points[:, 1].max() and box.y0 - own[0].points[:, 1].max() < 6, label.get_text()
        else:  # on its own edge, and well off the crossing (both weights sat on it: read22 to read24)
            assert any(figcheck._crosses(s.points, box, 0) for s in own), label.get_text()
            gap_mm = np.hypot(middle[0] - crossing[0], middle[1] - crossing[1]) / fig.dpi * 25.4
            assert gap_mm > 6, (label.get_text(), gap_mm)
    assert figcheck.measure_figure(fig, "beside").faults == []  # and over no other edge or label


def test_a_points_label_sits_nearer_its_own_point_than_any_other():
    # "minimum" sat under the saddle's dot, "saddle point" between the two: the figure contradicted its caption
    import numpy as np

    checked = 0
    for family_id in ("critical-points", "price-and-ads", "best-price"):
        family = load_bank()[family_id]
        for k in range(10):
            try:
                record = generate_one(family, derive_seed("legible", family_id, k))
            except REDRAW:
                continue
            fig = figures.drawn(record["figure"])
            renderer = fig.canvas.get_renderer()
            labels = [t for ax in fig.axes for t in ax.texts if getattr(t, "_point", False)]
            anchors = [(t, t.axes.transData.transform(t.xy)) for t in labels]
            for label, own in anchors:
                box = label.get_window_extent(renderer)

                def gap(p, box=box):
                    return float(np.hypot(max(box.x0 - p[0], 0, p[0] - box.x1), max(box.y0 - p[1], 0, p[1] - box.y1)))

                others = [a for t, a in anchors if t is not label and t.axes is label.axes and not np.allclose(a, own)]
                assert all(gap(own) <= gap(a) for a in others), (family_id, k, label.get_text())
                # and read by its middle, as an eye does: "saddle point" set halfway up to the next point, its box's
                # edge still nearest its own, read as that point's (read47 F1: 0.86 of the way)
                middle = np.array([(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2])
                assert all(np.hypot(*(middle - own)) <= 0.6 * np.hypot(*(middle - a)) for a in others), \
                    (family_id, k, label.get_text())
                checked += 1
    assert checked >= 20


def test_four_critical_points_a_square_apart_are_each_labelled_on_their_outer_side():
    # read47 F1: x^3 - 12x + y^3 - 3y, "minimum" was set down and left of (2, 1), among three dots
    import types

    import sympy as sp

    from workbook.kinds import hessian

    x, y = sp.symbols("x y")
    points, kinds = [(-2, -1), (-2, 1), (2, -1), (2, 1)], ["maximum", "saddle point", "saddle point", "minimum"]
    work = types.SimpleNamespace(points=[tuple(map(sp.Integer, p)) for p in points], kinds=kinds,
                                 f=x**3 - 12 * x + y**3 - 3 * y, variables=[x, y])
    fig = figures.drawn(hessian._contour(work))
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    middle = ax.transData.transform((0, 0))
    for label in (t for t in ax.texts if getattr(t, "_point", False)):
        box = label.get_window_extent(renderer)
        own = ax.transData.transform(label.xy)
        # above the upper two, below the lower two: the side away from the others
        assert (box.y0 > own[1]) if own[1] > middle[1] else (box.y1 < own[1]), (label.get_text(), label.xy)


def test_iterate_numbers_of_several_rates_do_not_pile_up():
    # a teacher's read: three rates closing in on the minimum printed "33", "2 0" and "10 0" in a pile, and
    # the two converging rates could not be told apart; a number is set only where it stands apart
    import itertools

    import numpy as np

    bank = load_bank()
    checked = 0
    for seed in range(16):
        try:
            record = generate_one(bank["learning-rate"], derive_seed("legible", "learning-rate", seed))
        except REDRAW:
            continue
        fig = figures.drawn(record["figure"])
        renderer = fig.canvas.get_renderer()
        numbers = [t for ax in fig.axes for t in ax.texts if t.get_text().isdigit()]
        centres = [np.array(t.get_window_extent(renderer).get_points()).mean(axis=0) for t in numbers]
        assert numbers and all(np.hypot(*(a - b)) >= 10 for a, b in itertools.combinations(centres, 2)), seed
        checked += len(numbers)
    assert checked >= 40


def test_rates_compared_are_framed_on_their_start_and_a_rate_that_runs_away_leaves_the_plot_named():
    # a teacher's read (seed 7): the loss axis ran to 2500 for the diverging rate's jump to x = 19, and the two
    # other rates lay squashed at its foot, where no one could tell them apart; now the plot frames the start
    # and the minimum, and a step off it ends at the frame with its number and where it lands, as the caption says
    bank = load_bank()
    left = 0
    for seed in range(24):
        try:
            record = generate_one(bank["learning-rate"], derive_seed("legible", "learning-rate", seed))
        except REDRAW:
            continue
        spec = record["figure"]
        ax = figures.drawn(spec).axes[0]
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        start_loss, lowest = spec["runs"][0]["values"][0], spec["minimum"][1]
        assert start_loss - lowest >= 0.2 * (y1 - y0), seed  # the start stands well up the plot, not on its floor
        texts = [t.get_text() for t in ax.texts]
        for run in spec["runs"]:
            off = [(k, p) for k, (p, v) in enumerate(zip(run["points"], run["values"]))
                   if not (x0 <= p <= x1 and y0 <= v <= y1)]
            for k, p in off:
                assert f"x = {p:g} at step {k}" in spec["alt"].split(f"Off the plot, {run['label']} reaches ")[1], seed
            if off:
                k, p = off[0]
                assert f"{k} at x = {p:g}".replace("-", "\u2212") in texts, (seed, texts)
                left += 1
    assert left >= 10


def test_a_bar_charts_legend_covers_no_bar():
    # seeds 31 and 2027's softmax chart printed its legend over the class-3 bars: "y (one-hot)" in black on the
    # red bar of the true class
    from matplotlib.patches import Rectangle

    spec = {"kind": "bars", "alt": "bars", "labels": ["class 1", "class 2", "class 3"],
            "series": [{"label": "p (softmax)", "values": [0.1, 0.2, 0.7]}, {"label": "y (one-hot)", "values": [0, 0, 1]}]}
    fig = figures.drawn(spec)
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    legend = fig.axes[0].get_legend().get_window_extent(renderer)
    bars = [p.get_window_extent(renderer) for p in fig.axes[0].patches if isinstance(p, Rectangle) and p.get_height()]
    assert bars and not [b for b in bars if b.overlaps(legend)]


def test_every_negative_number_a_figure_prints_has_a_minus_sign():
    # the network labels printed δ=-0.0565 and the contour lines -45.1 with a hyphen, beside axes that print −
    from matplotlib.text import Text

    hyphens = []
    for family_id, spec, _ in _figures():
        fig = figures.drawn(spec)
        fig.draw_without_rendering()
        hyphens += [(family_id, t.get_text()) for t in fig.findobj(Text)
                    if t.get_visible() and "$" not in t.get_text() and re.search(r"(?<![\w.)])-\.?\d", t.get_text())]
    assert hyphens == [], hyphens[:5]


def test_an_edge_weight_leaves_its_arrowhead_and_its_start_in_sight():
    # a chain's short edges: cos(u2) covered its edge's head and all of its shaft (the teacher's read of
    # issue 11); a weight may sit on its own shaft, but leaves its head and the shaft's start uncovered,
    # and where it cannot, it stands beside its edge, nearer it than any other
    spec = {"kind": "graph", "nodes": [{"id": i, "label": i} for i in ("x", "u1", "u2", "y")],
            "layers": [["x"], ["u1"], ["u2"], ["y"]], "alt": "a chain",
            "edges": [{"from": "x", "to": "u1", "label": "2"}, {"from": "u1", "to": "u2", "label": "2 u_{1}"},
                      {"from": "u2", "to": "y", "label": r"\cos{\left(u_{2} \right)}"}]}
    fig = figures.drawn(spec)
    assert figcheck.measure_figure(fig, "beside").faults == []
    renderer = fig.canvas.get_renderer()
    strokes = figcheck.strokes(fig)
    assert sum(s.kind == "head" for s in strokes) == 3
    for label in (t for t in fig.axes[0].texts if t.get_gid() and getattr(t, "arrow_patch", None) is None):
        box = label.get_window_extent(renderer)
        assert not any(figcheck._crosses(s.points, box, 0) for s in strokes if s.kind == "head"), label.get_text()
        middle = ((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)
        near = min(strokes, key=lambda s: min((p[0] - middle[0]) ** 2 + (p[1] - middle[1]) ** 2 for p in s.points))
        assert near.gid == label.get_gid(), label.get_text()
    cos = next(t for t in fig.axes[0].texts if "cos" in t.get_text())
    cos.xyann, cos.xy = (0, 0), (3 - figures.HALF - 0.04, 0.0)  # on its edge's head: a fault
    cos.set_verticalalignment("center")
    assert any("cos" in fault for fault in figcheck.measure_figure(fig, "beside").faults)


def test_a_graph_is_as_tall_as_what_it_draws_and_no_edge_is_cut_off():
    # backprop-fanout's edge from y round to L bent below the plot and was cut off (figcheck missed it: it now
    # counts an arrow that runs out of its plot as a fault), and a chain of four nodes was a band of white
    # 4.7 cm tall around boxes 0.9 cm tall
    bank = load_bank(None)
    record = generate_one(bank["backprop-fanout"], 9)  # (3 until a product of equal factors was redrawn: read41)
    spec = (record if isinstance(record, dict) else record.record())["figure"]
    fig = figures.drawn(spec)
    assert figcheck.measure_figure(fig, "beside").faults == []
    ax = fig.axes[0]
    arrows = [s for s in figcheck.strokes(fig) if s.kind in ("arrow", "head")]
    assert len(arrows) >= 12 and all(figcheck._inside_points(s.points, ax.bbox, 1.0) for s in arrows)
    fig.axes[0].set_ylim(-1.1, 1.1)  # the plot as it was cut before
    assert any("runs out of its plot" in fault for fault in figcheck.measure_figure(fig, "beside").faults)
    chain = {"kind": "graph", "nodes": [{"id": i, "label": i} for i in ("x", "u1", "u2", "y")],
             "layers": [["x"], ["u1"], ["u2"], ["y"]], "alt": "a chain",
             "edges": [{"from": a, "to": b, "label": "2"} for a, b in (("x", "u1"), ("u1", "u2"), ("u2", "y"))]}
    assert figures.drawn(chain).get_figheight() * 2.54 < 2.0


@pytest.mark.parametrize("z, label", [(-2.0, 1.0), (2.0, 0.0), (-4.5, 1.0), (4.5, 0.0), (0.5, 1.0)])
def test_a_legend_goes_where_it_covers_nothing(z, label):
    # seed 2027's cross-entropy figure set its legend at the top left, over the dotted line y = 1 it names:
    # matplotlib's "best" place counts only a line's vertices, and a horizontal line has two
    import math

    spec = {"kind": "sigmoid", "z": z, "yhat": 1 / (1 + math.exp(-z)), "label": label, "alt": "a sigmoid"}
    assert figures.measure(spec, "beside").faults == []


def test_a_label_touching_the_frame_reads_as_cut():
    # seed 2026's contour plot printed "86.8" with its digits on the top of the frame: the check let a text
    # reach half a point past the frame; it now asks for half a point clear of it
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = _plot(line=False)
    FigureCanvasAgg(fig)
    ax = fig.axes[0]
    text = ax.text(0.3, 1.0, "86.8", fontsize=8, va="top", clip_on=True)
    fig.draw_without_rendering()
    frame = ax.bbox
    box = text.get_window_extent(fig.canvas.get_renderer())
    text.set_y(ax.transData.inverted().transform((0, frame.y1 - box.height - 0.2))[1])  # 0.2 px inside
    text.set_va("bottom")
    assert any("cut off" in f for f in figcheck.measure_figure(fig, "beside").faults)
    text.set_y(ax.transData.inverted().transform((0, frame.y1 - box.height - 3))[1])
    assert figcheck.measure_figure(fig, "beside").faults == []


def test_a_boxed_label_keeps_paths_and_points_out_of_its_box():
    # seed 2027's momentum run drew a segment and an iterate over the "minimum" label's white box
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = _plot(line=False)
    FigureCanvasAgg(fig)
    ax = fig.axes[0]
    ax.text(0.3, 0.5, "minimum", fontsize=8, clip_on=True,
            bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.85})
    fig.draw_without_rendering()
    box = ax.texts[0].get_window_extent(fig.canvas.get_renderer())
    inside_pad = ax.transData.inverted().transform((box.x0 - 0.5, (box.y0 + box.y1) / 2))  # in the pad, off the ink
    ax.plot([inside_pad[0]], [inside_pad[1]], "o", markersize=0.5)
    assert any("lies over" in f for f in figcheck.measure_figure(fig, "beside").faults)


def test_among_paths_the_minimum_is_a_star():
    # the "minimum" label had no clear place among the paths that end at it; the caption names the star
    import numpy as np

    xs = np.linspace(-4, 4, 41)
    spec = {"kind": "contour", "x": xs.tolist(), "y": xs.tolist(), "z": [[0.1 * a * a + 4 * b * b for a in xs] for b in xs],
            "marks": [{"at": [0, 0], "label": "minimum"}], "alt": "paths",
            "paths": [{"points": [[-3, 2], [-1, -1], [0, 0]], "label": "SGD"}]}
    ax = figures.drawn(spec).axes[0]
    assert not [t for t in ax.texts if t.get_text() == "minimum"]
    assert [line for line in ax.lines if line.get_marker() == "*" and line.get_gid() == "mark"]
    del spec["paths"]  # alone, the point is labelled beside it
    assert [t for t in figures.drawn(spec).axes[0].texts if t.get_text() == "minimum"]


def test_a_contour_label_is_not_set_on_a_ring_little_longer_than_itself():
    # "751" sat on the ring round seed 2027's maximum, and the cut for it left a sliver of the ring
    from matplotlib.path import Path as Curve
    from matplotlib.transforms import Bbox, IdentityTransform

    class Lines:
        def get_transform(self):
            return IdentityTransform()

    box = Bbox([[100, 100], [120, 110]])  # a label 20 px wide
    for radius, eaten in ((10, True), (18, True), (25, False), (60, False)):
        ring = Curve.circle((110, 105), radius)
        assert figures._eats_its_line(Lines(), ring, box) is eaten, radius


def test_a_graph_nodes_text_fits_inside_its_box():
    # seed 2026's 2-2-1 network printed "a=−0.4621" touching both sides of its box; a layer is now as wide as
    # its widest text needs, with room either side
    from matplotlib.patches import FancyBboxPatch

    checked = 0
    for name, spec, _ in _figures():
        if spec["kind"] != "graph":
            continue
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        fig = figures.drawn(spec)
        renderer = FigureCanvasAgg(fig).get_renderer()
        fig.draw(renderer)
        ax = fig.axes[0]
        boxes = [p.get_window_extent(renderer) for p in ax.patches if isinstance(p, FancyBboxPatch)]
        pad = 0.04 * fig.dpi  # 0.04 in clear either side
        for text in ax.texts:
            ink = text.get_window_extent(renderer)
            centre = ((ink.x0 + ink.x1) / 2, (ink.y0 + ink.y1) / 2)
            for box in boxes:
                if box.contains(*centre):
                    assert box.x0 + pad <= ink.x0 and ink.x1 <= box.x1 - pad, (name, text.get_text())
                    checked += 1
    assert checked >= 50


def _node_texts(spec: dict) -> list[tuple[object, list]]:
    """Each node box of a drawn graph with the extents of the texts set in it, top first, in points."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.patches import FancyBboxPatch

    fig = figures.drawn(spec)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    ax, pt = fig.axes[0], fig.dpi / 72
    found = []
    for patch in ax.patches:
        if isinstance(patch, FancyBboxPatch):
            box = patch.get_window_extent(renderer)
            inside = [t.get_window_extent(renderer) for t in ax.texts]
            inside = [e for e in inside if box.contains((e.x0 + e.x1) / 2, (e.y0 + e.y1) / 2)]
            found.append(([v / pt for v in (box.y0, box.y1)],
                          sorted(([e.y0 / pt, e.y1 / pt] for e in inside), key=lambda e: -e[1])))
    return found


def _three_rows() -> list[dict]:
    """Graphs of one to five rows of leaves named with a descender (read38: seed 4242's "y" over −0.5)."""
    specs = []
    for rows in (1, 2, 3, 5):
        leaves = ["y", "q", "p", "g", "j"][:rows]
        specs.append({"kind": "graph", "alt": "a graph", "layers": [leaves, ["f"]],
                      "nodes": [{"id": n, "label": n, "value": "\u22120.5"} for n in leaves]
                      + [{"id": "f", "label": "f", "op": "mul"}],
                      "edges": [{"from": n, "to": "f"} for n in leaves]})
    return specs


def test_a_graph_nodes_name_and_value_stand_apart_inside_its_box():
    checked = 0
    specs = _three_rows() + [spec for _, spec, _ in _figures() if spec["kind"] == "graph"]
    for spec in specs:
        for (bottom, top), texts in _node_texts(spec):
            for upper, lower in itertools.pairwise(texts):
                assert upper[0] - lower[1] >= 0.8, (spec.get("alt"), texts)  # extents 0.8 pt apart, or ink meets
                checked += 1
            if texts:
                assert bottom <= texts[-1][0] and texts[0][1] <= top, (spec.get("alt"), texts)
    assert checked >= 20


def _contrast_with_white(rgb) -> float:
    """WCAG's contrast ratio of a colour against white paper."""
    def channel(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb[:3])
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def test_every_contour_line_stands_out_on_white_paper():
    # the highest contours and their "0" labels were viridis's palest yellow, nearly invisible on paper, and a
    # problem's point lay on one (read24): every line and label is at least twice as dark as white
    checked = 0
    for name, spec, _where in _figures():
        if spec["kind"] != "contour":
            continue
        fig = figures.drawn(spec)
        for collection in fig.axes[0].collections:
            for colour in collection.get_edgecolor():
                assert _contrast_with_white(colour) >= 2.0, (name, colour)
                checked += 1
        for text in fig.axes[0].texts:
            assert _contrast_with_white(to_rgb(text.get_color())) >= 2.0, (name, text.get_text())
    assert checked > 20


def test_an_arrow_a_learner_writes_on_is_long_enough_to_write_on():
    # the chain rule's worksheet graphs asked for cos(u₂) on arrows about 1.1 cm long (read25): each arrow to
    # write on is at least 2 cm as printed
    bank = load_bank(None)
    measured = 0
    for family_id in ("chain-layers", "chain-deep", "chain-multivariable", "chain-two-parameters"):
        for seed in range(3):
            spec = generate_one(bank[family_id], derive_seed("legible", family_id, seed))["worksheet_figure"]
            fig = figures.drawn(spec)
            natural = fig.get_figwidth() * 2.54
            scale = figcheck.printed_cm(natural, "sheet") / natural  # as printed, to as drawn
            for stroke in figcheck.strokes(fig):
                if stroke.kind == "arrow":
                    length_cm = np.hypot(*(stroke.points[-1] - stroke.points[0])) / fig.dpi * 2.54 * scale
                    assert length_cm >= 2.0, (family_id, seed, round(length_cm, 2))
                    measured += 1
    assert measured >= 20


def test_an_iterate_on_the_minimum_is_drawn_over_its_star():
    # the last iterate (1.992, the answer) sat hidden under the star at the minimum 2 (read26)
    record = generate_one(load_bank()["descent-curve"], 48)
    spec = record["figure"]
    assert abs(spec["runs"][0]["points"][-1] - spec["minimum"][0]) < 0.05  # the case: it ends on the minimum
    ax = figures.drawn(spec).axes[0]
    star = [line for line in ax.lines if line.get_marker() == "*"]
    iterates = [line for line in ax.lines if line.get_marker() == "o" and line.get_label().startswith("η")]
    assert star and iterates
    assert min(i.get_zorder() for i in iterates) > max(s.get_zorder() for s in star)


def test_a_legend_reads_across_in_its_own_order():
    # read47 F3: four rates given smallest first read "f(x), 1/4, 5/12" then "1/12, 1/3, minimum" across its rows:
    # matplotlib fills a legend's columns downwards
    family = load_bank()["learning-rate"]
    checked = 0
    for k in range(8):
        try:
            record = generate_one(family, derive_seed("legible", "learning-rate", k))
        except REDRAW:
            continue
        fig = figures.drawn(record["figure"])
        renderer = fig.canvas.get_renderer()
        legend = fig.axes[0].get_legend()
        labels = fig.axes[0].get_legend_handles_labels()[1]
        boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in legend.get_texts()]
        read = [text for text, _ in sorted(boxes, key=lambda tb: (-round(tb[1].y0), tb[1].x0))]
        assert len(labels) > 3 and read == labels, (read, labels)
        checked += 1
    assert checked >= 4


def test_a_legends_fraction_is_written_inline():
    # x³/3 stacked in a legend printed at 5 pt (read26): mathtext sets a fraction's parts at 70%
    assert figures._mathtext(r"f(x) = \frac{x^{3}}{3} - \frac{x + 1}{2}") == "$f(x) = x^{3}/3 - (x + 1)/2$"
    m = figcheck.measure_figure(_stacked(), "beside")
    assert any("stacks a fraction" in fault for fault in m.faults), m.faults


def _stacked():
    fig = Figure(figsize=(3, 2))
    ax = fig.add_axes((0.2, 0.2, 0.7, 0.7))
    ax.plot([0, 1], [0, 1], label=r"$\frac{x^{3}}{3}$")
    ax.legend(loc="lower right", fontsize=8)
    return fig


def test_two_edges_on_one_line_do_not_cross_unless_they_overlap():
    # a chain's x → u₁ and u₂ → y lie on one line: taken as crossing, every weight of a chain was set near its
    # arrow's start, cos(u₂) over the box it leaves (read26); two straight edges that do cross still do
    def line(a, b):
        return np.linspace(a, b, 11)

    first, last = line([0.26, 0.0], [0.74, 0.0]), line([2.26, 0.0], [2.74, 0.0])
    assert not figures._crosses(first, [last])
    assert figures._crosses(first, [line([0.5, 0.0], [1.2, 0.0])])  # one over the other
    assert figures._crosses(line([0.26, 0.5], [0.74, -0.5]), [line([0.26, -0.5], [0.74, 0.5])])


def test_an_iterates_number_is_nearer_its_own_iterate_than_any_other_and_the_last_is_numbered():
    # read30: four iterates close together were numbered "0", "1", "2", the "2" set beside the last, which had
    # no number of its own: a learner matching the table to the picture read x₃ as x₂. Iterates that all but
    # meet share a number ("1, 2", "2–4")
    bank = load_bank()
    checked = lasts = 0
    # A 2-D descent's path on its contour plot is numbered the same way: its table's k = 0, 1, 2 had no dot to
    # match (read34b)
    for family_id in ("descent-1d", "descent-curve", "learning-rate", "descent-2d", "descent-line-fit"):
        for k in range(12):
            try:
                record = generate_one(bank[family_id], derive_seed("legible", family_id, k))
            except REDRAW:
                continue
            spec = record["figure"]
            fig = figures.drawn(spec)
            renderer = fig.canvas.get_renderer()
            ax = fig.axes[0]
            (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
            runs = ([list(zip(run["points"], run["values"], strict=True)) for run in spec["runs"]]
                    if spec["kind"] == "descent1d" else [[tuple(p) for p in path["points"]] for path in spec["paths"]])
            shown = [[(a, b) for a, b in run if x0 <= a <= x1 and y0 <= b <= y1] for run in runs]
            numbers = [t for t in ax.texts if getattr(t, "_point", False)
                       and re.fullmatch(r"\d+((, \d+)*|–\d+)", t.get_text())]
            said = set()
            for label in numbers:
                text = label.get_text()  # "2", "1, 2", "1, 3, 5" (a bounce's, at one end), "1–4" (in a row)
                first, *rest = (int(n) for n in re.split(r", |–", text))
                ks = set(range(first, rest[0] + 1)) if "–" in text else {first, *rest}
                # every iterate a number names is where the number stands: "4, 5" beside 5 alone, 4 at the other end
                # of a bounce, and "1–4" beside 1 (read34)
                lines = [line for line in ax.lines if line.get_marker() == "o" and line.get_linestyle() == "-"]
                mine = [r for r, line in zip(shown, lines) if to_hex(line.get_color()) == to_hex(label.get_color())]
                anchor = ax.transData.transform(label.xy)
                for run in mine[:1]:  # (a number in black: a point two rates share)
                    where = [ax.transData.transform(p) for j, p in enumerate(run) if j in ks]
                    assert all(np.hypot(*(w - anchor)) < figures.APART_PX for w in where), (family_id, k, text)
                said |= ks
                box = label.get_window_extent(renderer)

                def gap(p, box=box):
                    return float(np.hypot(max(box.x0 - p[0], 0, p[0] - box.x1), max(box.y0 - p[1], 0, p[1] - box.y1)))

                own = ax.transData.transform(label.xy)
                mine = [ax.transData.transform(p) for run in shown for j, p in enumerate(run) if j in ks]
                others = [ax.transData.transform(p) for run in shown for j, p in enumerate(run) if j not in ks]
                assert all(gap(own) < gap(p) for p in others if not any(np.allclose(p, m) for m in mine)), \
                    (family_id, k, label.get_text())
                checked += 1
            if len(runs) == 1 and len(shown[0]) > 1:  # one run: its last iterate in view, the answer, numbered
                assert len(shown[0]) - 1 in said, (family_id, k, [t.get_text() for t in numbers])
                lasts += 1
                # and every one: seed 4242's worked example numbered 0, 1 and 3, its 2 too near 1 for a number of
                # its own and left out, under a caption saying the iterates are marked in order (read33)
                assert set(range(len(shown[0]))) <= said, (family_id, k, [t.get_text() for t in numbers])
    assert checked >= 70 and lasts >= 30


def test_a_boxed_label_is_set_clear_of_contour_lines_where_it_can_be():
    # "−∇f" was set on its white box along the contour y = 0, and its minus read as part of the line (read30, the
    # directional derivative at seed 555's problem 11). A boxed label may cross a contour where no place near it is
    # clear; of these plots' labels 62 of 88 did before, 37 after
    bank = load_bank()
    total = crossing = 0
    for family_id in ("directional-derivative", "gradient-at-point", "steepest-descent", "critical-points"):
        for k in range(8):
            try:
                record = generate_one(bank[family_id], derive_seed("legible", family_id, k))
            except REDRAW:
                continue
            if not record.get("figure"):
                continue
            fig = figures.drawn(record["figure"])
            renderer = fig.canvas.get_renderer()
            drawn = figcheck.strokes(fig)
            slack = figcheck.SLACK_PT * fig.dpi / 72
            for label in [t for ax in fig.axes for t in ax.texts if figcheck._boxed(t)]:
                total += 1
                crossing += any(s.kind == "contour" and figcheck._crosses(s.points, label.get_window_extent(renderer), slack)
                                for s in drawn)
    assert total >= 60 and crossing <= total / 2, (crossing, total)
    fig = figures.drawn(generate_one(bank["directional-derivative"], 8796417069144768903)["figure"])
    renderer = fig.canvas.get_renderer()
    minus = next(t for ax in fig.axes for t in ax.texts if t.get_text() == "$-\\nabla f$")
    assert not any(s.kind == "contour" and figcheck._crosses(s.points, minus.get_window_extent(renderer), 0)
                   for s in figcheck.strokes(fig))


@pytest.mark.parametrize("half", [3.0, 4.0, 5.0, 6.0, 8.0, 11.0])
def test_a_grid_to_mark_points_on_is_numbered_on_its_lines_at_whole_numbers(half):
    # read45 F3: a grid of half-width 5 was numbered at -2.5 and 2.5, with a line there between two whole ones,
    # so a learner marking (3, -4) had to guess which line was 3
    spec = {"kind": "contour", "x": [-half, half], "y": [-half, half], "z": [[None, None], [None, None]],
            "point": None, "grid": True, "xlabel": "x", "ylabel": "y", "alt": "A grid."}
    fig = figures.drawn(spec)
    fig.draw_without_rendering()
    ax = fig.axes[0]
    for axis, (lo, hi) in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
        numbered = [t for t in axis.get_majorticklocs() if lo - 1e-9 <= t <= hi + 1e-9]
        lines = sorted(set(numbered) | {t for t in axis.get_minorticklocs() if lo - 1e-9 <= t <= hi + 1e-9})
        assert len(numbered) >= 3 and all(t == round(t) for t in numbered), numbered
        assert np.allclose(np.diff(lines), 1.0), lines  # a line at each whole number, and none between
