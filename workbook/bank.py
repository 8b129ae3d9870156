"""The problem bank: one TOML file per problem family, loaded and validated as data.

A family file never runs code. Its expressions go through ``workbook.expr`` (our own
parser, a fixed function table); its text is only ever shown, escaped. Every problem in
every file is reported at once, each with its file and key path.
"""

from __future__ import annotations

import time
from pathlib import Path

import sympy as sp
from pydantic import ValidationError

from workbook import expr as E
from workbook.errors import InputError, excerpt, printable, pydantic_lines
from workbook.family import Family
from workbook.kinds import registry
from workbook.resources import problems_dir
from workbook.userfiles import HARD_LINK, hard_link, link_out, load_toml


def schemas() -> dict[str, type[Family]]:
    """Each kind's family schema, by kind name."""
    return {name: kind.schema for name, kind in registry().items()}


class AnEdition(InputError):
    """A file in a bank folder that is an edition (sections, no kind): ``bank = ["."]`` beside it."""


def load_family(path: Path, *, parsed: bool = True) -> Family:
    """Read and check one family file; raise InputError listing every problem in it. Without ``parsed``, its
    expressions are not read ahead of its draws: for the built-in families, shipped read and tested (reading
    all 53 was a fifth of a second of every build's start, before any worker began)."""
    data = load_toml(path, "family file")
    kind = data.get("kind")
    model = schemas().get(kind) if isinstance(kind, str) else None
    if model is None and kind is None and "sections" in data:
        raise AnEdition([(f"{path}: an edition, not a family file; name it as the edition, and keep families in a "
                         "folder of their own")])
    if model is None:
        known = ", ".join(sorted(schemas()))
        if kind is None:  # an empty file, or one that forgot its kind
            raise InputError([f"{path}: kind: required key is missing; a family file names its kind, one of: {known}"])
        raise InputError([f"{path}: kind: unknown kind {excerpt(kind)}; the kinds are: {known}"])
    try:
        family = model.model_validate(data)
    except ValidationError as exc:
        # and the expressions that cannot be read at all, said with the keys' mistakes, not in a round after them
        # (user53 F14: a missing ')' was said once three other mistakes were mended)
        lines = pydantic_lines(path, exc) + [f"{path}: {p}" for p in _unreadable(data)]
        raise InputError(list(dict.fromkeys(lines))) from None
    family.path = str(path)
    problems = _parse_formulas(family) if parsed else []
    if problems:
        raise InputError(list(dict.fromkeys(f"{path}: {p}" for p in problems)))
    return family


def _unreadable(data: dict) -> list[str]:
    """The family's expressions (``expression``, ``expressions``) that no names could make readable: a bracket
    left open, an operator missing."""
    texts = [("expression", data.get("expression"))]
    if isinstance(data.get("expressions"), list):
        texts += [(f"expressions[{i}]", t) for i, t in enumerate(data["expressions"][:20])]
    problems = []
    for where, text in texts:
        if not isinstance(text, str) or len(text) > 400:
            continue  # (said by the key's own check)
        try:
            E.parse(text)
        except E.ExprError as exc:
            problems.append(f"{where}: {exc}")
        except (ValueError, TypeError, RecursionError):
            continue
    return problems


# the symbols the kinds print for themselves, which a variable of a family may not be named (attack24)
OWN_SYMBOLS = {"f": "the function", "eta": "the learning rate (η)", "H": "the Hessian", "J": "the Jacobian",
               "k": "a step's number", "L": "the loss", "g": "the gradient", "sigma": "the sigmoid (σ)",
               "theta": "the unit step (θ) and an optimizer's parameter"}
# what each kind prints for itself, by the key that names a thing: a chain's x = x² + 1 ... dz/dz, an RMSprop that
# trained α with α = 0.9, a gradient check of f(h, y) with h = 0.01 (attack25)
KIND_SYMBOLS = {
    "chain": {"parameters": {"x": "an inner variable", "y": "an inner variable", "z": "the output"}},
    "optimizer": {"variable": {"m": "Adam's first moment", "v": "the running average of squared gradients",
                               "b": "momentum's buffer", "t": "the step's number", "mu": "the momentum (μ)",
                               "alpha": "RMSprop's smoothing (α)", "beta1": "Adam's β₁", "beta2": "Adam's β₂",
                               "eps": "ε", "epsilon": "ε", "varepsilon": "ε", "G": "AdaGrad's sum"}},
    "gradient_check": {"variables": {"h": "the step"}},
}
ALLOWED_OWN = {"optimizer": {"theta"}}  # the optimizer's parameter is θ by default: that is what it is


