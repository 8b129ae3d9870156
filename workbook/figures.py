"""Diagrams drawn with matplotlib from a problem's figure spec (plain data), returned as SVG text.

The same spec always gives the same bytes: a fixed SVG hash salt, no date in the metadata, and
the object-oriented API (no pyplot global state).
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path

# matplotlib warns, on import, with the path of a config folder it cannot write, as the environment
# spells it (escape sequences and line breaks included); it then uses a temporary one, which is fine
logging.getLogger("matplotlib").setLevel(logging.ERROR)

import matplotlib
import matplotlib.patches

matplotlib.use("Agg")
# matplotlib has already read a matplotlibrc from the working folder (someone else's, say) or from
# $MATPLOTLIBRC: its own defaults instead, so no file that no option names changes a figure (nor, with
# text.usetex, runs LaTeX with a preamble someone else wrote)
matplotlib.rcdefaults()

import numpy as np
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

# what a cached figure depends on: this file's code and matplotlib's version
VERSION = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16] + "|" + matplotlib.__version__

WIDTH_IN = 3.6  # about 9 cm on paper
STYLE = {
    "svg.hashsalt": "workbook",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "axes.linewidth": 0.6,
    "axes.edgecolor": "#444444",
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
}


class FigureError(ValueError):
    """A figure spec that cannot be drawn."""


def _mathtext(latex: str) -> str:
    """A label matplotlib's mathtext can draw: no \\left/\\right sizing, no environments."""
    text = latex.replace(r"\left", "").replace(r"\right", "")
    text = re.sub(r"\\operatorname\{(\w+)\}", r"\\mathrm{\1}", text)
    return f"${text}$"


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
        ax.plot(x, line, color="#c0504d", linewidth=1.2, linestyle="--",
                label=_safe_label(spec.get("tangent_label", "tangent")))
        ax.plot([x0], [y0], "o", color="#c0504d", markersize=4.5, zorder=3)
        ax.annotate(f"({_short(x0)}, {_short(y0)})", (x0, y0), textcoords="offset points", xytext=(6, -12), fontsize=8)
        ax.set_xlim(x.min(), x.max())
        ax.set_ylim(lo - pad, hi + pad)
        return _finish(fig, ax, spec.get("xlabel", "x"), spec.get("ylabel", "y"), legend_size=7.5)


