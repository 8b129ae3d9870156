"""Every family in the bank over many seeds: generation, engine = sympy.diff, the check passes.

A failure names the family and the seed that reproduces it.
"""

from __future__ import annotations

import json
import re
from itertools import pairwise
from pathlib import Path

import pytest
import sympy as sp

from tests import checkers
from workbook import expr as E
from workbook import steps, verify
from workbook.bank import load_bank
from workbook.errors import InputError
from workbook.generate import generate_one
from workbook.scheduler import generate_slot

BANK = load_bank()
SEEDS = range(50)
DOUBLE_SIGN = re.compile(r"(?<![a-zA-Z])[-+]\s*[-+]\s*[\d\\a-zA-Z(]")  # x - -1, + -3: never printed
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")  # a tab where \top was meant printed "W^op" (read24)
NODE = re.compile(r"Node \w+ = (exp|log|square|sigmoid|tanh|relu)\((\w+)\)")


def printed_math(record: dict):
    """Every piece of LaTeX a record prints: prompt, answer, steps, table cells."""
    def pieces(items):
        for item in items or ():
            if "math" in item:
                yield item["math"]
            if "table" in item:
                yield from item["table"].get("head") or ()
                yield from (cell for row in item["table"]["rows"] for cell in row if cell)
    yield from pieces(record["prompt"])
    yield from pieces(record["answer"])
    for step in record.get("steps", ()):
        if step.get("math"):
            yield step["math"]
        yield from pieces(step.get("say"))