def _name_problems(family: Family) -> list[str]:
    """The parameters' names and every name the family declares (``variable``, ``variables``,
    ``parameters``, a graph's leaves ...) must each be a name of the expression language that prints as
    itself (xhat as x̂, x_ as x_{}: checked here, where a family names things, not in the parser, whose hints
    for a learner's slips come first), and no two may print alike (x1 and x_1 are both x_{1}); a list must
    not name one twice, and a declared name is not a symbol the page uses for itself."""
    named = [(f"params.{_shown(name)}", name, None) for name in family.params]
    for key, value in family.declared_names():
        names = [value] if isinstance(value, str) else value
        named += [(key if isinstance(value, str) else f"{key}[{i}]", name, names[:i]) for i, name in enumerate(names)]
    problems, printed = [], {}
    kind = getattr(family, "kind", None)
    declared = {name for _, name, before in named if before is not None}
    for name in family.params:  # a parameter x took a Jacobian's x away, printing F(x, y) = (45y, y + 3) (attack25)
        if name in declared:
            problems.append(f"params.{_shown(name)}: a parameter cannot share a variable's name: rename the parameter")
    for where, name, before in named:
        key = where.split("[")[0]
        own = {**{k: v for k, v in OWN_SYMBOLS.items() if k not in ALLOWED_OWN.get(kind, ())},
               **KIND_SYMBOLS.get(kind, {}).get(key, {})}
        shown = E.printed_name(name) if not (E.name_problem(name) or E.print_problem(name)) else ""
        if trouble := E.name_problem(name) or E.print_problem(name):
            problems.append(f"{where}: {trouble}")
        elif before is not None and name in own:  # a variable f printed ∂f/∂f, eta η_k = η_{k-1} - η ...
            problems.append(f"{where}: {name} is what the page calls {own[name]}: choose another name")
        elif before is not None and len(shown) > 1 and shown.isalpha():
            # xy is set as its letters side by side, as the product x·y is (attack25)
            problems.append(f"{where}: {excerpt(name)} would print as the product of its letters: choose one letter, "
                            "a Greek letter's name, or a letter with digits (x1)")
        elif before is not None and kind == "gradient_descent" and "_" in shown:
            problems.append(f"{where}: {excerpt(name)} prints with a subscript, and so does each iterate ({excerpt(name)} "
                            "at step k would read x_0_k): choose a name without digits")
        elif before is not None and name in before:
            problems.append(f"{where}: {excerpt(name)} is named twice")
        elif (other := printed.setdefault(shown.replace("\\var", "\\"), name)) != name:
            # two forms of one letter (ε and ϵ) are one letter to a reader
            problems.append(f"{where}: {excerpt(name)} prints as {excerpt(other)} does: rename one of them")
    return problems


def _shown(name: str) -> str:
    """A name as a message shows it: control characters escaped, not sent to the terminal."""
    return name if name.isprintable() else repr(name)


READ_BUDGET = 3.0  # seconds to read every expression of one family file (a built-in one takes milliseconds)
MOST_FAMILIES = 1000  # family files in one bank folder (the built-in bank has 53)
BANK_BUDGET = 20.0  # seconds to read every family of a bank (the built-in bank of 51 takes under one)


def _parse_formulas(family: Family) -> list[str]:
    """Parse every expression of the family, with only its own names allowed."""
    problems = _name_problems(family)
    if problems:
        return problems  # every expression would be read with these names: nothing more to say until they are fixed
    names = set(family.params)
    for i, group in enumerate(family.distinct):
        if len(group) < 2:  # a group of one makes nothing differ (attack27)
            problems.append(f"distinct[{i}]: a group of one parameter makes nothing differ; name two or more")
        for name in group:
            if name not in names:
                problems.append(f"distinct[{i}]: {excerpt(name)} is not a parameter")
        if set(group) <= names and (never := family.never_distinct(group)):
            problems.append(f"distinct[{i}]: {never}")
    started = time.monotonic()
    for where, text, allowed, required in family.formulas():
        if time.monotonic() - started > READ_BUDGET:
            problems.append(f"{where}: the family's expressions take over {READ_BUDGET:g} s to read; "
                            "a family needs a few short ones")
            break
        for name in required & names:
            problems.append(f"params.{name}: a parameter cannot share a variable's name")
        try:
            parsed = E.parse(text, variables=allowed)
        except E.ExprError as exc:
            problems.append(f"{where}: {exc}")
            continue
        for name in sorted(required):
            if not parsed.has(E.symbol(name)):
                problems.append(f"{where}: the expression does not use the variable {name!r}")
        if parsed.has(sp.DiracDelta):  # read so that SymPy's derivatives read back, no function to set (attack50 F4)
            problems.append(f"{where}: DiracDelta is no function a problem can be set on (it is infinite at 0 and has "
                            "no slope to work out); remove it")
    return sorted(set(problems), key=problems.index)


