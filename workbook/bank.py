"""The problem bank: one TOML file per problem family, loaded and validated as data.

A family file never runs code. Its expressions go through ``workbook.expr`` (our own
parser, a fixed function table); its text is only ever shown, escaped. Every problem in
every file is reported at once, each with its file and key path.
"""

from __future__ import annotations

import re
import tomllib
from fractions import Fraction
from pathlib import Path
from typing import Literal

import sympy as sp
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from workbook import expr as E
from workbook.errors import InputError, pydantic_lines
from workbook.resources import problems_dir

SLUG = r"^[a-z0-9][a-z0-9-]{0,47}$"
NAME = r"^[A-Za-z][A-Za-z0-9_]{0,15}$"
MAX_BOUND = 10_000


class Param(BaseModel):
    """How one parameter is drawn: exactly one of ``int``, ``decimal`` or ``choice``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    int_: tuple[int, int] | None = Field(None, alias="int", description="A whole number from [low, high].")
    decimal: tuple[float, float] | None = Field(
        None, description="A decimal from [low, high] on a grid of `step` (shown as written, used exactly).")
    step: float | None = Field(None, gt=0, le=100, description="The grid spacing of a `decimal`, e.g. 0.5.")
    choice: list[int | float] | None = Field(None, min_length=1, max_length=100,
                                             description="One of these numbers.")
    nonzero: bool = Field(False, description="Never draw 0.")
    exclude: list[int | float] = Field(default_factory=list, max_length=100,
                                       description="Values never drawn.")

    @model_validator(mode="after")
    def _one_source(self):
        given = [k for k in ("int_", "decimal", "choice") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of int, decimal or choice")
        for bounds in (self.int_, self.decimal):
            if bounds is not None:
                lo, hi = bounds
                if lo > hi:
                    raise ValueError(f"the range [{lo}, {hi}] is empty: low must not exceed high")
                if max(abs(lo), abs(hi)) > MAX_BOUND:
                    raise ValueError(f"bounds must lie within ±{MAX_BOUND}")
        if self.decimal is not None:
            if self.step is None:
                raise ValueError("a decimal needs a step, e.g. step = 0.5")
            if (self.decimal[1] - self.decimal[0]) / self.step > 100_000:
                raise ValueError("too many values: widen the step or narrow the range")
        elif self.step is not None:
            raise ValueError("step only goes with decimal")
        if not self.values():
            raise ValueError("no value is left to draw once nonzero and exclude are applied")
        return self

    def values(self) -> list[sp.Rational]:  # noqa: D401
        """Every value this parameter can take, exactly, in order."""
        if self.int_ is not None:
            raw = [sp.Integer(v) for v in range(self.int_[0], self.int_[1] + 1)]
        elif self.decimal is not None:
            lo, step = _exact(self.decimal[0]), _exact(self.step)
            n = int((_exact(self.decimal[1]) - lo) / step)
            raw = [lo + k * step for k in range(n + 1)]
        else:
            raw = [_exact(v) for v in self.choice]
        banned = {_exact(v) for v in self.exclude} | ({sp.Integer(0)} if self.nonzero else set())
        return [v for v in raw if v not in banned]


def _exact(v: int | float) -> sp.Rational:
    """The number as written in the file, exactly: 0.1 is 1/10, not a binary float."""
    return sp.Rational(str(Fraction(str(v))))


class Family(BaseModel):
    """What every family file has, whatever its kind."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=SLUG, description="Unique id, lower case with dashes, e.g. `chain-two-levels`.")
    title: str = Field(min_length=1, max_length=80, description="A short title shown in listings.")
    topic: str = Field(pattern=SLUG, description="The topic an edition can pick by, e.g. `chain-rule`.")
    difficulty: int = Field(ge=1, le=3, description="1 (warm-up) to 3 (challenging).")
    kind: str = Field(description="The kind of problem; decides the keys below.")
    description: str = Field("", max_length=500, description="One or two sentences for authors and listings.")
    params: dict[str, Param] = Field(default_factory=dict, description="The parameters and how each is drawn.")
    distinct: list[list[str]] = Field(default_factory=list,
                                      description="Groups of parameters that must all differ, e.g. [[\"a\", \"b\"]].")
    prompt: str | None = Field(None, max_length=500,
                               description="The question, with placeholders like {f}; the kind's default if left out.")
    path: str = Field("", exclude=True, description="Where the family was read from (set by the loader).")

    def checks(self) -> list[tuple[str, str, set[str], set[str]]]:
        """(key, text, names allowed, names that must appear) for every expression in the file."""
        return []


