"""The table of derivatives a book's cover prints: every rule its worked solutions quote from a table.

A worked step "From the table of derivatives, d/dx [ln x] = 1/x" quoted a table the book never printed (read23).
The cover now prints one, made from what the solutions quote: each function rule a step takes from the table,
each operation a computational graph's nodes apply, each activation a network uses. A rule the book derives
wherever it is used (softplus' = σ) is not in it; the sigmoid and tanh rules are, and a problem that asks to
show one of them works it from the definition.
"""

from __future__ import annotations

import re

QUOTED = "From the table of derivatives, "  # how a worked step quotes the table (workbook.explain)
# a graph's operation or a network's activation, by the name of the expression language's function whose rule it uses
GRAPH_OPS = {"exp": "exp", "log": "log", "sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu"}
# rules set as a teacher writes them, where SymPy's form is not (σ's factors; ReLU's cases, no unit step)
WRITTEN = {"sigmoid": r"\sigma(u)\,\bigl(1 - \sigma(u)\bigr)",
           "relu": r"1 \text{ for } u > 0,\ 0 \text{ for } u < 0"}
CHAIN_NAMES = re.compile(r": the ([a-z -]+ rule) gives ")  # workbook.explain's chain step naming its outer rule


def stated(u):
    """(rule, f(u), f'(u)) for each rule a step states itself that is no function of the table's (the square
    root, a power): printed too, as the exponential's is (a solution said "the exponential is its own
    derivative" and the cover's table, which the solutions quote, had no e^u: read24). Checked in the tests
    against SymPy's diff."""
    import sympy as sp

    return [("Square-root rule", sp.sqrt(u), 1 / (2 * sp.sqrt(u)))]


DERIVED = {"softplus"}  # derived wherever it is used (workbook.kinds.derivative's DERIVATIONS)


def _derivations() -> dict:
    """Each derivation from a definition (workbook.kinds.derivative's DERIVATIONS), by its opening step's rule,
    with the table's entries by function."""
    from workbook import functions
    from workbook.kinds.derivative import DERIVATIONS

    return {d.steps[0][0]: d for d in DERIVATIONS}, {entry.cls: entry.rule for entry in functions.TABLE if entry.rule}


def derivations_need() -> dict[str, set[str]]:
    """The table's rules each derivation from a definition uses, by the derivation's opening step: those of the
    functions its definition is written with (tanh's exponentials; a derivation through sinh and cosh used
    rules no table of the book printed: read27)."""
    derivations, rule_of = _derivations()
    return {opening: {rule_of[type(f)] for f in d.steps[0][2][-1][1].atoms(*rule_of) if type(f) is not d.function}
            for opening, d in derivations.items()}


def derived_in(sections: list) -> dict[str, list[int]]:
    """The practice problems that derive a rule of the table from its definition, by the rule's name: the
    table says so beside the rule (a problem asked to show tanh' = 1 - tanh² while the cover quoted it: read27)."""
    out: dict[str, list[int]] = {}
    for section in sections if isinstance(sections, list) else ():
        for problem in section.get("problems", ()) if isinstance(section, dict) else ():
            if not isinstance(problem, dict) or not isinstance(problem.get("number"), int):
                continue
            for rule in sorted(rules_derived(problem)):
                out.setdefault(rule, []).append(problem["number"])
    return out


def left_blank(sections: list) -> set[str]:
    """The rules a worksheet's table leaves for a learner to write in: each one a problem derives from its
    definition where no worked example up to its section, nor a problem of a section before, uses the rule. One used
    before is printed: problem 6 asked for tanh²(3x)' in Module 1 with the tanh rule left blank until problem 18 in
    Module 3 (read48 F1), and a Module 3 example printed the rule the blank hid (read47 F2). A problem of its own
    section using it does not print it: the derivation is a page away, and printed it was given away (read58 F3,
    read59 F7: the derivatives edition's three activation problems each used σ', and the third asked to derive it)."""
    used: set[str] = set()
    blank: set[str] = set()
    for section in sections if isinstance(sections, list) else ():
        if not isinstance(section, dict):
            continue
        example = section.get("example")
        used |= rules_quoted(example) if isinstance(example, dict) else set()
        here: set[str] = set()
        for problem in section.get("problems", ()):
            if isinstance(problem, dict):
                blank |= rules_derived(problem) - used
                here |= rules_quoted(problem)
        used |= here
    return blank


def rules_derived(problem: dict) -> set[str]:
    """The table's rules one problem derives from their definitions (the sigmoid's, tanh's)."""
    derivations, rule_of = _derivations()
    return {rule_of[d.function] for step in problem.get("steps", ()) if isinstance(step, dict)
            for d in [derivations.get(step.get("rule"))] if d is not None}