def _finish(fig: Figure, ax, xlabel: str, ylabel: str, legend_size: float = 7, legend_at: str = "best") -> str:
    """Axis labels, a light grid and the legend: the same finish for every plot of a function."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, linewidth=0.3, color="#dddddd")
    ax.legend(loc=legend_at, fontsize=legend_size, frameon=False)
    return _output(fig)


def _short(value: float) -> str:
    """A coordinate as a reader writes it: 1485.125, -10, 0.25 (never 1.49e+03)."""
    text = f"{value:.3f}".rstrip("0").rstrip(".") if abs(value) < 1e6 else f"{value:.3g}"
    return "0" if text in ("-0", "") else text


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
    output = _OUTPUT.get()
    if output is None:
        return _save_svg(fig)
    if isinstance(output, tuple):
        return _save_svg(fig), _save_png(fig, output[1])
    return _save_png(fig, output)


def _save_svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", pad_inches=0.04,
                metadata={"Date": None, "Creator": "workbook"})
    return buffer.getvalue()


def _save_png(fig: Figure, dpi: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.04)
    # opaque RGB on white: WeasyPrint would split an alpha channel into a second image
    rgba = Image.open(buffer).convert("RGBA")
    out = io.BytesIO()
    Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB").save(
        out, format="PNG", compress_level=1)
    return out.getvalue()


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
            lo, hi = np.percentile(finite, [1, 99])
            levels = np.linspace(lo, hi, 14) if hi > lo else 10
            cs = ax.contour(x, y, z, levels=levels, cmap="viridis", linewidths=0.8)
            ax.clabel(cs, inline=True, fontsize=6, fmt="%.3g")
        point = spec.get("point")
        if point is not None:
            ax.plot([point[0]], [point[1]], "o", color="#222222", markersize=4, zorder=4)
        for mark in spec.get("marks", []):
            ax.plot([mark["at"][0]], [mark["at"][1]], "o", color="#c0504d", markersize=4.5, zorder=4)
            ax.annotate(mark["label"], mark["at"], textcoords="offset points", xytext=(5, 5), fontsize=7.5,
                        color="#c0504d")
        for arrow in spec.get("arrows", []):
            v = np.asarray(arrow["vector"], dtype=float)
            length = float(np.hypot(*v)) or 1.0
            v = v / length * 0.3 * span
            ax.annotate("", xy=(point[0] + v[0], point[1] + v[1]), xytext=(point[0], point[1]),
                        arrowprops={"arrowstyle": "-|>", "color": arrow.get("color", "#c0504d"), "lw": 1.4}, zorder=5)
            ax.text(point[0] + 1.12 * v[0], point[1] + 1.12 * v[1], _safe_label(arrow.get("label", "")),
                    color=arrow.get("color", "#c0504d"), fontsize=8, ha="center", va="center")
        for path in spec.get("paths", []):
            pts = np.asarray(path["points"], dtype=float)
            ax.plot(pts[:, 0], pts[:, 1], "o-", color=path.get("color", "#c0504d"), markersize=2.5, linewidth=1.1,
                    label=path.get("label"))
        if spec.get("paths"):
            ax.legend(loc="upper right", fontsize=7, frameon=True, framealpha=0.85)
        ax.set_xlim(x.min(), x.max())
        ax.set_ylim(y.min(), y.max())
        ax.set_xlabel(spec.get("xlabel", "x"))
        ax.set_ylabel(spec.get("ylabel", "y"))
        ax.set_aspect("equal", adjustable="box")
        return _output(fig)


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
            c = colors[i % len(colors)]
            ax.plot(px, py, "o-", color=c, markersize=3.5, linewidth=0.9, label=run.get("label"))
            for k, (a, b) in enumerate(zip(px[:4], py[:4])):
                ax.annotate(str(k), (a, b), textcoords="offset points", xytext=(3, 4), fontsize=6.5, color=c)
        minimum = spec.get("minimum")
        if minimum is not None:
            ax.plot([minimum[0]], [minimum[1]], "*", color="#222222", markersize=7, zorder=5, label="minimum")
        finite = y[np.isfinite(y)]
        if finite.size:  # the curve's low part, and every drawn iterate (a diverging rate's too)
            drawn = [v for run in spec["runs"] for v in run["values"] if v is not None and np.isfinite(v)]
            lo, hi = finite.min(), max([np.percentile(finite, 95), *drawn])
            ax.set_ylim(lo - 0.1 * (hi - lo + 1), hi + 0.1 * (hi - lo + 1))
        ax.set_xlim(x.min(), x.max())
        ax.set_xlabel(spec.get("xlabel", "x"))
        ax.set_ylabel("loss")
        ax.grid(True, linewidth=0.3, color="#dddddd")
        ax.legend(loc="upper center", fontsize=7, frameon=False)
        return _output(fig)


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
        ax.text(z0 + 0.2, (yhat + label) / 2, r"$\hat y - y$", color="#c0504d", fontsize=8)
        ax.set_xlabel("z")
        ax.set_ylabel("output")
        ax.set_ylim(-0.05, 1.05)
        ax.grid(True, linewidth=0.3, color="#dddddd")
        ax.legend(loc="upper left", fontsize=7, frameon=False)
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
        ax.legend(loc="upper right", fontsize=7, frameon=False)
        ax.grid(True, axis="y", linewidth=0.3, color="#dddddd")
        return _output(fig)


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
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(max(WIDTH_IN, 1.15 * width), 1.1 + 0.75 * height))
        FigureCanvasSVG(fig)
        ax = fig.add_axes((0.02, 0.02, 0.96, 0.96))
        ax.set_xlim(-0.5, len(layers) - 0.5)
        ax.set_ylim(-height / 2 - 0.1, height / 2 + 0.1)
        ax.axis("off")
        for k, edge in enumerate(spec["edges"]):
            (x0, y0), (x1, y1) = pos[edge["from"]], pos[edge["to"]]
            ax.annotate("", xy=(x1 - 0.2, y1 + (y0 - y1) * 0.12), xytext=(x0 + 0.2, y0 - (y0 - y1) * 0.12),
                        arrowprops={"arrowstyle": "-|>", "color": "#555555", "lw": 0.9})
            t = 0.5 + (0.08 if k % 2 else -0.08) * (y0 != y1)
            ax.text(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t + 0.1, _safe_label(edge.get("label", "")),
                    fontsize=7.5, ha="center", va="bottom", color="#c0504d",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})
        for node_id, (x, y) in pos.items():
            node = nodes.get(node_id, {"label": node_id})
            ax.add_patch(matplotlib.patches.FancyBboxPatch((x - 0.19, y - 0.14), 0.38, 0.28,
                                                           boxstyle="round,pad=0.02", fc="#eef3f8", ec="#1f4e79"))
            if "op" in node:
                ax.text(x, y + 0.17, node["op"], ha="center", va="bottom", fontsize=7, color="#555555",
                        style="italic")
            ax.text(x, y + (0.03 if "value" in node else 0), node["label"], ha="center", va="center", fontsize=9,
                    fontweight="bold")
            if "value" in node:
                ax.text(x, y - 0.08, node["value"], ha="center", va="center", fontsize=6.5, color="#1f4e79")
            if "grad" in node:
                ax.text(x, y - 0.24, node["grad"], ha="center", va="top", fontsize=6.5, color="#c0504d")
        return _output(fig)


FIGURES: dict[str, Callable[[dict], str]] = {"graph": graph_figure, "tangent": tangent_figure, "contour": contour_figure,
                                             "descent1d": descent1d_figure, "residuals": residuals_figure,
                                             "sigmoid": sigmoid_figure, "bars": bars_figure}


MAX_SPEC = 64_000  # characters in a figure's spec: the largest a family draws is about 22 000


def _checked_spec(spec: dict) -> None:
    """A spec no larger than a page can show (a template may build its own): FigureError otherwise."""
    if len(repr(spec)) > MAX_SPEC:
        raise FigureError(f"a figure's spec is over {MAX_SPEC} characters; a figure shows a few dozen things")


def figure_svg(spec: dict) -> str:
    """Draw a figure spec, by its kind, as SVG (for the HTML: sharp at any zoom, text kept as paths)."""
    _checked_spec(spec)
    draw = FIGURES.get(spec.get("kind"))
    if draw is None:
        raise FigureError(f"unknown figure kind {spec.get('kind')!r}; known: {', '.join(FIGURES)}")
    return draw(spec)


PRINT_DPI = 300  # 220-380 dots an inch on paper: figures print 7.2-12.5 cm wide


def figure_png(spec: dict, dpi: int = PRINT_DPI) -> bytes:
    """The same figure as PNG, for the PDF: WeasyPrint lays a PNG out 10-15 times faster than
    matplotlib's SVG (thousands of small paths), at print resolution."""
    token = _OUTPUT.set(dpi)
    try:
        return figure_svg(spec)
    finally:
        _OUTPUT.reset(token)


def figure_both(spec: dict, dpi: int = PRINT_DPI) -> tuple[str, bytes]:
    """The SVG and the PNG of a figure, drawn once (a build that writes HTML and PDF needs both)."""
    token = _OUTPUT.set(("both", dpi))
    try:
        return figure_svg(spec)
    finally:
        _OUTPUT.reset(token)