class FunctionFamily(Family):
    """A family built on a function given as an expression over its parameters."""

    expression: str | None = Field(None, max_length=400,
                                   description="The function, in the expression language, over the params.")
    expressions: list[str] | None = Field(None, min_length=1, max_length=20,
                                          description="Alternatives; each draw picks one.")
    domain: tuple[float, float] = Field((-3.0, 3.0), description="Where the check samples points.")

    @model_validator(mode="after")
    def _one_expression(self):
        if (self.expression is None) == (self.expressions is None):
            raise ValueError("give exactly one of expression or expressions")
        lo, hi = self.domain
        if not (-1000 <= lo < hi <= 1000):
            raise ValueError("domain must be [low, high] with low < high, within ±1000")
        return self

    def templates(self) -> list[str]:
        return [self.expression] if self.expression is not None else list(self.expressions)

    def names(self) -> list[str]:
        """The function's variables."""
        raise NotImplementedError

    def checks(self) -> list[tuple[str, str, set[str], set[str]]]:
        """(key, text, names allowed, names that must appear) for every expression in the file."""
        params = set(self.params)
        key = "expression" if self.expression is not None else "expressions"
        out = []
        for i, text in enumerate(self.templates()):
            where = key if self.expression is not None else f"{key}[{i}]"
            out.append((where, text, params | set(self.names()), set(self.names())))
        return out


class DerivativeFamily(FunctionFamily):
    """A derivative of a function of one variable: the function, its value at a point, or a tangent line."""

    kind: Literal["derivative"] = Field(description="`derivative` for this kind.")
    variable: str = Field("x", pattern=NAME, description="The variable to differentiate with respect to.")
    order: int = Field(1, ge=1, le=4, description="1 for f', 2 for f'', ...")
    ask: Literal["derivative", "value", "tangent"] = Field(
        "derivative", description="What to find: the derivative, its value at `at`, or the tangent line at `at`.")
    at: str | None = Field(None, max_length=100, description="The point, an expression over the params.")

    @model_validator(mode="after")
    def _consistent(self):
        if self.ask != "derivative" and self.at is None:
            raise ValueError(f"ask = {self.ask!r} needs a point: at = ...")
        if self.ask == "tangent" and self.order != 1:
            raise ValueError("a tangent line needs order = 1")
        return self

    def names(self) -> list[str]:
        return [self.variable]

    def checks(self):
        extra = [("at", self.at, set(self.params), set())] if self.at is not None else []
        return super().checks() + extra


class GradientFamily(FunctionFamily):
    """Partial derivatives and gradients of a function of two or three variables."""

    kind: Literal["gradient"] = Field(description="`gradient` for this kind.")
    variables: list[str] = Field(["x", "y"], min_length=2, max_length=3,
                                 description="The function's variables, e.g. [\"x\", \"y\"].")
    ask: Literal["partials", "second_partials", "gradient", "directional", "steepest"] = Field(
        "partials", description="Find the first partials, the second partials (mixed ones too), the gradient at "
                                "`point`, the directional derivative at `point` along `direction`, or the direction "
                                "of steepest descent at `point` and its rate.")
    point: list[str] | None = Field(None, description="The point, one expression over the params per variable.")
    direction: list[str] | None = Field(None, description="The direction (need not be a unit vector).")
    domain: tuple[float, float] = Field((-2.0, 2.0), description="Where the check samples each variable.")

    @model_validator(mode="after")
    def _consistent(self):
        for name in self.variables:
            if not re.fullmatch(NAME, name):
                raise ValueError(f"{name!r} is not a variable name")
        n = len(self.variables)
        if self.ask in ("gradient", "directional", "steepest"):
            if self.point is None or len(self.point) != n:
                raise ValueError(f"ask = {self.ask!r} needs point = [...] with {n} coordinates")
        if self.ask == "directional" and (self.direction is None or len(self.direction) != n):
            raise ValueError(f"ask = 'directional' needs direction = [...] with {n} coordinates")
        return self

    def names(self) -> list[str]:
        return list(self.variables)

    def checks(self):
        extra = []
        for key in ("point", "direction"):
            for i, text in enumerate(getattr(self, key) or []):
                extra.append((f"{key}[{i}]", text, set(self.params), set()))
        return super().checks() + extra