def load_bank(folders: list[Path] | None = None, problems: list[str] | None = None, *,
              builtin: bool = True, unread: list[Path] | None = None) -> dict[str, Family]:
    """Every family in the built-in bank and in ``folders``, by id; all problems at once, as an
    InputError, or (given a ``problems`` list) added to it, the families that loaded returned, and each
    file that did not load added to ``unread``. Without ``builtin``, only the folders' families (a folder
    checked on its own)."""
    unread = unread if unread is not None else []
    tolerant = problems is not None
    builtin_folder = problems_dir()
    paths = sorted(builtin_folder.glob("*.toml")) if builtin else []
    problems = problems if problems is not None else []
    named, seen = set(), {p.resolve() for p in paths}
    for folder in folders or []:
        if not folder.is_dir():
            if link_out(folder):  # as one in a bank folder (attack55 F4: a link to any file was read and shown)
                problems.append(f"{printable(str(folder))}: a link to a file outside its own folder; not read: give "
                                "the file itself")
                unread.append(folder)
                continue
            if hard_link(folder):
                problems.append(f"{printable(str(folder))}: {HARD_LINK}")
                unread.append(folder)
                continue
            paths.append(folder)  # a file named on the command line
            named.add(folder)
            continue
        found = sorted(folder.glob("*.toml"))
        if not found:  # a bank of nothing: its families in a folder inside it, or the wrong folder named (user49 F4)
            inner = "" if not any(folder.glob("*/*.toml")) else "; its folders hold some: name each of them"
            problems.append(f"{printable(str(folder))}: no family file here (a family is a .toml file in the folder "
                            f"itself, not in a folder inside it){inner}")
            continue
        if len(found) > MOST_FAMILIES:  # 10,000 small families kept `list` drawing for minutes (attack26)
            problems.append(f"{printable(str(folder))}: holds {len(found)} family files, over the {MOST_FAMILIES} a "
                            "bank may hold; split it into folders of one topic each and name the ones you need")
            unread += found
            continue
        for path in found:
            if link_out(path, folder):
                problems.append(f"{printable(str(path))}: a link out of its bank folder; not read")
                unread.append(path)
            elif hard_link(path):
                problems.append(f"{printable(str(path))}: {HARD_LINK}")
                unread.append(path)
            elif path.resolve() not in seen:  # one folder named twice (the edition's bank and --bank) is read once
                seen.add(path.resolve())
                paths.append(path)
    families: dict[str, Family] = {}
    started = time.monotonic()
    for i, path in enumerate(paths):
        if time.monotonic() - started > BANK_BUDGET:  # each file is budgeted; so are all of them together
            problems.append(f"{printable(str(path))}: reading the bank took over {BANK_BUDGET:g} s, stopped here with "
                            f"{len(paths) - i} file{'s' * (len(paths) - i != 1)} left; a family file should read in "
                            "milliseconds: simplify the slow ones named above, or split the bank")
            unread += paths[i:]
            break
        try:
            family = load_family(path, parsed=path.parent != builtin_folder)
        except AnEdition as exc:
            if path in named:  # named as a family: say what it is; found in a folder (bank = ["."]): passed over
                problems += exc.lines
                unread.append(path)
            continue
        except InputError as exc:
            problems += exc.lines
            unread.append(path)
            continue
        if family.id in families:
            problems.append(f"{path}: id: {family.id!r} is already used by {families[family.id].path}")
            unread.append(path)
            continue
        families[family.id] = family
    if problems and not tolerant:
        raise InputError(problems)
    return families
