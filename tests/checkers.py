"""A second, minimal implementation of every check record in manifest.json.

It uses plain SymPy and NumPy only (no workbook code), the way an outside program would:
read the strings with sympify (they are workbook's own output, not bank text), recompute,
and compare.
"""

from __future__ import annotations

import random

import numpy as np
import sympy as sp


def _sym(check, names):
    symbols = {n: sp.Symbol(n, real=True) for n in names}
    return symbols, lambda text: sp.sympify(text, locals=symbols)


def _same_function(a, b, symbols, box=(-3, 3), tries=60):
    """a and b agree wherever both are real and finite, at enough random points."""
    rng = random.Random(1)
    agreed = 0
    for _ in range(tries):
        point = {s: sp.Rational(rng.randint(int(box[0] * 100), int(box[1] * 100)), 100) for s in symbols}
        va, vb = sp.N(a.subs(point), 20), sp.N(b.subs(point), 20)
        if va.is_real and vb.is_real and va.is_finite and vb.is_finite:
            assert abs(va - vb) <= 1e-10 * max(1, abs(vb)), (a, b, point)
            agreed += 1
    assert agreed >= 5, (a, b)


def _close(a, b, tol=1e-9):
    assert abs(float(a) - float(b)) <= tol * max(1.0, abs(float(b))), (a, b)


def derivative(check):
    symbols, read = _sym(check, [check["variable"]])
    x = symbols[check["variable"]]
    f, answer = read(check["function"]), read(check["answer"])
    truth = sp.diff(f, x, check["order"])
    _same_function(answer, truth, [x])
    if "value" in check:
        _close(read(check["value"]), truth.subs(x, read(check["at"])))
    if "tangent" in check:
        line, at = read(check["tangent"]), read(check["at"])
        _close(line.subs(x, at), f.subs(x, at))
        _close(sp.diff(line, x), truth.subs(x, at))


def gradient(check):
    symbols, read = _sym(check, check["variables"])
    xs = [symbols[n] for n in check["variables"]]
    f = read(check["function"])
    for v, d in zip(xs, check["partials"]):
        _same_function(read(d), sp.diff(f, v), xs)
    for key, d in check.get("second_partials", {}).items():
        a, b = key.split(",")
        _same_function(read(d), sp.diff(f, symbols[a], symbols[b]), xs)
    if "gradient" in check:
        at = {v: read(p) for v, p in zip(xs, check["at"])}
        grad = [sp.diff(f, v).subs(at) for v in xs]
        for claimed, true in zip(check["gradient"], grad):
            _close(read(claimed), true)
        if "directional" in check:
            u = np.array([float(read(c)) for c in check["direction"]])
            u = u / np.linalg.norm(u)
            _close(read(check["directional"]), float(np.dot([float(g) for g in grad], u)))
        if "rate" in check:
            g = np.array([float(c) for c in grad])
            _close(read(check["rate"]), np.linalg.norm(g))
            for claimed, true in zip(check["descent_direction"], -g / np.linalg.norm(g)):
                _close(read(claimed), true)


def gradient_descent(check):
    symbols, read = _sym(check, check["variables"])
    xs = [symbols[n] for n in check["variables"]]
    f = read(check["function"])
    grads = [sp.lambdify(xs, sp.diff(f, v), "numpy") for v in xs]
    point = np.array([float(read(c)) for c in check["start"]])
    rate = float(read(check["rate"]))
    path = [point]
    for _ in range(check["steps"]):
        point = point - rate * np.array([float(g(*point)) for g in grads])
        path.append(point)
    claimed = np.array([[float(read(c)) for c in p] for p in check["iterates"]])
    assert np.allclose(claimed, np.array(path), rtol=1e-9, atol=1e-12), (claimed, path)


def descent_convergence(check):
    symbols, read = _sym(check, [check["variable"]])
    x = symbols[check["variable"]]
    f = read(check["function"])
    g = sp.lambdify(x, sp.diff(f, x))
    minimum = float(sp.solve(sp.diff(f, x), x)[0])
    for rate, verdict in zip(check["rates"], check["verdicts"]):
        p, r = float(read(check["start"])), float(read(rate))
        if p == minimum:
            p += 1.0
        start = abs(p - minimum)
        for _ in range(200):
            p = p - r * g(p)
        end = abs(p - minimum)
        seen = "converges" if end < 1e-6 * start else "diverges" if end > 2 * start else "oscillates"
        assert seen == verdict, (rate, seen, verdict)
    _close(read(check["threshold"]), 2 / float(sp.diff(f, x, 2)))