class DescentFamily(FunctionFamily):
    """Gradient descent by hand: k steps from a start with a learning rate, or which rates converge."""

    kind: Literal["gradient_descent"] = Field(description="`gradient_descent` for this kind.")
    variables: list[str] = Field(["x"], min_length=1, max_length=2, description="One or two variables.")
    start: list[str] = Field(description="The starting point, one expression over the params per variable.")
    rate: str = Field("0.1", max_length=100, description="The learning rate, an expression over the params.")
    steps: int = Field(3, ge=1, le=6, description="How many steps to take by hand.")
    ask: Literal["iterate", "converge"] = Field(
        "iterate", description="Take the steps and fill the iterates table, or decide for each of `rates` "
                               "whether descent converges (a quadratic in one variable).")
    rates: list[str] = Field(default_factory=list, max_length=6,
                             description="For ask = \"converge\": the learning rates to judge.")
    decimals: int = Field(4, ge=0, le=6, description="Iterates may need at most this many decimal places.")

    @model_validator(mode="after")
    def _consistent(self):
        if len(self.start) != len(self.variables):
            raise ValueError(f"start needs {len(self.variables)} coordinates")
        if self.ask == "converge" and (len(self.variables) != 1 or len(self.rates) < 2):
            raise ValueError("ask = 'converge' needs one variable and at least two rates")
        return self

    def names(self) -> list[str]:
        return list(self.variables)

    def checks(self):
        extra = [(f"start[{i}]", t, set(self.params), set()) for i, t in enumerate(self.start)]
        extra.append(("rate", self.rate, set(self.params), set()))
        extra += [(f"rates[{i}]", t, set(self.params), set()) for i, t in enumerate(self.rates)]
        return super().checks() + extra


OPTIMIZERS = ("momentum", "nesterov", "adagrad", "rmsprop", "adam")


class OptimizerFamily(Family):
    """The first updates of an optimizer (torch.optim's conventions), from given gradients or from a loss."""

    kind: Literal["optimizer"] = Field(description="`optimizer` for this kind.")
    optimizers: list[Literal[OPTIMIZERS]] = Field(
        min_length=1, description="Each draw picks one of: momentum, nesterov, adagrad, rmsprop, adam.")
    gradients: list[str] | None = Field(None, min_length=1, max_length=4,
                                        description="The gradient at each step, expressions over the params.")
    loss: str | None = Field(None, max_length=200, description="Or: a loss of `variable`; each gradient is "
                                                                "its derivative at the current value.")
    variable: str = Field("theta", pattern=NAME, description="The parameter being trained.")
    start: str = Field("0", max_length=100, description="The parameter's starting value.")
    lr: str = Field("0.1", max_length=100, description="The learning rate γ.")
    momentum: str = Field("0.9", max_length=50, description="μ for momentum and Nesterov.")
    beta1: str = Field("0.9", max_length=50, description="β1 for Adam.")
    beta2: str = Field("0.999", max_length=50, description="β2 for Adam.")
    alpha: str = Field("0.9", max_length=50, description="α (smoothing) for RMSprop; torch's default is 0.99.")
    steps: int = Field(2, ge=1, le=4, description="How many updates to work (with a loss; with gradients, "
                                                  "one per gradient).")

    @model_validator(mode="after")
    def _consistent(self):
        if (self.gradients is None) == (self.loss is None):
            raise ValueError("give exactly one of gradients or loss")
        return self

    def checks(self):
        params = set(self.params)
        out = [(f"gradients[{i}]", t, params, set()) for i, t in enumerate(self.gradients or [])]
        if self.loss is not None:
            out.append(("loss", self.loss, params | {self.variable}, {self.variable}))
        for key in ("start", "lr", "momentum", "beta1", "beta2", "alpha"):
            out.append((key, getattr(self, key), params, set()))
        return out