def rules_quoted(problem: dict) -> set[str]:
    """The table's rules one problem's worked solution uses: each its steps quote or state, each a derivation
    from the definition differentiates with, each its graph's operations and its network's activations need.
    A worked example that uses one asks no learner to derive it after (workbook.scheduler: read47 F2)."""
    import sympy as sp

    from workbook import functions

    titles, names = _used(problem)
    return {rule for rule, _, _ in stated(sp.Symbol("u")) if rule in titles} | {
        entry.rule for entry in functions.TABLE
        if entry.outer is not None and entry.names[0] not in DERIVED and (entry.rule in titles or entry.names[0] in names)}


def _used(problem: dict) -> tuple[set, set]:
    """(the rules a problem's steps name, the functions its graph or network applies)."""
    titles, names = set(), set()
    needs = derivations_need()
    for step in problem.get("steps", ()):
        if not isinstance(step, dict):
            continue
        said = step.get("say") or [{}]
        titles.add(step.get("rule"))  # quoted "from the table", or stated where used (the exponential's)
        titles |= needs.get(step.get("rule"), set())  # what a derivation from the definition differentiates
        for part in said:  # and one a chain step names: "Let u = 5x: the cosine rule gives ..." (read24)
            named = CHAIN_NAMES.search(part.get("text", "")) if isinstance(part, dict) else None
            if named:
                titles.add(named[1][0].upper() + named[1][1:])
    claims = problem.get("claims") or {}
    if claims.get("type") == "backprop":
        names |= {GRAPH_OPS[node[1]] for node in claims.get("graph", ()) if node[1] in GRAPH_OPS}
    if claims.get("type") == "network":
        names |= {GRAPH_OPS.get(claims.get("activation"))} | ({"sigmoid"} if claims.get("output") == "sigmoid"
                                                              else set())
    return titles, names


_CHECKED: set = set()  # the derivations derived_at_end has checked in this process


def derived_at_end(sections: list) -> list[dict]:
    """The table's rules that a derivation from the definition gives (the sigmoid's, tanh's) and no practice
    problem of the sections derives: each with its derivation, for the end of the solutions book, as the
    template shows a worked solution's steps (a {"title", "rule", "steps"} record). A rule the book quotes is
    derived somewhere in it: seed 555 quoted tanh' = 1 - tanh² in a worked example and a network, and derived it
    nowhere (read30). Every equality each prints is checked first, as a problem's own derivation is."""
    from workbook.errors import BuildError
    from workbook.kinds.derivative import check_derivation, steps_of
    from workbook.verify import VerifyError

    derivations, rule_of = _derivations()
    quoted = {rule for rule, _ in rows(sections)}
    done = derived_in(sections)
    out = []
    for d in derivations.values():
        rule = rule_of.get(d.function)
        if d.always or rule not in quoted or rule in done:
            continue
        if d.function not in _CHECKED:  # never printed unchecked: a check that fails raises (once a process)
            try:
                check_derivation(d)
            except VerifyError as exc:
                raise BuildError(f"the derivation of the {rule.lower()} failed its check: {exc}") from None
            _CHECKED.add(d.function)
        out.append({"title": rule, "rule": rule, "steps": [step.record() for step in steps_of(d)]})
    return out


def rows(sections: list) -> list[tuple[str, str]]:
    """(the rule's name, its formula in LaTeX) for each rule the sections' worked solutions quote, in the
    expression language's order (workbook.functions.TABLE)."""
    import sympy as sp

    from workbook import functions
    from workbook.numbers import latex

    titles, names = set(), set()
    for section in sections if isinstance(sections, list) else ():
        if not isinstance(section, dict):
            continue
        example = section.get("example")
        for problem in [*section.get("problems", ()), *([example] if isinstance(example, dict) else [])]:
            if isinstance(problem, dict):
                titles, names = (a | b for a, b in zip((titles, names), _used(problem), strict=True))
    u = sp.Symbol("u")
    out = [(rule, rf"\dfrac{{d}}{{du}}\,{latex(f)} = {latex(d).replace(chr(92) + 'frac', chr(92) + 'dfrac')}")
           for rule, f, d in stated(u) if rule in titles]
    for entry in functions.TABLE:
        name = entry.names[0]
        if entry.outer is None or name in DERIVED or not (entry.rule in titles or name in names):
            continue
        formula = rf"\frac{{d}}{{du}}\,{latex(entry.cls(u))} = {WRITTEN.get(name) or latex(entry.outer(u))}"
        out.append((entry.rule, formula.replace(r"\frac", r"\dfrac")))  # full size: its 1/u was set at 6 pt
    return out
