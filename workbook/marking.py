"""Worksheet figures: what a student reads or marks while working a problem.

Each is a kind's solution figure (plain data, drawn by workbook.figures) with what the problem asks for
taken out, and a caption that says what to draw: the tangent line on the printed curve, the gradient on
the contour plot, the iterates on the loss curve, the local derivatives on the arrows, the activations in
the boxes of a network. A worksheet figure never shows a value the problem asks for (tests/test_marking.py
reads every text drawn on it).
"""

from __future__ import annotations


def tangent(spec: dict) -> dict:
    """The curve and the point, without the tangent line or its equation: the student draws it."""
    x0 = spec["x0"]
    kept = {k: v for k, v in spec.items() if k not in ("tangent_label", "slope")}
    return kept | {"tangent": False, "slope": 0.0,
                   "alt": (f"The graph of f near x = {x0:g}, the point on it at x = {x0:g} marked. Draw the tangent "
                           "line there: its slope is the derivative you find.")}


def contour(spec: dict, instruction: str) -> dict:
    """The contour lines and the given point, without arrows, paths or marked answers."""
    kept = {k: v for k, v in spec.items() if k not in ("arrows", "paths", "marks", "alt")}
    return kept | {"alt": f"Contour lines of {spec.get('of', 'the function')}" + (", the point marked" if spec.get("point") else "")
                   + (", the minimum starred" if spec.get("minimum") else "") + ". " + instruction}


def descent(spec: dict, start: list[float], instruction: str) -> dict:
    """The loss curve with the starting point, without any iterate."""
    kept = {k: v for k, v in spec.items() if k not in ("runs", "alt")}
    return kept | {"runs": [], "start": start, "alt": f"The curve of {spec['ylabel']}, the starting point marked. " + instruction}


def graph(spec: dict, instruction: str, *, weights: bool) -> dict:
    """The graph's boxes and arrows: each arrow's label kept only when it is given (a network's weights),
    each box's value and gradient left to fill in."""
    nodes = []
    for node in spec["nodes"]:
        blank = {k: v for k, v in node.items() if k not in ("value", "grad")}
        for key in ("value", "grad"):  # "a = 0.3775" -> "a = ?", a bare number -> "= ?"
            if key in node:
                name = str(node[key]).split("=")[0].strip() if "=" in str(node[key]) else ""
                blank[key] = f"{name} = ?".strip()
        nodes.append(blank)
    edges = [e if weights else {**e, "label": "?" if e.get("label") else ""} for e in spec["edges"]]
    return {k: v for k, v in spec.items() if k not in ("nodes", "edges", "alt")} | {
        "nodes": nodes, "edges": edges, "alt": instruction}