class LossFamily(Family):
    """Loss derivatives that train a model: MSE for a line, binary cross-entropy with a sigmoid, softmax
    with cross-entropy, and a linear layer's weight gradient."""

    kind: Literal["loss"] = Field(description="`loss` for this kind.")
    ask: Literal["mse_linear", "bce_sigmoid", "softmax_ce", "linear_layer"] = Field(
        description="mse_linear: dL/dw and dL/db of the mean squared error of y = w x + b on a data set; "
                    "bce_sigmoid: dL/dw and dL/db of binary cross-entropy with y-hat = sigma(w.x + b); "
                    "softmax_ce: dL/dz of cross-entropy after softmax of logits z; linear_layer: dL/dW, "
                    "dL/db and dL/dx of y = W x + b given dL/dy.")
    inputs: list[str] = Field(default_factory=list, max_length=6,
                              description="mse_linear: the data's x values; bce_sigmoid: the features; "
                                          "softmax_ce: the logits; linear_layer: the vector x.")
    targets: list[str] = Field(default_factory=list, max_length=6,
                               description="mse_linear: the data's y values; bce_sigmoid: the label (0 or 1); "
                                           "softmax_ce: the index of the true class (0-based).")
    weights: list[str] = Field(default_factory=list, max_length=12,
                               description="mse_linear: [w]; bce_sigmoid: one weight per feature; "
                                           "linear_layer: W row by row.")
    bias: list[str] = Field(default_factory=lambda: ["0"], max_length=4,
                            description="The bias (one entry, or one per output of a linear layer).")
    upstream: list[str] = Field(default_factory=list, max_length=4,
                                description="linear_layer: the gradient dL/dy arriving from above.")

    @model_validator(mode="after")
    def _shapes(self):
        n = len(self.inputs)
        if n == 0:
            raise ValueError("inputs must not be empty")
        if self.ask == "mse_linear" and (len(self.targets) != n or len(self.weights) != 1):
            raise ValueError("mse_linear needs as many targets as inputs and one weight")
        if self.ask == "bce_sigmoid" and (len(self.targets) != 1 or len(self.weights) != n):
            raise ValueError("bce_sigmoid needs one target and one weight per input")
        if self.ask == "softmax_ce" and (len(self.targets) != 1 or n < 2):
            raise ValueError("softmax_ce needs at least two logits and one target index")
        if self.ask == "linear_layer":
            m = len(self.upstream)
            if m == 0 or len(self.weights) != m * n or len(self.bias) != m:
                raise ValueError("linear_layer needs upstream (m entries), weights (m x n, row by row) and m biases")
        return self

    def checks(self):
        params = set(self.params)
        return [(f"{key}[{i}]", t, params, set()) for key in ("inputs", "targets", "weights", "bias", "upstream")
                for i, t in enumerate(getattr(self, key))]


class HessianFamily(FunctionFamily):
    """Jacobians of vector functions, Hessians of scalar ones, and critical points classified by the
    second-derivative test."""

    kind: Literal["hessian"] = Field(description="`hessian` for this kind.")
    variables: list[str] = Field(["x", "y"], min_length=2, max_length=3, description="The variables.")
    ask: Literal["jacobian", "hessian", "classify"] = Field(
        "hessian", description="jacobian: the matrix of first partials of `components`; hessian: the matrix "
                               "of second partials; classify: find the critical points and say which are "
                               "minima, maxima or saddles.")
    components: list[str] | None = Field(None, min_length=2, max_length=3,
                                         description="For a Jacobian: the vector function's components.")
    expression: str | None = Field(None, max_length=400, description="The scalar function (hessian, classify).")
    domain: tuple[float, float] = Field((-2.0, 2.0), description="Where the check samples each variable.")

    @model_validator(mode="after")
    def _one_expression(self):
        if self.ask == "jacobian":
            if self.components is None or self.expression is not None or self.expressions is not None:
                raise ValueError("a Jacobian needs components = [...] and no expression")
        elif (self.expression is None) == (self.expressions is None) or self.components is not None:
            raise ValueError(f"ask = {self.ask!r} needs exactly one of expression or expressions")
        return self

    def templates(self) -> list[str]:
        if self.components is not None:
            return ["; ".join(self.components)]
        return super().templates()

    def names(self) -> list[str]:
        return list(self.variables)

    def checks(self):
        if self.components is None:
            return super().checks()
        params = set(self.params) | set(self.variables)
        return [(f"components[{i}]", t, params, set()) for i, t in enumerate(self.components)]


class OptimizationFamily(FunctionFamily):
    """Applied optimization: the best price, or price and advertising together, justified by the
    first- and second-derivative (Hessian) tests."""

    kind: Literal["optimization"] = Field(description="`optimization` for this kind.")
    variables: list[str] = Field(["p"], min_length=1, max_length=2, description="The decision variables.")
    goal: Literal["maximize", "minimize"] = Field("maximize", description="What to do with the function.")
    quantity: str = Field("profit", max_length=40, description="What the function measures, for the wording.")
    domain: tuple[float, float] = Field((0.0, 50.0), description="Where the optimum must lie (each variable).")

    def names(self) -> list[str]:
        return list(self.variables)