def strings(value):
    """Every string in a record, however deep."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings(item)


def reparse(check: dict):
    """The check record read back through the expression language."""
    x = E.symbol(check["variable"])
    return E.parse(check["function"]), x, E.parse(check["answer"])


@pytest.mark.parametrize("family_id", sorted(BANK))
def test_family_over_many_seeds(family_id):
    family = BANK[family_id]
    for seed in SEEDS:
        record = generate_slot(family, seed, "bank-test")
        json.dumps(record)  # a record is plain data
        for text in strings(record):
            assert not CONTROL.search(text), (family_id, seed, text[:120])
        assert record["family"] == family_id and record["prompt"] and record["answer"], (family_id, seed)
        assert record["claims"]["type"] in checkers.CHECKERS, record["claims"]
        checkers.verify(record["claims"])  # a second, independent implementation
        if record["claims"]["type"] == "derivative":
            f, x, answer = reparse(record["claims"])
            order = record["claims"]["order"]
            assert steps.equal(answer, sp.diff(f, x, order)), (family_id, record["seed"])
            verify.check_derivative(f, x, order, answer, domain=family.domain)
        assert record["verified"]["points"] >= 1
        for latex in printed_math(record):
            assert not DOUBLE_SIGN.search(latex), (family_id, seed, latex)
        for step in record.get("steps", ()):
            node = NODE.match(step["rule"])
            if node:  # the local derivative is written in the node's own input: 1 - tanh^2(v) for a = tanh(v)
                local = " ".join(part.get("math", "") for part in local_derivative(step["say"]))
                names = set(re.findall(r"(?<![\\a-zA-Z])[a-z](?![a-zA-Z])", local))
                assert node.group(2) in names and names <= {node.group(2), "e"}, step  # e: Euler's number
        iterates = record["claims"].get("iterates")
        if iterates and record["claims"]["type"] == "gradient_descent":
            assert all(a != b for a, b in pairwise(iterates)), (family_id, seed, iterates)  # no step stands still


def local_derivative(say):
    """The parts of a node's step that state its local derivative: from 'Local derivative:' to the sentence's end
    ('1 if v > 0 else 0' is math and words, so one part does not hold it)."""
    assert say[0] == {"text": "Local derivative: "}, say
    for part in say[1:]:
        if part.get("text", "").startswith("."):
            return
        yield part


def test_bank_covers_the_curriculum():
    from workbook.kinds import registry

    kinds = {f.kind for f in BANK.values()}
    assert kinds == set(registry())
    for kind in kinds - {"network"}:  # at least two families at different difficulties per kind (a network
        levels = {f.difficulty for f in BANK.values() if f.kind == kind}  # is a whole forward and backward
        assert len(levels) >= 2, kind  # pass: three stars by its work, test_the_stars_follow_the_work)
    derivative = [f for f in BANK.values() if f.kind == "derivative"]
    assert len(derivative) >= 12
    assert {1, 2, 3} <= {f.difficulty for f in derivative}
    asks = {f.ask for f in derivative}
    assert asks == {"derivative", "value", "tangent"}
    assert any(f.order == 2 for f in derivative)


@pytest.mark.parametrize("family_id", sorted(BANK))
def test_same_seed_same_problem(family_id):
    a = generate_one(BANK[family_id], 12345) if _ok(family_id, 12345) else None
    b = generate_one(BANK[family_id], 12345) if a is not None else None
    assert a == b


def _ok(family_id, seed):
    try:
        generate_one(BANK[family_id], seed)
        return True
    except Exception:  # noqa: BLE001 - any failure at all means the draw is not usable
        return False


def test_tangent_problems_carry_a_figure():
    record = generate_slot(BANK["tangent-line"], 3, "figure-test")
    figure = record["figure"]
    assert figure["kind"] == "tangent" and figure["alt"]
    assert len(figure["x"]) == len(figure["y"]) > 100
    assert record["answer"][0]["math"].startswith("y = ")


def test_repeats_are_redrawn():
    family = BANK["trig"]
    seen: set[str] = set()
    keys = [generate_slot(family, 1, f"slot-{k}", seen)["identity"] for k in range(12)]
    assert len(set(keys)) == len(keys)


def test_default_edition_covers_every_kind():
    from workbook.edition import default_path, load_edition, pick_families

    edition = load_edition(default_path())
    picked = pick_families(edition, BANK)
    kinds = {f.kind for families in picked for f in families}
    assert kinds == {f.kind for f in BANK.values()}
    titles = [s.title for s in edition.sections]
    assert titles[0].startswith("Module 1") and titles[-1].startswith("Capstone")
    assert any(f.id == "xor-capstone" for f in picked[-1])


def test_the_optimizer_figure_shows_plain_sgd_bouncing_across_the_valley():
    # the primer says so; at the problem's rate 0.1 SGD landed on the valley floor in one step
    from workbook.kinds import optimizer

    for name in optimizer.OPTIMIZER:
        spec = optimizer._figure(name, {"lr": 0.1, "momentum": 0.9, "beta1": 0.9, "beta2": 0.999, "alpha": 0.9})
        sgd = next(p["points"] for p in spec["paths"] if p["label"] == "plain SGD")
        across = [q for _, q in sgd[:4]]
        assert all(a * b < 0 for a, b in pairwise(across)), across  # its first steps cross the floor
        assert abs(sgd[-1][1]) < 0.05 and abs(sgd[-1][0]) < abs(sgd[0][0])  # and it still settles
        # every path stays in the picture (Nesterov momentum diverged across the valley at rate 0.18)
        assert all(abs(c) <= 4.5 for path in spec["paths"] for point in path["points"] for c in point), name


def test_a_placeholder_typo_in_a_prompt_is_reported_not_printed(tmp_path):
    from click.testing import CliRunner

    from workbook.cli import main

    family = (Path(__file__).parents[1] / "problems" / "activations-at-zero.toml").read_text()
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "typo.toml").write_text(family.replace('id = "activations-at-zero"', 'id = "typo"')
                                    .replace("at {x} = {at}?", "at {x} = {point}?"))
    edition = tmp_path / "quiz.toml"
    edition.write_text('title = "Q"\n[[sections]]\ntitle = "S"\nfamilies = ["typo"]\ncount = 1\n')
    result = CliRunner().invoke(main, ["build", str(edition), "--bank", str(bank), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1
    assert "{point}" in result.stderr and "{at}" in result.stderr and "typo.toml" in result.stderr
    result = CliRunner().invoke(main, ["check", str(bank), "--seeds", "3"])
    assert result.exit_code == 1 and "{point}" in result.output + result.stderr


def test_one_broken_family_file_does_not_hide_the_others(tmp_path):
    from click.testing import CliRunner

    from workbook.cli import main

    family = (Path(__file__).parents[1] / "problems" / "power-polynomial.toml").read_text()
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "good.toml").write_text(family.replace('id = "power-polynomial"', 'id = "good"'))
    (bank / "broken.toml").write_text("id = \"broken\"\nthis is not toml\n")
    listed = CliRunner().invoke(main, ["list", "--bank", str(bank), "--topic", "power-rule"])
    assert listed.exit_code == 2 and "good  [power-rule" in listed.output and "broken.toml" in listed.stderr
    checked = CliRunner().invoke(main, ["check", str(bank), "--seeds", "2"])
    assert checked.exit_code == 1 and "ok   good" in checked.output and "FAIL " in checked.output
    assert "broken.toml" in checked.output and "1 families and 1 file that did not load" in checked.output
    # a file with two faults is one file that did not load (it was counted as two); asked for by id, a family
    # in a file that did not load says why (it was "no family 'broken' here")
    (bank / "broken.toml").write_text('id = "broken"\nkind = "derivative"\ntitle = "B"\n')
    checked = CliRunner().invoke(main, ["check", str(bank), "--seeds", "2"])
    assert "1 families and 1 file that did not load, 2 seeds each: 1 failing" in checked.output, checked.output
    asked = CliRunner().invoke(main, ["check", str(bank), "--family", "broken"])
    assert asked.exit_code == 2 and "1 file did not load: " in asked.stderr and "broken.toml" in asked.stderr
    alone = CliRunner().invoke(main, ["check", str(bank), "--family", "good", "--seeds", "2"])
    assert alone.exit_code == 0 and "broken" not in alone.output, alone.output


def test_messages_that_name_what_to_do(tmp_path):
    from click.testing import CliRunner

    from workbook.cli import main

    edition = tmp_path / "quiz.toml"
    edition.write_text('title = "Q"\n[[sections]]\ntitle = "S"\nfamilies = ["my-own"]\ncount = 1\n')
    result = CliRunner().invoke(main, ["build", str(edition), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "--bank FOLDER" in result.stderr
    result = CliRunner().invoke(main, ["practice", "--topic", "inverse-trig", "--difficulty", "3"])
    assert result.exit_code == 2 and "its difficulties are 2" in result.stderr
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "dom.toml").write_text('id = "dom"\ntitle = "D"\ntopic = "t"\ndifficulty = 1\nkind = "derivative"\n'
                                   'expressions = ["sqrt(x - a)"]\n[params]\na = { int = [10, 20] }\n')
    result = CliRunner().invoke(main, ["check", str(bank), "--seeds", "2"])
    assert result.exit_code == 1 and "set domain = [low, high]" in result.output and "(from -3 to 3)" in result.output
    assert "widen the parameter ranges" not in result.output and "VerifyError" not in result.output


def test_a_folder_is_checked_on_its_own_even_with_copies_of_built_in_families(tmp_path):
    from click.testing import CliRunner

    from workbook.cli import main

    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "trig.toml").write_text((Path(__file__).parents[1] / "problems" / "trig.toml").read_text())
    result = CliRunner().invoke(main, ["check", str(folder), "--seeds", "2"])
    assert result.exit_code == 0 and "ok   trig" in result.output, result.output
    result = CliRunner().invoke(main, ["practice", "--topic", " "])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "--topic: give a topic" in result.stderr


def test_a_derivative_made_of_steps_is_shown_in_pieces_with_the_prompts_value_at_the_corner():
    from workbook.scheduler import generate_slot
    from workbook.segments import plain

    bank = load_bank()
    shown = 0
    for seed in range(40):
        record = generate_slot(bank["activation-derivatives"], seed, "pieces")
        answer = plain(record["answer"])
        assert "Heaviside" not in answer and "θ" not in answer and "theta" not in answer, answer
        if " if x ≤ 0" not in answer:
            continue
        # the corner belongs to the piece before it, the prompt's convention (user53 F12: not a third row, x = 0)
        assert " if x = 0" not in answer and answer.count(";") == 1, answer
        shown += 1
        x = E.symbol("x")
        f = E.parse(record["claims"]["function"])
        left = sp.limit(sp.diff(f, x), x, 0, "-")  # the prompt's convention: the slope from the left
        piece = answer.removeprefix("f'(x) = ").split(" if x ≤ 0")[0]
        assert sp.simplify(E.parse(piece).subs(x, 0) - left) == 0, (answer, left)
    assert shown >= 5


def _results_written(record: dict) -> int:
    """The work a worked solution writes down, counted the test's own way: each equation or approximation
    in its displayed lines, and each value of a table it works out."""
    count = 0
    for step in record.get("steps", ()):
        count += len(re.findall(r"(?<![<>\\!])=|\\approx|\\leq|\\geq", step.get("math") or ""))
        count += sum(len(row) - 1 for part in step.get("say", ()) if "table" in part for row in part["table"]["rows"])
    return count


# the stars a family prints, against the work its solutions write (the mean over draws): a warm-up is
# short, a challenge is never a line or two, and nothing long passes for a middle one
STAR_BANDS = {1: (0, 8), 2: (2, 30), 3: (6, 10**6)}


def _mean_work(family) -> float:
    """The results its worked solutions write, the mean over eight draws."""
    from workbook.generate import REDRAW, generate_one

    work = []
    for seed in range(8):
        try:
            work.append(_results_written(generate_one(family, seed)))
        except REDRAW:
            continue
    return sum(work) / len(work)


def test_the_stars_follow_the_work():
    wrong = []
    for family in BANK.values():
        mean = _mean_work(family)
        low, high = STAR_BANDS[family.difficulty]
        if not low <= mean <= high:
            wrong.append(f"{family.id}: difficulty {family.difficulty}, {mean:.1f} results written")
    assert not wrong, wrong


def test_of_one_kind_more_work_never_has_fewer_stars():
    # two-step descent on x⁴/4 − 4x (the numbers −5, 0, −4, 0.8) was ★★★ and six marks, a 2-D table of twelve
    # entries beside it ★★ and four (read23): within a kind, a family whose solutions write half as much again
    # never prints fewer stars. Counted for the kinds worked in numbers, whose work is the numbers they write (a
    # derivative's is its rules: a chain rule writes fewer equations than a table of activations, and is harder)
    work = {family.id: (family.kind, family.difficulty, _mean_work(family)) for family in BANK.values()
            if family.kind in ("gradient_descent", "optimizer", "network", "backprop", "gradient_check")}
    wrong = [(a, b) for a, (kind, stars, written) in work.items() for b, (other, fewer, less) in work.items()
             if kind == other and written >= 1.5 * less and stars < fewer]
    assert not wrong, [(a, work[a], b, work[b]) for a, b in wrong]


def test_a_family_whose_derivative_is_0_over_0_on_a_piece_prints_that_piece_right(tmp_path):
    # sqrt(relu(x)) + a x: the key printed "NaN if x < 0", where the derivative is a, and check said 0 failing
    # (attack25). Each piece is now the derivative of f's own formula there, and checked against f's slope
    from workbook.bank import load_bank
    from workbook.generate import generate_one

    (tmp_path / "relu-root.toml").write_text(
        'id = "relu-root"\ntitle = "R"\ntopic = "t"\ndifficulty = 1\nkind = "derivative"\n'
        'expression = "sqrt(relu(x)) + a*x"\ndomain = [-3, 3]\n[params]\na = { int = [2, 6] }\n', encoding="utf-8")
    family = load_bank([tmp_path])["relu-root"]
    for seed in range(4):
        record = generate_one(family, seed)
        shown = record["answer"][0]["math"]
        a = record["params"]["a"]
        assert "NaN" not in shown and r"\begin{cases}" in shown, shown
        assert shown.split(r"\begin{cases}")[1].strip().startswith(f"{a} &"), shown  # the piece x < 0 is a
        assert any("piece" in c["what"] for c in record["verified"]["checks"]), record["verified"]


@pytest.mark.parametrize("shipped, swap, said", [
    ("chain-multivariable", ('parameters = ["t"]', 'parameters = ["x"]'), "parameters[0]: x is what the page calls"),
    ("optimizer-from-loss", ('loss = "a*(theta - c)^2"', 'variable = "alpha"\nloss = "a*(alpha - c)^2"'),
     "variable: alpha is what the page calls"),
    ("gradient-check", ('variables = ["x", "y"]', 'variables = ["h", "y"]'), "variables[0]: h is what the page calls"),
    ("descent-1d", ('variables = ["x"]', 'variables = ["x0"]'), "prints with a subscript"),
    ("partial-derivatives", ('variables = ["x", "y"]', 'variables = ["x", "xy"]'), "the product of its letters"),
    ("partial-derivatives", ('variables = ["x", "y"]', 'variables = ["epsilon", "varepsilon"]'), "prints as 'epsilon'"),
    ("exp-log", ('expressions = [', 'variable = "sigma"\nexpressions = ['), "variable: sigma is what the page calls"),
])
def test_a_name_the_page_uses_for_its_own_symbol_is_refused_at_load(tmp_path, shipped, swap, said):
    # a chain's x = x² + 1 ... dz/dz, an RMSprop training α with α = 0.9, f(h, y) with h = 0.01, x0's iterates
    # x_0_k, xy set as x·y, ε beside ϵ, σ(3σ) (attack25): each refused where the family names it, in one line
    text = (Path(__file__).resolve().parents[1] / "problems" / f"{shipped}.toml").read_text(encoding="utf-8")
    assert swap[0] in text, shipped
    text = text.replace(swap[0], swap[1], 1).replace(f'id = "{shipped}"', 'id = "theirs"')
    if "variable =" in swap[1] and shipped == "exp-log":
        text = text.replace("*x", "*sigma").replace("(x", "(sigma").replace("x^", "sigma^").replace("x)", "sigma)")
    (tmp_path / "theirs.toml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_bank([tmp_path])
    assert any(said in line for line in caught.value.lines), caught.value.lines


def test_a_placeholder_inside_literal_braces_is_filled_or_named_as_a_typo():
    # {{{f}}} printed {{f}} and dropped the function, and {{{fx_typo}}} passed the typo check (attack25): read left to
    # right as str.format reads it, a brace, the placeholder, a brace
    from workbook.problem import Math, PlaceholderError, Text, fill

    values = {"f": Math("F"), "dfx": Math("D")}
    assert fill("the set {{{f}}} and {{x}}", values) == [Text("the set {"), Math("F"), Text("} and {x}")]
    with pytest.raises(PlaceholderError, match="fx_typo"):
        fill("for {{{fx_typo}}}", values)


@pytest.mark.parametrize("kind_text", [
    'kind = "gradient"\nvariables = ["x", "y"]\nexpression = "sqrt(relu(x))*y + a*x*y"\n',
    'kind = "chain"\nlayers = ["a*x", "relu(u1)", "sqrt(u2)"]\n',
])
def test_a_key_with_no_value_over_a_stretch_is_never_printed(tmp_path, kind_text):
    # ∂f/∂x = y(θ(x)/(2√relu(x)) + 5), 0/0 for every x < 0, printed with check 0 failing (attack25): refused, in
    # the family's words
    from workbook.generate import REDRAW

    (tmp_path / "gap.toml").write_text('id = "gap"\ntitle = "G"\ntopic = "t"\ndifficulty = 1\n' + kind_text
                                       + '[params]\na = { int = [2, 5] }\n', encoding="utf-8")
    family = load_bank([tmp_path])["gap"]
    for seed in range(3):
        with pytest.raises(REDRAW, match="has no value at"):
            generate_one(family, seed)


def test_a_hessians_stray_components_are_named_as_the_key_at_fault(tmp_path):
    # a Hessian with an expression and components was told it "needs exactly one of expression or expressions"
    # (attack25): the key at fault is components
    (tmp_path / "k3.toml").write_text(
        'id = "k3"\ntitle = "K"\ntopic = "t"\ndifficulty = 1\nkind = "hessian"\nask = "hessian"\nvariables = ["x", "y"]\n'
        'expression = "a*x^2*y"\ncomponents = ["x", "y"]\n[params]\na = { int = [2, 5] }\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_bank([tmp_path])
    assert any("components: ask = 'hessian' takes a scalar expression" in line for line in caught.value.lines)


# a value of each key that only some asks read, to add to a shipped family whose ask does not read it
ASK_ONLY = {"at": "1", "point": ["1", "1"], "direction": ["1", "1"], "rate": "1/10", "steps": 2,
            "rates": ["1/10", "1/5"], "decimals": 3, "layers": ["x^2", "sin(u1)"], "outer": "x*y",
            "inner": ["t", "t^2"], "parameters": ["t"], "targets": ["1"], "weights": ["1"], "bias": ["0"],
            "upstream": ["1"], "function": "L", "rate_order": "drawn"}


def test_a_key_its_ask_does_not_read_is_refused_by_name():
    # `at` with ask = "derivative", `rates` with ask = "iterate", `outer` with ask = "composition", ... were
    # silently ignored: the point the author wrote was dropped (attack25 D21). Every such key of every kind,
    # added to a shipped family whose ask does not read it, is refused in one line that names it.
    from pydantic import ValidationError

    from workbook.bank import schemas
    tried = set()
    for model in schemas().values():
        for key, info in model.model_fields.items():
            asks = (info.json_schema_extra or {}).get("asks") if isinstance(info.json_schema_extra, dict) else None
            if not asks:
                continue
            tried.add(key)
            host = next(f for f in BANK.values() if isinstance(f, model) and f.ask not in asks)
            data = host.model_dump(exclude_unset=True, by_alias=True) | {key: ASK_ONLY[key]}
            with pytest.raises(ValidationError) as caught:
                model.model_validate(data)
            assert f"{key}: ask = {host.ask!r} does not read it" in str(caught.value), (host.id, key)
            del data[key]
            model.model_validate(data)  # the family without it still loads: the key was the fault
    assert tried == set(ASK_ONLY)


def test_a_hyperparameter_no_drawn_optimizer_reads_is_refused_by_name(tmp_path):
    # momentum = "0.5" beside optimizers = ["adam"] did nothing, silently; so did steps beside given gradients
    head = 'id = "o1"\ntitle = "O"\ntopic = "t"\ndifficulty = 1\nkind = "optimizer"\ngradients = ["1", "2"]\n'
    for extra, said in [('optimizers = ["adam"]\nmomentum = "0.5"\n', "momentum: none of the optimizers adam"),
                        ('optimizers = ["momentum"]\nbeta2 = "0.99"\n', "beta2: none of the optimizers momentum"),
                        ('optimizers = ["adam"]\nsteps = 3\n', "steps: with gradients there is one update")]:
        (tmp_path / "o1.toml").write_text(head + extra, encoding="utf-8")
        with pytest.raises(InputError) as caught:
            load_bank([tmp_path])
        assert len(caught.value.lines) == 1 and said in caught.value.lines[0]


@pytest.mark.parametrize("kind_text", [
    'kind = "gradient"\nask = "partials"\nexpression = "a*x^2 + x*y + b*sign(y)^2"\n',
    'kind = "gradient"\nask = "second_partials"\nexpression = "a*x^2*y + b*abs(y)"\n',
    'kind = "hessian"\nask = "hessian"\nexpression = "a*x^2*y + b*abs(y) + x*y^2"\n',
])
def test_a_partial_with_a_delta_is_refused_not_printed(tmp_path, kind_text):
    # an L1 term b|y| gave the key H = [...; 2x + 8δ(y)], and sign(y)² a ∂f/∂y of x + 4δ(y) sign(y), each
    # "checked" off the line y = 0 (attack26): a partial across a jump of f or of its slope does not exist there
    from workbook.verify import VerifyError

    (tmp_path / "d.toml").write_text('id = "d"\ntitle = "D"\ntopic = "t"\ndifficulty = 1\nvariables = ["x", "y"]\n'
                                     + kind_text + '[params]\na = { int = [2, 4] }\nb = { int = [2, 4] }\n',
                                     encoding="utf-8")
    family = load_bank([tmp_path])["d"]
    with pytest.raises(VerifyError, match="jumps across y = 0, where this partial does not exist"):
        generate_one(family, 1)


def test_a_bank_of_more_families_than_a_bank_may_hold_is_refused_unread(tmp_path):
    # 10,000 small families kept `workbook list` drawing samples for minutes, printing nothing (attack26)
    from workbook.bank import MOST_FAMILIES

    for i in range(MOST_FAMILIES + 1):
        (tmp_path / f"f{i}.toml").write_text("this is not read", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_bank([tmp_path])
    said = (f"{tmp_path}: holds {MOST_FAMILIES + 1} family files, over the {MOST_FAMILIES} a bank may hold; split it "
            "into folders of one topic each and name the ones you need")
    assert caught.value.lines == [said]


@pytest.mark.parametrize("expression, at", [("ln(x)", "2"), ("atan(x)", "1"), ("x*ln(x)", "3"), ("sqrt(x)", "2"),
                                            ("exp(x) - ln(x)", "1"), ("sin(x)", "1")])
def test_a_tangent_line_as_printed_is_the_tangent_line(tmp_path, expression, at):
    # ln(x) at 2 printed y = x/2 - 1 - ln(2), the intercept −(1 − ln 2) losing its brackets, while its check
    # tested the line SymPy held (attack27): the printed line, read back, is f(x0) + f'(x0)(x - x0)
    from workbook.segments import plain

    (tmp_path / "t.toml").write_text(f'id = "t"\ntitle = "T"\ntopic = "t"\ndifficulty = 1\nkind = "derivative"\n'
                                     f'ask = "tangent"\nexpression = "{expression}"\nat = "{at}"\n', encoding="utf-8")
    record = generate_one(load_bank([tmp_path])["t"], 1)
    printed = plain(record["answer"]).replace("\u2212", "-").replace("π", "pi")
    assert printed.startswith("y = "), printed
    x = E.symbol("x")
    f, x0 = E.parse(expression), sp.Rational(at)
    line = f.subs(x, x0) + sp.diff(f, x).subs(x, x0) * (x - x0)
    assert sp.simplify(E.parse(printed[4:]) - line) == 0, printed


@pytest.mark.parametrize("extra, said", [
    ('kind = "derivative"\nexpression = "a*x^2 + b"\nderive = true\n', "derive: no expression holds sigmoid or tanh"),
    ('kind = "derivative"\nexpression = "a*x^2 + b*x"\ndistinct = [["a"]]\n', "distinct[0]: a group of one"),
    ('kind = "derivative"\nexpression = "a*x^2 + b*x"\n', "exclude: 7 is not a value this parameter draws"),
    ('kind = "optimizer"\noptimizers = ["adam"]\ngradients = ["a", "b"]\nvariable = "w"\n', "variable: with gradients"),
    ('kind = "derivative"\nexpression = "a*x^2 + b*x"\n', "nonzero: 0 is not a value this parameter draws"),  # attack29
    # its answer is the cover's own row, 1 - tanh²(x): the worksheet gave problem 18 away (read33)
    ('kind = "derivative"\nexpressions = ["a*tanh(x)", " tanh( x )"]\nderive = true\n', "gives the answer away"),
])
def test_a_key_that_would_do_nothing_is_refused(tmp_path, extra, said):
    # derive = true with nothing to derive, a distinct group of one, an exclude outside the range and an
    # optimizer's variable beside its gradients were each accepted and did nothing (attack27)
    params = '[params]\na = { int = [1, 3] }\nb = { int = [1, 3]' + (', exclude = [7] }\n' if "exclude" in said else
                                                              ', nonzero = true }\n' if "nonzero" in said else ' }\n')
    (tmp_path / "k.toml").write_text('id = "k"\ntitle = "K"\ntopic = "t"\ndifficulty = 1\n' + extra + params,
                                     encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_bank([tmp_path])
    assert len(caught.value.lines) == 1 and said in caught.value.lines[0], caught.value.lines


def test_check_names_a_parameter_no_expression_uses(tmp_path):
    # drawn for nothing, and accepted by check and list without a word (attack28): check says so, and the family
    # still builds (a leftover parameter is no reason to stop a build)
    from workbook.bankcheck import check_family

    (tmp_path / "u.toml").write_text('id = "u"\ntitle = "U"\ntopic = "t"\ndifficulty = 1\nkind = "derivative"\n'
                                     'expression = "a*x^2"\n[params]\na = { int = [2, 5] }\nb = { int = [2, 5] }\n',
                                     encoding="utf-8")
    family = load_bank([tmp_path])["u"]
    assert family.unused() == ["b"]
    notes = check_family(family, range(3)).notes()
    assert any(n.startswith("params.b: no expression and no prompt uses it") for n in notes), notes
    assert not any("params." in n for n in check_family(load_bank()["power-polynomial"], range(3)).notes())


def test_check_fails_a_family_whose_prompt_leaves_out_a_given(tmp_path):
    # user51 F3: a value family that never said its point, and a momentum family that never gave η or μ, passed
    # check ("ok 100/100"); the test suite's own check of givens ran on the shipped families alone
    from workbook.bankcheck import check_family

    head = 'title = "T"\ntopic = "t"\ndifficulty = 2\n'
    (tmp_path / "v.toml").write_text('id = "v"\n' + head + 'kind = "derivative"\nexpression = "a*x^3 + b*x"\n'
                                     'ask = "value"\nat = "x0"\nprompt = "Find the slope of {f} at the point the '
                                     'teacher told you."\n[params]\na = { int = [1, 4] }\nb = { int = [-5, 5], '
                                     'nonzero = true }\nx0 = { int = [7, 9] }\n', encoding="utf-8")
    (tmp_path / "m.toml").write_text('id = "m"\n' + head + 'kind = "optimizer"\noptimizers = ["momentum"]\n'
                                     'gradients = ["g1", "g2"]\nstart = "s"\nlr = "0.3"\nmomentum = "0.7"\n'
                                     'prompt = "Starting from {start}, take {steps} steps of {optimizer}. Fill in the '
                                     'table."\n[params]\ng1 = { int = [1, 4] }\ng2 = { int = [-4, -1] }\n'
                                     's = { int = [-2, 2] }\n', encoding="utf-8")
    bank = load_bank([tmp_path])
    for family_id, name in (("v", "at"), ("m", "lr")):
        report = check_family(bank[family_id], range(1, 7))
        assert report.line().startswith("FAIL") and {n for _, n, _ in report.unstated} >= {name}, report.unstated
        assert report.notes()[0].startswith("the prompt does not state what its answer depends on"), report.notes()
    for family_id in ("optimizer-momentum", "derivative-at-point"):
        assert not check_family(load_bank()[family_id], range(1, 7)).unstated


def test_check_names_a_distinct_group_that_asks_nothing(tmp_path):
    # a = int [1, 2] and b = int [3, 4] can never be equal: distinct [a, b] was accepted without a word (attack30)
    from workbook.bankcheck import check_family

    (tmp_path / "d.toml").write_text('id = "d"\ntitle = "D"\ntopic = "t"\ndifficulty = 1\nkind = "derivative"\n'
                                     'expression = "a*x^2 + b*x + c"\ndistinct = [["a", "b"], ["a", "c"]]\n[params]\n'
                                     'a = { int = [1, 2] }\nb = { int = [3, 4] }\nc = { int = [2, 5] }\n', encoding="utf-8")
    family = load_bank([tmp_path])["d"]
    assert family.idle_distinct() == [0]
    notes = check_family(family, range(3)).notes()
    assert any(n.startswith("distinct[0]: a, b can never be equal") for n in notes), notes
    assert not any(n.startswith("distinct[1]") for n in notes)


def test_check_takes_the_seeds_show_takes():
    # check --seeds took seeds of 20 digits, which show --seed refuses: a failing seed could not be shown (attack30)
    from workbook.bankcheck import parse_range

    assert parse_range(f"{2**53 - 5}..{2**53}") == range(2**53 - 5, 2**53 + 1)
    with pytest.raises(ValueError, match="at most 2"):
        parse_range(f"{2**53}..{2**53 + 1}")


def test_a_network_whose_hidden_unit_is_saturated_is_drawn_again(tmp_path):
    # w1 = 10^6 made z = 1000002: a third of the gradients printed as 0 and "1000000 - 0.5 · 0 = 1000000" was built
    # and printed, though a saturated sigmoid is redrawn (attack33 F11)
    from workbook.problem import Degenerate

    (tmp_path / "n.toml").write_text('id = "n"\ntitle = "N"\ntopic = "t"\ndifficulty = 1\nkind = "network"\nhidden = 2\n'
                                     'w1 = ["10^6", "1", "1", "1"]\nb1 = ["0", "0"]\nw2 = ["1", "1"]\n'
                                     'data = [["1", "2", "a"]]\n[params]\na = { int = [0, 1] }\n', encoding="utf-8")
    family = load_bank([tmp_path])["n"]
    with pytest.raises(Degenerate, match="saturated hidden unit"):
        generate_one(family, 1)


@pytest.mark.parametrize("body, said", [
    ('kind = "derivative"\nexpression = "acot(b*x) + x"\nask = "value"\nat = "0"\n', "jumps at x = 0"),
    ('kind = "derivative"\nexpression = "acot(x - a) + b*x"\nask = "tangent"\nat = "a"\n', "jumps at x = "),
    ('kind = "derivative"\nexpression = "acot(x^2 - a^2) + x"\nask = "value"\nat = "a"\n', "jumps at x = "),
    ('kind = "derivative"\nexpression = "x*sqrt(x) + b*x"\nask = "value"\nat = "0"\n', "just left of x = 0"),
    (('kind = "gradient"\nexpressions = ["acot(x) + b*x*y"]\nvariables = ["x", "y"]\nask = "gradient"\n'
     'point = ["0", "1"]\n'), "jumps at x = 0, y = 1 (across x)"),
    (('kind = "gradient"\nexpressions = ["x*y*sqrt(y) + b*y"]\nvariables = ["x", "y"]\nask = "gradient"\n'
     'point = ["1", "0"]\n'), "just left of x = 1, y = 0, in y"),
])
def test_a_point_where_the_function_jumps_or_its_domain_ends_is_refused(tmp_path, body, said):
    # arccot(bx) + x jumps at 0 where its derivative's formula, 1 - b/(1 + b²x²), is smooth: a bank printed
    # f'(0) = -2, a tangent line, and check passed it on every seed; x√x + bx at 0, the end of its domain, printed
    # f'(0) = 3, a derivative from the right only (attack35b). Each draw is refused, saying why
    from workbook.problem import Degenerate

    (tmp_path / "edge.toml").write_text(f'id = "edge"\ntitle = "E"\ntopic = "t"\ndifficulty = 1\n{body}'
                                        '[params]\na = { int = [1, 2] }\nb = { int = [2, 3] }\n', encoding="utf-8")
    family = load_bank([tmp_path])["edge"]
    for seed in range(4):
        with pytest.raises(Degenerate, match=re.escape(said)):
            generate_one(family, seed)


def test_a_value_past_a_double_is_said_to_be_too_large_not_undefined(tmp_path):
    # e^(1000x) at 3 was "undefined at x = 3.0", and the author looked for a hole (attack35b)
    from workbook.problem import Degenerate
    from workbook.verify import VerifyError

    (tmp_path / "big.toml").write_text('id = "big"\ntitle = "B"\ntopic = "t"\ndifficulty = 1\nkind = "derivative"\n'
                                       'expression = "exp(a*x)"\nask = "value"\nat = "3"\n[params]\n'
                                       'a = { choice = [1000, 5000] }\n', encoding="utf-8")
    family = load_bank([tmp_path])["big"]
    with pytest.raises((Degenerate, VerifyError), match=r"past what a double holds .*make the numbers smaller"):
        generate_one(family, 1)


@pytest.mark.parametrize("expression, at", [("|x - ln(2)| + a*x", "log(8)/3"), ("|cosh(x) - 2| + a*x", "ln(2 + sqrt(3))")])
def test_a_corner_at_a_point_written_another_way_is_refused_as_a_corner(tmp_path, expression, at):
    # x - ln 2 at log(8)/3 is 0, which SymPy does not see: the draw stopped with a raw "Cannot convert expression to
    # float" or "not enough values to unpack", exit 1 (attack36b)
    from workbook.problem import Degenerate

    (tmp_path / "c.toml").write_text(f'id = "c"\ntitle = "C"\ntopic = "t"\ndifficulty = 1\nkind = "derivative"\n'
                                     f'expression = "{expression}"\nask = "value"\nat = "{at}"\n[params]\n'
                                     'a = { int = [2, 3] }\n', encoding="utf-8")
    with pytest.raises(Degenerate, match="is a corner or a step"):
        generate_one(load_bank([tmp_path])["c"], 1)


def test_a_gradient_check_whose_step_straddles_a_corner_is_refused(tmp_path):
    # |x - 1| + ay checked at 1.001 with h = 0.01: the centred difference straddled the corner, and the solution said
    # "halve h and the error drops about fourfold", false there (attack36b)
    from workbook.problem import Degenerate

    (tmp_path / "g.toml").write_text('id = "g"\ntitle = "G"\ntopic = "t"\ndifficulty = 1\nkind = "gradient_check"\n'
                                     'expression = "|x - 1| + a*y"\npoint = ["1.001", "1"]\nh = "0.01"\n[params]\n'
                                     'a = { int = [1, 3] }\n', encoding="utf-8")
    with pytest.raises(Degenerate, match="within h of the point along x"):
        generate_one(load_bank([tmp_path])["g"], 1)


@pytest.mark.parametrize("expression", ["abs(x - sqrt(2)) + x^2", "abs(x^2 - sqrt(3)*x) + x"])
def test_a_corner_at_a_root_of_irrational_coefficients_is_no_raw_error(tmp_path, expression):
    # |x - sqrt(2)|: SymPy isolates no real roots over such coefficients, and a build said "NotImplementedError:
    # sorted roots not supported over EX", exit 1 (attack38b); its corners are found in decimals, and it is drawn or
    # refused in words
    from workbook.problem import Degenerate
    from workbook.verify import VerifyError

    (tmp_path / "c.toml").write_text(f'id = "c"\ntitle = "C"\ntopic = "t"\ndifficulty = 1\nkind = "derivative"\n'
                                     f'expression = "{expression}"\n', encoding="utf-8")
    try:
        generate_one(load_bank([tmp_path])["c"], 1)
    except (Degenerate, VerifyError) as exc:
        assert "NotImplementedError" not in str(exc) and "EX" not in str(exc)


@pytest.mark.parametrize("prompt, said", [
    ("A curve {= y = <script>alert(1)</script>} is drawn. Find {dfx}.", "markup such as <b>"),
    ("A curve {= y = } is drawn. Find {dfx}.", "must be an expression"),
    ("A curve {= \\\\alpha x} is drawn.", "the formula {= \\alpha x}"),
    ("A curve {= " + "x + " * 40 + "x} is drawn.", "longer than 120 characters"),
    ("A curve {= y = {a}} is drawn.", "may not hold a brace")])
def test_a_formula_in_a_prompt_that_cannot_be_read_is_refused_as_the_file_loads(tmp_path, prompt, said):
    (tmp_path / "f.toml").write_text('id = "f"\ntitle = "F"\ntopic = "t"\ndifficulty = 1\nkind = "derivative"\n'
                                     f'expression = "a*x^2"\nprompt = "{prompt}"\n[params]\na = {{ int = [2, 3] }}\n',
                                     encoding="utf-8")
    from workbook.errors import InputError

    with pytest.raises(InputError, match=re.escape(said)):
        load_bank([tmp_path])


def test_a_formula_in_a_prompt_is_printed_as_math_in_the_order_typed():
    # read38 F3, read40 F6: "A model y = w x + b is trained" stood in upright text beside the typeset loss
    from workbook.segments import plain

    record = generate_one(load_bank()["descent-line-fit"], 1)
    maths = [segment["math"] for segment in record["prompt"] if "math" in segment]
    assert maths[0] == "y = w x + b", record["prompt"]
    assert plain(record["prompt"]).startswith("A model y = w x + b is trained"), plain(record["prompt"])
    assert not any("y = w x + b" in segment.get("text", "") for segment in record["prompt"])


@pytest.mark.parametrize("written, printed", [
    ("log10(x) + log(x, 3)", r"\log_{10}{\left(x \right)} + \log_{3}{\left(x \right)}"), ("lg(x)", r"\log_{10}"),
    ("ln(x)", r"\ln{\left(x \right)}"), ("f(x) = x^2", r"f\left(x\right) = x^{2}"),
    ("L(w, b) = (w - 3)^2", r"L\left(w, b\right) = \left(w - 3\right)^{2}"), ("x(x + 1)", r"x \left(x + 1\right)")])
def test_a_formula_in_a_prompt_prints_what_was_written(written, printed):
    # attack41: log10(x), log2(x), log(x, 3) and lg(x) printed ln(x), a false formula; f(x) = x^2 printed "f x = x²"
    from workbook.problem import formula

    assert printed in formula(written).math


@pytest.mark.parametrize("written, printed", [
    # attack42 F5, F7: SymPy's reading printed a/(b/c) with 1/c in a denominator, 0.5x as x/2, x^-2 as 1/x^2 and
    # -(-x) as x; each is printed as typed
    ("a/(b/c)", r"\frac{a}{\frac{b}{c}}"), ("a/b/c", r"\frac{\frac{a}{b}}{c}"), ("0.5x", "0.5 x"),
    ("x^-2", "x^{-2}"), ("-(-x)", r"-\left(-x\right)"), ("a - -b", r"a - \left(-b\right)"), ("-x/2", r"-\frac{x}{2}"),
    ("x*2", r"x \cdot 2"), (".5 x + 2.", "0.5 x + 2"), ("2*3*x", r"2 \cdot 3 x"), ("exp(x)^2", r"\left(e^{x}\right)^{2}"),
    ("sin(x)^2 + sin^2(x)", r"\sin^{2}{\left(x \right)} + \sin^{2}{\left(x \right)}"), ("ln|x|", r"\ln{\left|x\right|}"),
    ("(x + 1)/(x - 1)", r"\frac{x + 1}{x - 1}"), ("sigmoid(w x + b)", r"\sigma\left(w x + b\right)"),
    # attack41 F5: a name of several letters is a word, set upright, not its letters multiplied
    ("loss = (y - t)^2", r"\mathrm{loss} = \left(y - t\right)^{2}"), ("y = w1 x1", "y = w_{1} x_{1}")])
def test_a_formula_in_a_prompt_prints_as_it_was_typed(written, printed):
    from workbook.problem import formula

    assert formula(written).math == printed


@pytest.mark.parametrize("written, said", [
    # attack42 F6: xhat printed x̂, xmag |x|, aprm a′: a name that prints as a mark is refused, as a family's variables
    ("xhat + 1", "would print as '\\hat{x}'"), ("y = xmag", "would print as"), ("aprm", "would print as"),
    # attack42 F8: Heaviside(x) and theta both printed θ
    ("Heaviside(x) + theta", r"prints a name and a function alike (\theta)"),
    ("delta * DiracDelta(x)", r"prints a name and a function alike (\delta)"),
    # attack45 F9: PI printed π, and ReLU beside relu(x) read as the function
    ("pi + PI", "the name PI would read as the constant π"), ("ReLU + relu(x)", "would read as the function relu")])
def test_a_formula_whose_names_would_print_as_something_else_is_refused(written, said):
    from workbook.problem import PlaceholderError, formula

    with pytest.raises(PlaceholderError, match=re.escape(said)):
        formula(written)
    assert formula("theta + 1").math == r"\theta + 1" and formula("Heaviside(x)").math == r"\theta\left(x\right)"


def test_every_greek_name_prints_in_the_terminal_as_on_the_page():
    # attack42 F6: Lambda and hbar printed Λ and ħ on the page and "Lambda", "hbar" in the terminal
    import sympy as sp
    from sympy.printing.latex import greek_letters_set, other_symbols

    from workbook import expr as E
    from workbook.segments import plain_tex

    names = sorted(greek_letters_set) + [n.capitalize() for n in sorted(greek_letters_set)] + sorted(other_symbols) \
        + ["varphi", "vartheta", "varpi", "varrho", "varsigma", "varkappa", "varepsilon"]
    for name in names:
        if E.name_problem(name) or E.print_problem(name):
            continue  # not a name a bank may use (sigma is the sigmoid's spelling)
        shown = plain_tex(E.printed_name(name))
        assert not re.search("[A-Za-z]{2}", shown), (name, shown)
        assert shown == sp.pretty(sp.Symbol(name), use_unicode=True) or len(shown) == 1, (name, shown)


ROUND_TRIP = ["a/(b/c)", "0.5x", "x^-2", "-(-x)", "a/b/c", "2^(3^x)", "(2^3)^x", "x*(-y)", "-x^2", "(-x)^2", "a - -b",
              "x/(2y)", "exp(x)^2", "sin(x)^2 + sin^2(x)", "ln|x|", "max(0, x)", "sin^-1(x)", "sigmoid(w x + b)",
              "log(x, 3)", "2 (1/3)", "x*2", "-x/2*y", "a/b c", "x^2/3^x", "1/2*x", "sqrt(x+1)/(x-1)^2",
              "tanh(x)^3 - x", "|x - 1|^2", "e^(-x^2/2)", "w1 x1 + w2 x2 + b", "-2^x", "(1 - sigmoid(x))^2",
              "relu(x)^2", "softplus(x)/x", "-(a + b)/(c - d)^(1/2)", "x^(y^z)/w"]


@pytest.mark.parametrize("written", ROUND_TRIP)
def test_a_formula_as_the_terminal_prints_it_reads_back_as_what_was_typed(written):
    # an independent check of the formula printer: its plain text, read by the expression language again (with the
    # page's signs spelled as typed: σ as sigmoid, · as *, log_3(x) as log(x, 3)), is what was typed, in value
    import sympy as sp

    from workbook import expr as E
    from workbook.problem import formula
    from workbook.segments import plain_tex

    shown = plain_tex(formula(written).math).replace("σ", "sigmoid").replace("·", "*").replace("ReLU", "relu")
    shown = re.sub(r"log_(\d+)\((\w+)\)", r"log(\2, \1)", shown)
    shown = re.sub(r"\b([a-z])_(\d)\b", r"\1\2", shown)
    shown = re.sub(r"\b(\w+)\^(\d+)\(([^()]*)\)", r"\1(\3)^\2", shown)  # ReLU^2(x), sin^2(x): the language reads f(x)^2
    assert sp.simplify(E.parse(written) - E.parse(shown)) == 0, (written, shown)


def test_a_draw_that_divides_by_zero_names_what_the_file_writes_and_the_values_drawn(tmp_path):
    # user49 F3: "seed 1: seed 8241968077660747448: with the drawn parameters, division by zero" named neither the
    # expression nor the values, and the seed twice
    from click.testing import CliRunner

    from workbook.cli import main

    (tmp_path / "fam.toml").write_text('id = "bad-divzero"\ntitle = "Div zero"\ntopic = "dz"\ndifficulty = 1\n'
                                       'kind = "derivative"\nexpressions = ["x^3/(a - 2)"]\n\n[params]\n'
                                       'a = { int = [2, 2] }\nb = { int = [1, 3] }\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--seeds", "1..3"])
    assert result.exit_code == 1
    # (the same at every seed: the file's mistake, said once, with the file: user49 F2)
    lines = [line for line in result.output.splitlines() if line.strip().startswith("FAIL ") and "division" in line]
    assert len(lines) == 1 and lines[0].count("seed") == 1 and "fam.toml" in lines[0], result.output
    assert all("x^3/(a - 2) with a = 2: division by zero" in line and "b =" not in line for line in lines), lines


def test_every_placeholder_a_prompt_names_that_its_kind_does_not_fill_is_named_at_once():
    # user49 F2: {fxx} was named, and {c} only once {fxx} was put right
    from workbook.problem import PlaceholderError, fill

    with pytest.raises(PlaceholderError) as caught:
        fill("Differentiate {fxx} and give {dfx}; also {c}, {{literal}} and {fxx} again.", {"dfx": None, "f": None})
    said = str(caught.value)
    assert "{fxx}, {c}, which this kind does not fill" in said and said.count("{fxx}") == 1 and "literal" not in said


def test_check_says_a_placeholder_the_kind_does_not_fill_once_with_its_file(tmp_path):
    # user49 F2: `workbook check` printed the same FAIL for each of 20 seeds: the mistake is the file's, said once
    from click.testing import CliRunner

    from workbook.cli import main

    (tmp_path / "fam.toml").write_text('id = "bad-text"\ntitle = "Bad text"\ntopic = "bt"\ndifficulty = 1\n'
                                       'kind = "derivative"\nexpressions = ["a*x^2"]\n'
                                       'prompt = "Differentiate {fxx} ({f}) and give {dfx}."\n\n[params]\n'
                                       'a = { int = [2, 5] }\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--seeds", "1..6"])
    lines = [line for line in result.output.splitlines() if "FAIL" in line and "{fxx}" in line]
    assert result.exit_code == 1 and len(lines) == 1 and "fam.toml" in lines[0], result.output


def test_a_family_on_diracs_delta_is_refused_as_its_file_loads(tmp_path):
    # attack50 F4: "Find f'(x) for f(x) = δ(x)", its key contradicting the step above it
    from workbook.bank import load_bank
    from workbook.errors import InputError

    (tmp_path / "fam.toml").write_text('id = "fz"\ntitle = "T"\ntopic = "tz"\ndifficulty = 1\nkind = "derivative"\n'
                                       'expressions = ["DiracDelta(x)", "x^2 + DiracDelta(x - 1)", "x^3"]\n')
    with pytest.raises(InputError) as caught:
        load_bank([tmp_path])
    said = "\n".join(caught.value.lines)
    assert "expressions[0]: DiracDelta" in said and "expressions[1]: DiracDelta" in said and "[2]" not in said


def test_a_momentum_family_of_one_update_is_refused_as_it_loads(tmp_path):
    # user51 F1: one gradient was refused at every draw as "its figure's two lines would be one", naming no key
    (tmp_path / "m.toml").write_text('id = "m"\ntitle = "M"\ntopic = "t"\ndifficulty = 1\nkind = "optimizer"\n'
                                     'optimizers = ["momentum"]\ngradients = ["g1"]\n[params]\ng1 = { int = [1, 4] }\n',
                                     encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_bank([tmp_path])
    assert "gradients: give at least 2" in str(raised.value)


@pytest.mark.parametrize("prompt, said", [("Find f''(x) for {f}.", True), ("Find the second derivative of {f}.", True),
                                          ("Find {dfx} for {f}.", False), ("Find f'(x) for {f}.", False)])
def test_check_notes_a_prompt_that_asks_for_another_derivative_than_its_order(tmp_path, prompt, said):
    # user51 F7: "Find f''(x)" with order 1, whose key gives f'(x), passed check without a word
    from workbook.bankcheck import check_family

    (tmp_path / "o.toml").write_text('id = "o"\ntitle = "O"\ntopic = "t"\ndifficulty = 1\nkind = "derivative"\n'
                                     f'expression = "a*x^3"\nprompt = "{prompt}"\n[params]\na = {{ int = [2, 5] }}\n',
                                     encoding="utf-8")
    notes = check_family(load_bank([tmp_path])["o"], range(1, 3)).notes()
    assert any(n.startswith("the prompt asks for the second derivative, but order = 1") for n in notes) is said, notes


@pytest.mark.parametrize("prompt, said", [
    ("Find {dfx}.", "prompt: never says the function drawn"),
    ("Let {= f(x) = x^3 + 1}. Find {dfx}. (Here a = {a}.)", "prompt: never says the function drawn"),
    ("Let {= f(x) = x^3 + 1}. Find {dfx} for {fx}.", "names f, the function drawn"),
    ("Let {= f = x^3}. Find {dfx} for {fx}.", "names f, the function drawn"),
    # attack56 F1: after a brace, and f on the right or in the middle; and f(x) = in the prompt's own words
    ("Let {{{= f(x) = x^3 + 1}}}. Find {dfx}. Here {fx} is a sketch.", "names f, the function drawn"),
    ("Let {= x^3 + 1 = f(x)}. Find {dfx} ({fx}).", "names f, the function drawn"),
    ("Let {= y = f(x) = x^3 + 1}. Find {dfx} ({fx}).", "names f, the function drawn"),
    ("Let f(x) = x^3 + 1. Find {dfx}. Here {fx} is a sketch.", "its text writes f(...) = itself")])
def test_a_prompt_of_the_authors_own_must_say_the_function_drawn(tmp_path, prompt, said):
    # attack55 F3: "Let {= f(x) = x^3 + 1}. Find {dfx}." over a draw of a x² passed check and built: the key said 4x,
    # and the Moodle quiz marked 3x², the derivative of the function the sheet printed, wrong
    (tmp_path / "f.toml").write_text('id = "f"\ntitle = "F"\ntopic = "t"\ndifficulty = 1\nkind = "derivative"\n'
                                     f'expression = "a*x^2"\nprompt = "{prompt}"\n[params]\na = {{ int = [2, 3] }}\n',
                                     encoding="utf-8")
    from click.testing import CliRunner

    from workbook.cli import main
    from workbook.errors import InputError

    with pytest.raises(InputError, match=re.escape(said)):
        load_bank([tmp_path])
    result = CliRunner().invoke(main, ["build", "--bank", str(tmp_path)])
    assert result.exit_code == 2 and said in result.output, result.output


def test_list_says_a_placeholder_its_kind_does_not_fill_as_an_error(tmp_path):
    # attack55 F5: `list` printed the mistake as the family's sample and exited 0; build and check stop on it
    from click.testing import CliRunner

    from workbook.cli import main

    (tmp_path / "t.toml").write_text('id = "typo"\ntitle = "T"\ntopic = "typo-topic"\ndifficulty = 1\n'
                                     'kind = "derivative"\nexpressions = ["a*x^2"]\n'
                                     'prompt = "Find {dfx} for {f} {typo}."\n[params]\na = { int = [2, 5] }\n',
                                     encoding="utf-8")
    result = CliRunner().invoke(main, ["list", "--bank", str(tmp_path), "--topic", "typo-topic"])
    assert result.exit_code == 2, result.output
    assert "t.toml: prompt: names {typo}, which this kind does not fill" in result.output, result.output


def test_a_gradient_of_softplus_at_a_point_is_drawn_and_said_plainly(tmp_path):
    # user53 F13: float(softplus(-1)) raised TypeError (its figure's level through the point), so a bank author's
    # gradient of a logistic loss at a point failed every draw with a bare "TypeError"; F17: "(-1/e, - 1/e)"
    from workbook.generate import REDRAW, generate_one
    from workbook.segments import plain

    (tmp_path / "lg.toml").write_text(
        'id = "lg"\ntitle = "Logistic"\ntopic = "losses"\ndifficulty = 2\nkind = "gradient"\n'
        'expression = "softplus(-(p*w + b)) + c*w^2"\nvariables = ["w", "b"]\nask = "gradient"\npoint = ["w0", "b0"]\n'
        '[params]\np = { choice = [-2, -1, 1, 2] }\nc = { decimal = [0.5, 1.5], step = 0.5 }\n'
        'w0 = { int = [-1, 1] }\nb0 = { int = [-1, 1] }\n', encoding="utf-8")
    family, drawn = load_bank([tmp_path])["lg"], []
    for seed in range(8):
        try:
            drawn.append(generate_one(family, seed))
        except REDRAW:
            continue
    assert len(drawn) >= 6
    for record in drawn:
        said = plain(record["answer"])
        assert ", - " not in said and "(- " not in said, said


def test_an_unreadable_expression_is_said_with_the_keys_mistakes_at_once(tmp_path):
    # user53 F14: a family's mistakes came in rounds: the keys' first, its missing ')' once they were mended
    from workbook.errors import InputError

    (tmp_path / "t.toml").write_text('id = "t"\ntitle = "T"\ntopic = "t"\ndifficulty = 5\nkind = "derivative"\n'
                                     'expressions = ["x*sigmoid(a*x", "a*x"]\ndomian = [-3.0, 3.0]\n'
                                     '[params]\na = { int = [1, 4] }\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_bank([tmp_path])
    said = "\n".join(caught.value.lines)
    assert "difficulty" in said and "domian: unknown key" in said and "expressions[0]: missing ')'" in said, said


def test_a_formula_prints_a_parameters_value_in_its_place_with_its_sign_tidied(tmp_path):
    # user51 F2: {= a x + b} was refused, and {a}x + {b} outside a formula printed "3x + -1"
    from workbook.generate import REDRAW, generate_one
    from workbook.segments import plain

    (tmp_path / "s.toml").write_text(
        'id = "s"\ntitle = "S"\ntopic = "t"\ndifficulty = 1\nkind = "derivative"\nexpression = "c*softplus(a*x + b)"\n'
        'prompt = "A unit outputs {f}, a softplus of {= z = a x + b}, scaled by {c}. Find {dfx}."\n[params]\n'
        'a = { int = [-3, 3], nonzero = true }\nb = { int = [-3, 3], nonzero = true }\nc = { int = [2, 5] }\n',
        encoding="utf-8")
    family, seen = load_bank([tmp_path])["s"], 0
    for seed in range(12):
        try:
            record = generate_one(family, seed)
        except REDRAW:
            continue
        said = plain(record["prompt"])
        a, b = (sp.Rational(record["params"][k]) for k in "ab")
        written = re.search(r"z = ([^,]*),", said)[1]
        assert "+ -" not in said and "a" not in written and "b" not in written, said
        x = sp.Symbol("x", real=True)
        assert sp.simplify(E.parse(written, variables={"x"}) - (a * x + b)) == 0, (said, a, b)
        seen += 1
    assert seen >= 8


@pytest.mark.parametrize("spec", ["{ choice = [0.1, 0.25] }", "{ decimal = [0.1, 0.3], step = 0.1 }"])
def test_a_decimal_parameter_prints_as_written_in_a_placeholder_and_a_formula(tmp_path, spec):
    # user55 F16: lr = 0.1 printed 1/10 in {lr} and {= eta = lr}, beside the kind's own η = 0.1 on the same page
    from workbook.generate import REDRAW, generate_one
    from workbook.segments import plain

    (tmp_path / "d.toml").write_text(
        'id = "d"\ntitle = "D"\ntopic = "t"\ndifficulty = 1\nkind = "gradient_descent"\nexpressions = ["a*x^2"]\n'
        'start = ["s"]\nrate = "lr"\nsteps = 2\n'
        'prompt = "From {start} at rate {lr} ({= eta = lr}, {= 2 lr x}) on {f}. Fill in the table."\n[params]\n'
        f'a = {{ int = [1, 3] }}\ns = {{ int = [2, 4] }}\nlr = {spec}\n', encoding="utf-8")
    family, seen = load_bank([tmp_path])["d"], 0
    for seed in range(8):
        try:
            record = generate_one(family, seed)
        except REDRAW:
            continue
        said, lr = plain(record["prompt"]), sp.Rational(record["params"]["lr"])
        shown = f"{float(lr):g}"
        assert f"at rate {shown} (η = {shown}, {float(2 * lr):g} x)" in said and "/" not in said, said
        seen += 1
    assert seen >= 4


def test_a_chain_worked_in_layers_is_alike_a_derivative_of_the_same_form():
    # user54 F1: chain-layers' sin((ax + b)^2) and chain-three-levels' sin((ax + b)^n), n = 2, stood on one sheet: one
    # calculation twice, as the chain kind's likeness was its function with its numbers
    from workbook.generate import REDRAW, generate_one

    bank, likeness = load_bank(), {}
    for family in ("chain-layers", "chain-three-levels"):
        for seed in range(30):
            try:
                record = generate_one(bank[family], seed)
            except REDRAW:
                continue
            likeness.setdefault(record["likeness"], set()).add(family)
    assert any(len(families) == 2 for families in likeness.values()), likeness


@pytest.mark.parametrize("seed", [8, 9])
def test_a_network_whose_hidden_units_compute_the_same_on_every_example_is_redrawn(seed):
    # read53 F4: x = (1, 0) with w11 + b1 = w21 + b2: the two hidden units' rows of the table were one row twice, less
    # to work than the other versions' draws (seeds of the family as it draws now, its inputs ±1: read56 F9)
    from workbook.generate import generate_one
    from workbook.problem import Degenerate

    with pytest.raises(Degenerate, match="compute the same on every example"):
        generate_one(load_bank()["network-221"], seed)


@pytest.mark.parametrize("seed", [7820233469297447095, 1048857320264245836])
def test_a_linear_layer_whose_weight_gradient_is_one_row_copied_is_redrawn(seed):
    # read53 F7: version B's ∂L/∂W was -6 nine times, C's two rows alike: an outer product worked once and copied
    from workbook.generate import generate_one
    from workbook.problem import Degenerate

    with pytest.raises(Degenerate, match="rows are all alike"):
        generate_one(load_bank()["loss-linear-layer"], seed)


@pytest.mark.parametrize("body, said", [
    ('expression = "a*x^2"\nprompt = "Find the derivative of {fxx}."\n', "{fxx} is no placeholder: a typo of {f} or {fx}?"),
    ('expression = "ln(a*x)"\nask = "value"\nat = "x0"\n', "a logarithm or a root of a negative number there"),
    ('expression = "sqrt(a - 5 - x^2)"\n', "(whatever the domain)"),
])
def test_an_authors_mistake_is_told_as_what_it_is(tmp_path, body, said):
    # user57 F7: {fxx} was told to put {f}, never named; F8: ln(a x) with a < 0 guessed "a corner or a step"; F9: "between
    # -3 and 4" read as the family's domain, which is -3..3
    from click.testing import CliRunner

    from workbook.cli import main

    params = '[params]\na = { int = [-3, 0] }\n' + ('x0 = { int = [1, 2] }\n' if "x0" in body else "")
    (tmp_path / "f.toml").write_text('id = "mine"\ntitle = "Mine"\ntopic = "mine"\ndifficulty = 1\nkind = "derivative"\n'
                                     + body + params, encoding="utf-8")
    result = CliRunner().invoke(main, ["list", "--bank", str(tmp_path / "f.toml")])
    assert result.exit_code == 2 and said in result.output, result.output


def test_list_reports_a_prompt_that_leaves_out_a_given(tmp_path):
    # user57 F10: "Let {f}. Find the slope." for the value at x0 passed list and show with exit 0; only check caught it
    from click.testing import CliRunner

    from workbook.cli import main

    (tmp_path / "d.toml").write_text('id = "bad-one"\ntitle = "Bad"\ntopic = "bad"\ndifficulty = 2\nkind = "derivative"\n'
                                     'expression = "a*x^3"\nask = "value"\nat = "x0"\n'
                                     'prompt = "Let {f}. Find the slope."\n[params]\na = { int = [1, 3] }\n'
                                     'x0 = { int = [1, 2] }\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["list", "--bank", str(tmp_path / "d.toml")])
    assert result.exit_code == 2 and "does not state what its answer depends on (at;" in result.output, result.output


def test_a_polynomials_derivative_is_starred_for_the_power_rule_alone():
    # read56 F5: the second derivative of -3x^4 + 2x^3 + 2x was ★★★ and 6 points, beside a three-level chain's ★★
    from workbook.bank import load_bank
    from workbook.scheduler import generate_slot

    family = load_bank()["second-derivative"]
    drawn = [generate_slot(family, seed, "stars") for seed in range(40)]
    polynomial = [r for r in drawn if "log" not in r["claims"]["function"] and "sin" not in r["claims"]["function"]
                  and "exp" not in r["claims"]["function"]]
    assert polynomial and all(r["difficulty"] == 2 for r in polynomial)
    assert all(r["difficulty"] == 3 for r in drawn if r not in polynomial)