def optimizer(check):
    """torch.optim's rules, written out once more."""
    read = sp.sympify
    h = {k: float(read(v)) for k, v in check["hyper"].items()}
    eps = float(read(check["eps"]))
    if "loss" in check:
        x = sp.Symbol(check["variable"], real=True)
        dloss = sp.lambdify(x, sp.diff(read(check["loss"], locals={check["variable"]: x}), x))
        grad = lambda t, theta: float(dloss(theta))  # noqa: E731
    else:
        gs = [float(read(g)) for g in check["gradients"]]
        grad = lambda t, theta: gs[t - 1]  # noqa: E731
    theta, state = float(read(check["start"])), {"b": 0.0, "m": 0.0, "v": 0.0, "s": 0.0}
    for t in range(1, check["steps"] + 1):
        g = grad(t, theta)
        name = check["optimizer"]
        if name in ("momentum", "nesterov"):
            state["b"] = g if t == 1 else h["momentum"] * state["b"] + g
            step = g + h["momentum"] * state["b"] if name == "nesterov" else state["b"]
            theta -= h["lr"] * step
        elif name == "adagrad":
            state["s"] += g * g
            theta -= h["lr"] * g / (state["s"] ** 0.5 + eps)
        elif name == "rmsprop":
            state["v"] = h["alpha"] * state["v"] + (1 - h["alpha"]) * g * g
            theta -= h["lr"] * g / (state["v"] ** 0.5 + eps)
        else:
            state["m"] = h["beta1"] * state["m"] + (1 - h["beta1"]) * g
            state["v"] = h["beta2"] * state["v"] + (1 - h["beta2"]) * g * g
            m_hat = state["m"] / (1 - h["beta1"] ** t)
            v_hat = state["v"] / (1 - h["beta2"] ** t)
            theta -= h["lr"] * m_hat / (v_hat ** 0.5 + eps)
        _close(check["thetas"][t - 1], theta, tol=1e-9)


def loss(check):
    """Differentiate each loss symbolically with plain SymPy and compare."""
    r = sp.sympify
    ask = check["ask"]
    xs = [r(v) for v in check.get("inputs", [])]
    if ask == "mse_linear":
        w, b = sp.symbols("w b", real=True)
        ys = [r(v) for v in check["targets"]]
        L = sum((w * x + b - y) ** 2 for x, y in zip(xs, ys)) / len(xs)
        at = {w: r(check["weights"][0]), b: r(check["bias"][0])}
        _close(r(check["gradient"]["w"]), sp.diff(L, w).subs(at))
        _close(r(check["gradient"]["b"]), sp.diff(L, b).subs(at))
    elif ask == "bce_sigmoid":
        ws = sp.symbols(f"w1:{len(xs) + 1}", real=True)
        b = sp.Symbol("b", real=True)
        y = r(check["targets"][0])
        s = 1 / (1 + sp.exp(-(sum(w * x for w, x in zip(ws, xs)) + b)))
        L = -(y * sp.log(s) + (1 - y) * sp.log(1 - s))
        at = {**{w: r(v) for w, v in zip(ws, check["weights"])}, b: r(check["bias"][0])}
        claimed = list(check["gradient"].values())
        for sym, value in zip(list(ws) + [b], claimed):
            _close(value, sp.N(sp.diff(L, sym).subs(at), 20), tol=1e-8)
    elif ask == "softmax_ce":
        zs = sp.symbols(f"z1:{len(xs) + 1}", real=True)
        k = int(check["targets"][0])
        L = -sp.log(sp.exp(zs[k]) / sum(sp.exp(z) for z in zs))
        at = dict(zip(zs, xs))
        for sym, value in zip(zs, check["gradient"].values()):
            _close(value, sp.N(sp.diff(L, sym).subs(at), 20), tol=1e-8)
    else:
        n, m = len(xs), len(check["upstream"])
        W = sp.Matrix(m, n, [r(v) for v in check["weights"]])
        delta = sp.Matrix([r(v) for v in check["upstream"]])
        x = sp.Matrix(xs)
        assert sp.Matrix(check["gradient"]["W"]).applyfunc(r) == delta * x.T
        assert sp.Matrix([r(v) for v in check["gradient"]["x"]]) == W.T * delta
        assert [r(v) for v in check["gradient"]["b"]] == list(delta)


def jacobian(check):
    symbols, read = _sym(check, check["variables"])
    xs = [symbols[n] for n in check["variables"]]
    comps = [read(c) for c in check["components"]]
    J = check["jacobian"]
    assert len(J) == len(comps) and all(len(row) == len(xs) for row in J)
    for c, row in zip(comps, J):
        for v, d in zip(xs, row):
            _same_function(read(d), sp.diff(c, v), xs)


def hessian(check):
    symbols, read = _sym(check, check["variables"])
    xs = [symbols[n] for n in check["variables"]]
    f = read(check["function"])
    for a, row in zip(xs, check["hessian"]):
        for b, d in zip(xs, row):
            _same_function(read(d), sp.diff(f, a, b), xs)