class ChainFamily(Family):
    """The chain rule made visible: a chain of layers x -> u1 -> u2 -> y, or z = f(x, y) with x and y
    depending on one or two parameters."""

    kind: Literal["chain"] = Field(description="`chain` for this kind.")
    ask: Literal["composition", "multivariable"] = Field(
        "composition", description="composition: dy/dx through `layers`; multivariable: dz/dt (or dz/ds and "
                                   "dz/dt) for z = `outer` with `inner` variables depending on `parameters`.")
    layers: list[str] = Field(default_factory=list, max_length=4,
                              description="composition: each layer as a function of the one before: the first "
                                          "of x, the next of u1, then u2, u3.")
    outer: str | None = Field(None, max_length=300, description="multivariable: z as a function of the inner "
                                                                 "variables x and y.")
    inner: list[str] = Field(default_factory=list, max_length=2,
                             description="multivariable: x and y, each as a function of the parameters.")
    parameters: list[str] = Field(["t"], min_length=1, max_length=2, description="multivariable: t, or s and t.")
    domain: tuple[float, float] = Field((-1.5, 1.5), description="Where the check samples the input.")

    @model_validator(mode="after")
    def _consistent(self):
        if self.ask == "composition" and not 2 <= len(self.layers) <= 4:
            raise ValueError("a composition needs 2 to 4 layers")
        if self.ask == "multivariable" and (self.outer is None or len(self.inner) != 2):
            raise ValueError("multivariable needs outer and two inner functions (x and y)")
        return self

    def checks(self):
        params = set(self.params)
        out = []
        for i, text in enumerate(self.layers):
            name = "x" if i == 0 else f"u{i}"
            out.append((f"layers[{i}]", text, params | {name}, {name}))
        if self.outer is not None:
            out.append(("outer", self.outer, params | {"x", "y"}, {"x", "y"}))
        for i, text in enumerate(self.inner):
            out.append((f"inner[{i}]", text, params | set(self.parameters), set()))
        return out


GRAPH_OPS = {"add": 2, "mul": 2, "max": 2, "exp": 1, "log": 1, "square": 1, "sigmoid": 1, "tanh": 1, "relu": 1}


class BackpropFamily(Family):
    """Backpropagation on a small computational graph: forward values, then every node's gradient as
    upstream times local, summed where a value fans out."""

    kind: Literal["backprop"] = Field(description="`backprop` for this kind.")
    leaves: dict[str, str] = Field(description="The inputs and parameters: name = value (an expression over the "
                                               "params).")
    graphs: list[list[list[str | list[str]]]] = Field(
        min_length=1, max_length=6,
        description="Alternative graphs; each a list of nodes [name, op, argument, ...] in order, the last node "
                    "being the output. op is one of add, mul, max, exp, log, square, sigmoid, tanh, relu, or a "
                    "list of them to draw from.")

    @model_validator(mode="after")
    def _graphs(self):
        for g, graph in enumerate(self.graphs):
            known = set(self.leaves)
            for k, node in enumerate(graph):
                where = f"graphs[{g}][{k}]"
                if len(node) < 3 or not isinstance(node[0], str):
                    raise ValueError(f"{where}: a node is [name, op, argument, ...]")
                name, ops, args = node[0], node[1], node[2:]
                for op in ([ops] if isinstance(ops, str) else ops):
                    if op not in GRAPH_OPS:
                        raise ValueError(f"{where}: unknown op {op!r}; the ops are {', '.join(GRAPH_OPS)}")
                    if GRAPH_OPS[op] != len(args):
                        raise ValueError(f"{where}: {op} takes {GRAPH_OPS[op]} argument(s)")
                for a in args:
                    if not isinstance(a, str) or a not in known:
                        raise ValueError(f"{where}: {a!r} is not a leaf or an earlier node")
                if not re.fullmatch(NAME, name) or name in known:
                    raise ValueError(f"{where}: {name!r} is not a new name")
                known.add(name)
        return self

    def checks(self):
        return [(f"leaves.{k}", v, set(self.params), set()) for k, v in self.leaves.items()]


