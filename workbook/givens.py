"""Whether a prompt states every given its answer depends on: each kind declares them (``Kind.givens``: the rates,
ε, the starting point, the data, the activations), read from a record's claims, and each must be read in the
prompt as a learner reads it, in its text, its math or its tables. ``workbook check`` runs it on a bank author's
family (user51 F3: a value family whose prompt never said the point passed), and the tests on every shipped one."""

from __future__ import annotations

import re

import sympy as sp


def stated_numbers(prompt: list[dict]) -> list[float]:
    """Every number a prompt states, read from its text, math and tables as a learner reads them."""
    parts = []
    for part in prompt:
        parts.append(part.get("text", "") + " " + part.get("math", ""))
        if "table" in part:
            parts += [str(cell) for row in part["table"]["rows"] for cell in row]
    text = " ".join(parts).replace("\u2212", "-")
    text = re.sub(r"10\^\{?\(?(-?\d+)\)?\}?", lambda m: f" 1e{m[1]} ", text)  # ε = 10^{-8}
    numbers = [float(sp.Rational(m[1] + m[2]) / sp.Rational(m[3]))
               for m in re.finditer(r"(-?)\s*\\[dt]?frac\{(\d+)\}\{(\d+)\}", text)]
    text = re.sub(r"\\[dt]?frac\{\d+\}\{\d+\}", " ", text)
    numbers += [float(sp.Rational(m[1] + m[2]) / sp.Rational(m[3]))  # and one written on its line, 1 / 12
                for m in re.finditer(r"(-?)\s*(?<![\d.])(\d+) / (\d+)(?![\d.])", text)]
    return numbers + [float(m) for m in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", text)]


def unstated(declared: dict[str, list[str]], prompt: list[dict]) -> list[tuple[str, str]]:
    """The (name, value) pairs of ``declared`` (a kind's givens for one record) that the prompt does not state."""
    numbers = stated_numbers(prompt)
    words = " ".join(part.get("text", "") + part.get("math", "") for part in prompt).lower()
    missing = []
    for name, values in declared.items():
        for value in values:
            if name == "words":  # a name, or one of several ways to state it ("|" between them)
                ways = value.lower().split("|") + (["\\sigma"] if value == "sigmoid" else [])
                if not any(way in words for way in ways):
                    missing.append((name, value))
                continue
            try:
                truth = float(sp.sympify(value))
            except (TypeError, ValueError, sp.SympifyError):
                continue  # not a number (a claim the kind gives as words elsewhere)
            if not any(abs(n - truth) <= 1e-9 + 5e-5 * abs(truth) or abs(abs(n) - abs(truth)) <= 1e-12 and truth == 0
                       for n in numbers):
                missing.append((name, value))
    return missing