def critical_points(check):
    hessian(check)
    symbols, read = _sym(check, check["variables"])
    xs = [symbols[n] for n in check["variables"]]
    f = read(check["function"])
    H = sp.hessian(f, xs)
    truth = sp.solve([sp.diff(f, v) for v in xs], xs, dict=True)
    assert len(truth) == len(check["points"])
    for point, kind in zip(check["points"], check["kinds"]):
        at = {v: read(c) for v, c in zip(xs, point)}
        assert all(sp.diff(f, v).subs(at) == 0 for v in xs)
        eig = np.linalg.eigvalsh(np.array(H.subs(at).tolist(), dtype=float))
        seen = "minimum" if eig.min() > 0 else "maximum" if eig.max() < 0 else "saddle point"
        assert seen == kind, (point, seen, kind)


def optimum(check):
    symbols, read = _sym(check, check["variables"])
    xs = [symbols[n] for n in check["variables"]]
    f = read(check["function"])
    at = {v: read(c) for v, c in zip(xs, check["at"])}
    assert all(sp.diff(f, v).subs(at) == 0 for v in xs)
    _close(read(check["value"]), f.subs(at))
    eig = np.linalg.eigvalsh(np.array(sp.hessian(f, xs).subs(at).tolist(), dtype=float))
    assert (eig.max() < 0) if check["goal"] == "maximize" else (eig.min() > 0)


def chain_multivariable(check):
    names = check["parameters"] + ["x", "y"]
    symbols, read = _sym(check, names)
    x, y = symbols["x"], symbols["y"]
    ps = [symbols[n] for n in check["parameters"]]
    z = read(check["outer"]).subs({x: read(check["inner"][0]), y: read(check["inner"][1])})
    for p, answer in zip(ps, check["answers"]):
        _same_function(read(answer), sp.diff(z, p), ps)


def backprop(check):
    """Build the graph as one SymPy expression and differentiate it."""
    ops = {"add": lambda a, b: a + b, "mul": lambda a, b: a * b, "max": lambda a, b: sp.Max(a, b),
           "exp": sp.exp, "log": sp.log, "square": lambda a: a**2, "sigmoid": lambda a: 1 / (1 + sp.exp(-a)),
           "tanh": sp.tanh, "relu": lambda a: sp.Max(a, 0)}
    leaves = {k: sp.Symbol(k, real=True) for k in check["leaves"]}
    nodes = dict(leaves)
    for name, op, *args in check["graph"]:
        nodes[name] = ops[op](*[nodes[a] for a in args])
    out = nodes[check["output"]]
    at = {leaves[k]: sp.sympify(v) for k, v in check["leaves"].items()}
    for k, claimed in check["gradients"].items():
        slope = sp.diff(out, leaves[k]).replace(sp.Heaviside, lambda a, *h0: sp.Heaviside(a, 0))  # ReLU'(0) = 0
        truth = sp.N(slope.subs(at), 20)
        _close(claimed, truth, tol=1e-8)


def network(check):
    """Central differences of a plain forward pass, written once more."""
    act = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0)}[
        check["activation"]]
    data = np.array(check["data"], dtype=float)
    X, Y = data[:, :2], data[:, 2]

    def loss(p):
        a = act(X @ np.array(p["W1"]).T + np.array(p["b1"]))
        z = a @ np.array(p["W2"]) + p["b2"]
        yhat = 1 / (1 + np.exp(-z)) if check["output"] == "sigmoid" else z
        if check["loss"] == "bce":
            return float(np.mean(-(Y * np.log(yhat) + (1 - Y) * np.log(1 - yhat))))
        return float(np.mean((yhat - Y) ** 2))

    base = {k: np.array(check[k], dtype=float) for k in ("W1", "b1", "W2", "b2")}
    _close(check["value"], loss(base), tol=1e-9)
    for key, grad in check["gradients"].items():
        flat = base[key].ravel()
        for i, claimed in enumerate(np.ravel(grad)):
            up, down = flat.copy(), flat.copy()
            up[i] += 1e-6
            down[i] -= 1e-6
            trial_up = {**base, key: up.reshape(base[key].shape)}
            trial_down = {**base, key: down.reshape(base[key].shape)}
            _close(claimed, (loss(trial_up) - loss(trial_down)) / 2e-6, tol=1e-5)


CHECKERS = {"derivative": derivative, "gradient": gradient, "gradient_descent": gradient_descent,
            "descent_convergence": descent_convergence, "optimizer": optimizer, "loss": loss,
            "jacobian": jacobian, "hessian": hessian, "critical_points": critical_points, "optimum": optimum,
            "chain_multivariable": chain_multivariable, "backprop": backprop,
            "network": network}


def verify(check: dict) -> None:
    """Re-verify one check record; AssertionError if it is wrong."""
    CHECKERS[check["type"]](check)