class NetworkFamily(Family):
    """Backpropagation through a small network (2 inputs, 2 or 3 hidden units, 1 output): the forward
    table, the loss, every weight's gradient, and one gradient step."""

    kind: Literal["network"] = Field(description="`network` for this kind.")
    hidden: int = Field(2, ge=2, le=3, description="Hidden units: 2 or 3.")
    activation: list[Literal["sigmoid", "tanh", "relu"]] = Field(["sigmoid"], min_length=1,
                                                                 description="The hidden activation; one is drawn.")
    output: Literal["sigmoid", "linear"] = Field("sigmoid", description="The output unit.")
    loss: Literal["bce", "mse"] = Field("bce", description="Binary cross-entropy or squared error, averaged "
                                                           "over the examples.")
    w1: list[str] = Field(description="Hidden weights, row by row (hidden × 2).")
    b1: list[str] = Field(description="Hidden biases.")
    w2: list[str] = Field(description="Output weights (one per hidden unit).")
    b2: str = Field("0", description="Output bias.")
    data: list[list[str]] = Field(min_length=1, max_length=4, description="Examples [x1, x2, y].")
    lr: str = Field("0.5", description="The learning rate of the gradient step.")

    @model_validator(mode="after")
    def _shapes(self):
        h = self.hidden
        if len(self.w1) != 2 * h or len(self.b1) != h or len(self.w2) != h:
            raise ValueError(f"with hidden = {h}: w1 needs {2 * h} entries, b1 and w2 {h} each")
        if any(len(row) != 3 for row in self.data):
            raise ValueError("each example is [x1, x2, y]")
        return self

    def checks(self):
        params = set(self.params)
        out = [(f"{k}[{i}]", t, params, set()) for k in ("w1", "b1", "w2") for i, t in enumerate(getattr(self, k))]
        out += [("b2", self.b2, params, set()), ("lr", self.lr, params, set())]
        out += [(f"data[{i}][{j}]", t, params, set()) for i, row in enumerate(self.data) for j, t in enumerate(row)]
        return out


KINDS: dict[str, type[Family]] = {"derivative": DerivativeFamily, "gradient": GradientFamily, "chain": ChainFamily,
                                  "backprop": BackpropFamily, "network": NetworkFamily,
                                  "gradient_descent": DescentFamily, "optimizer": OptimizerFamily,
                                  "loss": LossFamily, "hessian": HessianFamily,
                                  "optimization": OptimizationFamily}


def load_family(path: Path) -> Family:
    """Read and check one family file; raise InputError listing every problem in it."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([f"{path}: cannot read the file: {exc}"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError([f"{path}: not valid TOML: {exc}"]) from None
    kind = data.get("kind")
    model = KINDS.get(kind) if isinstance(kind, str) else None
    if model is None:
        known = ", ".join(sorted(KINDS))
        raise InputError([f"{path}: kind: unknown kind {kind!r}; the kinds are: {known}"])
    try:
        family = model.model_validate(data)
    except ValidationError as exc:
        raise InputError(pydantic_lines(path, exc)) from None
    family.path = str(path)
    problems = _check_expressions(family)
    if problems:
        raise InputError([f"{path}: {p}" for p in problems])
    return family


def _check_expressions(family: Family) -> list[str]:
    """Parse every expression of the family, with only its own names allowed."""
    problems = []
    names = set(family.params)
    for name in family.params:
        trouble = E.name_problem(name)
        if trouble:
            problems.append(f"params.{name}: {trouble}")
    for i, group in enumerate(family.distinct):
        for name in group:
            if name not in names:
                problems.append(f"distinct[{i}]: {name!r} is not a parameter")
    for where, text, allowed, required in family.checks():
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
    return sorted(set(problems), key=problems.index)


def load_bank(folders: list[Path] | None = None) -> dict[str, Family]:
    """Every family in the built-in bank and in ``folders``, by id; all problems at once."""
    paths = sorted(problems_dir().glob("*.toml"))
    for folder in folders or []:
        paths += sorted(folder.glob("*.toml")) if folder.is_dir() else [folder]
    families: dict[str, Family] = {}
    problems: list[str] = []
    for path in paths:
        try:
            family = load_family(path)
        except InputError as exc:
            problems += exc.lines
            continue
        if family.id in families:
            problems.append(f"{path}: id: {family.id!r} is already used by {families[family.id].path}")
            continue
        families[family.id] = family
    if problems:
        raise InputError(problems)
    return families
