"""The checker must reject wrong answers: a mutation test over problems from every family."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from workbook import expr as E
from workbook import mistakes, steps, verify
from workbook.bank import load_bank
from workbook.scheduler import generate_slot

BANK = load_bank()
DERIVATIVE = sorted(f.id for f in BANK.values() if f.kind == "derivative")


def plus_one(f, x, ans):
    return ans + 1


def sign_flip(f, x, ans):
    return -ans


def sin_cos_swap(f, x, ans):
    swaps = {a: (sp.cos if a.func == sp.sin else sp.sin)(*a.args) for a in ans.atoms(sp.sin, sp.cos)}
    return ans.xreplace(swaps) if swaps else None


def coefficient_off_by_one(f, x, ans):
    term = sp.Add.make_args(sp.expand(ans))[0]
    _, rest = term.as_coeff_Mul()
    return ans + rest


def _slip(name):
    """A learner's slip from the product's catalogue (workbook/mistakes.py), made in the worked tree."""
    slip = next(s for s in mistakes.CATALOGUE if s.name == name)

    def mutation(f, x, ans):
        return mistakes.slipped(steps.derive(f, x), slip)

    mutation.__name__ = name.replace(" ", "_")
    return mutation


missing_chain_factor = _slip("missing chain factor")
SLIPS = [_slip(s.name) for s in mistakes.CATALOGUE if s.name != "missing chain factor"]


def wrong_function(f, x, ans):
    """The derivative of a different function: the function itself, undifferentiated."""
    return f


MUTATIONS = [plus_one, sign_flip, sin_cos_swap, coefficient_off_by_one, missing_chain_factor, wrong_function,
             *SLIPS]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("family_id", DERIVATIVE)
def test_checker_rejects_wrong_answers(family_id, mutation):
    family = BANK[family_id]
    tried = 0
    for seed in range(6):
        record = generate_slot(family, seed, "mutation-test")
        check = record["claims"]
        x = E.symbol(check["variable"])
        f, ans = E.parse(check["function"]), E.parse(check["answer"])
        if check["order"] != 1 and (mutation is missing_chain_factor or mutation in SLIPS):
            continue
        wrong = mutation(f, x, ans)
        if wrong is None or steps.equal(wrong, ans):
            continue
        tried += 1
        with pytest.raises(verify.VerifyError):
            verify.check_derivative(f, x, check["order"], wrong, domain=family.domain)
        if "value" in check:
            at, value = E.parse(check["at"]), E.parse(check["value"])
            wrong_value = mutation(f, x, value) if mutation is not wrong_function else value + 2
            if wrong_value is not None and wrong_value.is_number and not steps.equal(wrong_value, value):
                with pytest.raises(verify.VerifyError):
                    verify.check_value_at(f, x, check["order"], float(at), float(wrong_value))
    if mutation in (plus_one, sign_flip, wrong_function):
        assert tried > 0, "these mutations apply to every problem"


def test_too_few_points_is_a_failure_not_a_pass():
    x = E.symbol("x")
    f = sp.sqrt(-1 - x**2)  # undefined everywhere on the real line
    with pytest.raises(verify.VerifyError, match="usable points"):
        verify.check_derivative(f, x, 1, sp.diff(f, x))


# ---------------------------------------------------------------- gradients


GRADIENT = sorted(f.id for f in BANK.values() if f.kind == "gradient")


@pytest.mark.parametrize("family_id", GRADIENT)
def test_partial_check_rejects_wrong_partials(family_id):
    family = BANK[family_id]
    for seed in range(4):
        check = generate_slot(family, seed, "mutation-test")["claims"]
        xs = [E.symbol(n) for n in check["variables"]]
        f = E.parse(check["function"])
        partials = [E.parse(p) for p in check["partials"]]
        wrong = {
            "sign flipped": [-partials[0]] + partials[1:],
            "partials swapped": [partials[1], partials[0]] + partials[2:],
            "a term missing": [sp.Add(*sp.Add.make_args(sp.expand(partials[0]))[1:])] + partials[1:],
            "other variable not held constant": [sp.diff(f.xreplace({xs[1]: xs[0]}), xs[0])] + partials[1:],
        }
        for mutated in wrong.values():
            if all(steps.equal(a, b) for a, b in zip(mutated, partials)):
                continue
            with pytest.raises(verify.VerifyError):
                for v, d in zip(xs, mutated):
                    verify.check_partial(f, xs, [v], d, domain=family.domain)


def test_gradient_at_a_point_rejects_a_wrong_vector():
    x, y = E.symbol("x"), E.symbol("y")
    f = 3 * x**2 + x * y - 2 * y**2
    measured = verify.measured_gradient(f, [x, y], [-1.0, -2.0])
    assert verify.close(measured[0], -8) and verify.close(measured[1], 7)
    assert not verify.close(measured[0], 8)  # sign flipped
    assert not (verify.close(measured[0], 7) and verify.close(measured[1], -8))  # components transposed
    verify.check_gradient_at(f, [x, y], [-1.0, -2.0], [-8, 7])
    for wrong in ([8, -7], [7, -8], [-8, 7.001]):  # sign flipped, components transposed, a little off
        with pytest.raises(verify.VerifyError):
            verify.check_gradient_at(f, [x, y], [-1.0, -2.0], wrong)


def test_directional_and_steepest_descent_checks_reject_wrong_answers():
    x, y = E.symbol("x"), E.symbol("y")
    f = 3 * x**2 + x * y - 2 * y**2  # gradient (-8, 7) at (-1, -2)
    point, rate = [-1.0, -2.0], float(np.sqrt(113))
    verify.check_directional(f, [x, y], point, [0.6, 0.8], 0.8)
    for wrong in (-0.8, 4.0, 0.6 * -8):  # sign flipped, direction not made a unit vector, one component only
        with pytest.raises(verify.VerifyError):
            verify.check_directional(f, [x, y], point, [0.6, 0.8], wrong)
    descent = [8 / rate, -7 / rate]
    verify.check_directional(f, [x, y], point, descent, -rate)
    verify.check_steepest(f, [x, y], point, rate)
    with pytest.raises(verify.VerifyError):  # uphill instead of downhill
        verify.check_directional(f, [x, y], point, [-c for c in descent], -rate)
    with pytest.raises(verify.VerifyError):  # the direction not normalized
        verify.check_directional(f, [x, y], point, [8.0, -7.0], -rate)
    with pytest.raises(verify.VerifyError):  # a rate too small: other directions fall faster
        verify.check_steepest(f, [x, y], point, rate / 2)


# ---------------------------------------------------------------- gradient descent


def test_descent_loop_rejects_wrong_iterates():
    x = E.symbol("x")
    f = (x - 3) ** 2
    loop = verify.descent_path(f, [x], [5.0], 0.25, 3)[:, 0]
    right = [5.0, 4.0, 3.5, 3.25]
    ascent = [5.0, 6.0, 7.5, 9.75]  # stepped uphill: x + eta*f'(x)
    wrong_rate = [5.0, 4.6, 4.28, 4.024]  # used 0.1
    off_by_one = [5.0, 3.5, 3.25, 3.125]  # one step skipped
    assert np.allclose(loop, right)
    assert verify.check_descent(f, [x], [5.0], 0.25, [[c] for c in right[1:]]).points == 3
    for wrong in (ascent, wrong_rate, off_by_one):
        assert not np.allclose(loop, wrong)
        with pytest.raises(verify.VerifyError):
            verify.check_descent(f, [x], [5.0], 0.25, [[c] for c in wrong[1:]])


def test_convergence_rule_matches_the_loop_and_rejects_a_wrong_verdict():
    from workbook.kinds.gradient_descent import _verdict

    x = E.symbol("x")
    f = 2 * (x - 1) ** 2  # L = 4, converges for eta < 1/2
    for rate, expected in ((sp.Rational(1, 10), "converges"), (sp.Rational(3, 10), "converges"),
                           (sp.Rational(1, 2), "oscillates"), (sp.Rational(7, 10), "diverges")):
        assert _verdict(1 - rate * 4)[1] == expected
        assert verify.descent_behaviour(f, x, 3.0, float(rate), 1.0) == expected
    assert verify.descent_behaviour(f, x, 3.0, 0.7, 1.0) != "converges"
    rates = [0.1, 0.3, 0.5, 0.7]
    verify.check_behaviours(f, x, 3.0, 1.0, rates, ["converges", "converges", "oscillates", "diverges"])
    with pytest.raises(verify.VerifyError):  # a verdict slip
        verify.check_behaviours(f, x, 3.0, 1.0, rates, ["converges", "converges", "converges", "diverges"])
    verify.check_step_factors(f, x, rates, [0.6, -0.2, -1.0, -1.8], at=3.0)
    with pytest.raises(verify.VerifyError):  # the factor with L = f''/2 instead of f''
        verify.check_step_factors(f, x, rates, [0.8, 0.4, 0.0, -0.4], at=3.0)


# ---------------------------------------------------------------- optimizers


def _adam_without_bias_correction(grads, lr=0.1, b1=0.9, b2=0.999, eps=1e-8):
    theta, m, v, out = 0.0, 0.0, 0.0, [0.0]
    for g in grads:
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        theta -= lr * m / (v**0.5 + eps)
        out.append(theta)
    return np.array(out)


def _momentum_buffer_from_zero(grads, lr=0.1, mu=0.9):
    theta, b, out = 0.0, 0.0, [0.0]
    for g in grads:
        b = mu * b + (1 - mu) * g  # a damped buffer: not torch's convention
        theta -= lr * b
        out.append(theta)
    return np.array(out)


def test_optimizer_reference_rejects_common_slips():
    grads = [2.0, -1.0, 0.5]
    step = lambda t, theta: grads[t - 1]
    adam = verify.optimizer_reference("adam", step, 0.0, 3, lr=0.1)
    assert not np.allclose(adam, _adam_without_bias_correction(grads))  # dropped bias correction
    momentum = verify.optimizer_reference("momentum", step, 0.0, 3, lr=0.1)
    assert not np.allclose(momentum, _momentum_buffer_from_zero(grads))
    ascent = verify.optimizer_reference("momentum", lambda t, th: -grads[t - 1], 0.0, 3, lr=0.1)
    assert not np.allclose(momentum, ascent)  # a sign slip
    nesterov = verify.optimizer_reference("nesterov", step, 0.0, 3, lr=0.1)
    assert not np.allclose(momentum, nesterov)


def test_optimizer_check_rejects_a_wrong_table():
    from workbook.kinds.optimizer import run

    theta = E.symbol("theta")
    loss = (theta - 1) ** 2
    hyper = {"lr": sp.Rational(1, 10), "momentum": sp.Rational(9, 10), "beta1": sp.Rational(9, 10),
             "beta2": sp.Rational(999, 1000), "alpha": sp.Rational(9, 10)}
    right = [float(r["theta"]) for r in run("momentum", lambda t, th: 2 * (th - 1), 0, 3, hyper)]
    verify.check_optimizer("momentum", 0.0, right, hyper, loss=loss, var=theta)
    with pytest.raises(verify.VerifyError):  # a slip in the last decimal the table shows
        verify.check_optimizer("momentum", 0.0, right[:-1] + [right[-1] + 1e-4], hyper, loss=loss, var=theta)
    with pytest.raises(verify.VerifyError):  # the table worked with the derivative of half the loss
        verify.check_optimizer("momentum", 0.0, right, hyper, loss=loss * 2, var=theta)
    grads = [2.0, -1.0, 0.5]
    adam = verify.optimizer_reference("adam", lambda t, th: grads[t - 1], 0.0, 3, lr=0.1)
    verify.check_optimizer("adam", 0.0, adam[1:], hyper, gradients=grads)
    with pytest.raises(verify.VerifyError):  # dropped bias correction
        verify.check_optimizer("adam", 0.0, _adam_without_bias_correction(grads)[1:], hyper, gradients=grads)


OPTIMIZER = sorted(f.id for f in BANK.values() if f.kind == "optimizer")


@pytest.mark.parametrize("family_id", OPTIMIZER)
def test_optimizer_checker_rejects_a_wrong_table(family_id):
    from tests import checkers

    for seed in range(5):
        check = dict(generate_slot(BANK[family_id], seed, "mutation-test")["claims"])
        checkers.verify(check)
        wrong = dict(check, thetas=[str(float(t) + 0.01) for t in check["thetas"]])
        with pytest.raises(AssertionError):
            checkers.verify(wrong)


# ---------------------------------------------------------------- loss derivatives


def test_loss_checks_reject_wrong_formulas():
    x, y = np.array([1.0, 2.0, -1.0]), np.array([2.0, 1.0, 0.0])
    w, b = 1.5, -0.5
    r = w * x + b - y
    right = [2 * np.mean(r * x), 2 * np.mean(r)]
    verify.check_mse_gradient(x, y, w, b, right)
    for wrong in ([np.mean(r * x), np.mean(r)],  # the factor 2 forgotten
                  [2 * np.mean(r), 2 * np.mean(r * x)],  # w and b swapped
                  [-2 * np.mean(r * x), -2 * np.mean(r)]):  # residual taken as y - y_hat
        with pytest.raises(verify.VerifyError):
            verify.check_mse_gradient(x, y, w, b, wrong)
    z = np.array([1.0, 2.0, 0.5])
    p = np.exp(z) / np.exp(z).sum()
    verify.check_softmax_gradient(z, 1, p - np.eye(3)[1])
    with pytest.raises(verify.VerifyError):
        verify.check_softmax_gradient(z, 1, np.eye(3)[1] - p)  # y - p: the sign slip
    s = 1 / (1 + np.exp(-(0.5 * 2.0 - 1.0 * 1.0 + 0.25)))
    verify.check_bce_gradient([2.0, 1.0], 1, [0.5, -1.0], 0.25, [(s - 1) * 2.0, (s - 1) * 1.0, s - 1])
    with pytest.raises(verify.VerifyError):  # the sigmoid's slope kept: (s - y) s (1 - s) x
        verify.check_bce_gradient([2.0, 1.0], 1, [0.5, -1.0], 0.25,
                                  [(s - 1) * s * (1 - s) * 2.0, (s - 1) * s * (1 - s), (s - 1) * s * (1 - s)])


def test_linear_layer_rejects_a_transposed_gradient():
    W, x = np.array([[1.0, -2.0, 0.0], [3.0, 1.0, 2.0]]), np.array([2.0, -1.0, 1.0])
    b, d = np.zeros(2), np.array([1.0, -2.0])
    verify.check_linear_layer(W, x, b, d, np.outer(d, x), d, W.T @ d)
    with pytest.raises(verify.VerifyError):
        verify.check_linear_layer(W, x, b, d, np.outer(x, d), d, W.T @ d)  # x d^T: transposed
    with pytest.raises(verify.VerifyError):
        verify.check_linear_layer(W, x, b, d, np.outer(d, x), d, W @ x)  # dL/dx without the transpose
    with pytest.raises(verify.VerifyError):
        verify.check_linear_layer(W, x, b, d, np.outer(d, x), b, W.T @ d)  # the bias given as its own gradient


# ---------------------------------------------------------------- Jacobians, Hessians, optima


def test_transposed_jacobian_is_rejected():
    x, y = E.symbol("x"), E.symbol("y")
    comps = [3 * x**2 * y, x + 2 * sp.sin(y)]
    J = [[sp.diff(c, v) for v in (x, y)] for c in comps]
    transposed = [[J[j][i] for j in range(2)] for i in range(2)]
    with pytest.raises(verify.VerifyError):
        for c, row in zip(comps, transposed):
            for v, d in zip((x, y), row):
                verify.check_partial(c, [x, y], [v], d)


def test_a_wrong_classification_is_rejected():
    x, y = E.symbol("x"), E.symbol("y")
    f = x**3 - 3 * x + y**2  # (1, 0) minimum, (-1, 0) saddle
    for g, point, kind in ((f, [1.0, 0.0], "minimum"), (f, [-1.0, 0.0], "saddle point"), (-f, [1.0, 0.0], "maximum")):
        H = [[float(c) for c in row] for row in sp.hessian(g, [x, y]).subs({x: point[0], y: point[1]}).tolist()]
        verify.check_classification(g, [x, y], point, H, kind)
        for wrong in {"minimum", "maximum", "saddle point"} - {kind}:
            with pytest.raises(verify.VerifyError):
                verify.check_classification(g, [x, y], point, H, wrong)
    with pytest.raises(verify.VerifyError):  # the right verdict beside a wrong Hessian at the point
        verify.check_classification(f, [x, y], [1.0, 0.0], [[6.0, 0.0], [0.0, 3.0]], "minimum")


def test_a_wrong_optimum_is_rejected():
    p = E.symbol("p")
    profit = (p - 4) * (60 - 2 * p)  # best price 17, profit 338
    verify.check_optimum(profit, [p], [17.0], 338.0, "maximize")
    verify.check_stationary(profit, [p], [17.0])
    for wrong_price, wrong_value in ((15.0, 330.0), (17.0, 300.0), (30.0, 0.0)):
        with pytest.raises(verify.VerifyError):
            verify.check_optimum(profit, [p], [wrong_price], wrong_value, "maximize")
    with pytest.raises(verify.VerifyError):
        verify.check_optimum(profit, [p], [17.0], 338.0, "minimize")
    for wrong_price in (15.0, 30.0):
        with pytest.raises(verify.VerifyError):
            verify.check_stationary(profit, [p], [wrong_price])


# ---------------------------------------------------------------- chain rule


def test_a_missing_path_is_rejected():
    t = E.symbol("t")
    x, y = t**2 + 1, sp.sin(t)
    z = x**2 * y + 3 * y
    both = 2 * x * y * 2 * t + (x**2 + 3) * sp.cos(t)
    verify.check_derivative(z, t, 1, both)
    with pytest.raises(verify.VerifyError):
        verify.check_derivative(z, t, 1, 2 * x * y * 2 * t)  # only the path through x
    with pytest.raises(verify.VerifyError):
        verify.check_derivative(z, t, 1, 2 * x * y + (x**2 + 3))  # inner derivatives dropped


# ---------------------------------------------------------------- backprop


def test_a_gradient_not_summed_at_a_fanout_is_rejected():
    graph = [["u", "mul", "x", "y"], ["v", "add", "x", "u"], ["L", "mul", "v", "y"]]
    leaves = {"x": 1.5, "y": -0.5}
    right = verify.graph_gradients(graph, leaves)
    h = 1e-6
    up = verify.graph_values(graph, {**leaves, "x": 1.5 + h})
    down = verify.graph_values(graph, {**leaves, "x": 1.5 - h})
    measured = (up["L"] - down["L"]) / (2 * h)
    assert abs(right["x"] - measured) < 1e-6
    only_one_use = right["v"] * 1  # x's gradient through v only, forgetting the path through u
    assert abs(only_one_use - measured) > 1e-3
    verify.check_graph_gradients(graph, leaves, {"x": right["x"], "y": right["y"]})
    with pytest.raises(verify.VerifyError):
        verify.check_graph_gradients(graph, leaves, {"x": only_one_use, "y": right["y"]})


def test_network_check_rejects_a_transposed_gradient_and_a_missing_slope():
    from workbook.bank import load_bank as _load

    family = _load()["xor-capstone"]
    W1 = np.array([[1.0, 2.0], [-1.0, -2.0]])
    params = {"W1": W1, "b1": np.array([-0.5, 1.0]), "W2": np.array([1.0, 2.0]), "b2": np.array(-1.0)}
    data = np.array([[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]], dtype=float)
    X, Y = data[:, :2], data[:, 2]
    A1 = 1 / (1 + np.exp(-(X @ W1.T + params["b1"])))
    yhat = 1 / (1 + np.exp(-(A1 @ params["W2"] + params["b2"])))
    delta2 = (yhat - Y) / 4
    delta1 = np.outer(delta2, params["W2"]) * A1 * (1 - A1)
    right = {"W1": delta1.T @ X, "b1": delta1.sum(0), "W2": A1.T @ delta2, "b2": np.array(delta2.sum())}
    verify.check_network_gradients(right, params, X, Y, "sigmoid", family.output, family.loss)
    for wrong in ({**right, "W1": right["W1"].T},  # transposed
                  {**right, "W1": (np.outer(delta2, params["W2"])).T @ X}):  # activation slope forgotten
        with pytest.raises(verify.VerifyError):
            verify.check_network_gradients(wrong, params, X, Y, "sigmoid", family.output, family.loss)


def test_a_wrong_gradient_check_is_rejected():
    """The gradient check's own check: a wrong partial, a wrong centred difference or a wrong relative
    error each fails it; the right one passes."""
    import dataclasses

    from workbook.kinds import gradient_check as kind

    family = load_bank()["gradient-check"]
    work = kind.solve(family, family.draw_params(np.random.default_rng(3)), np.random.default_rng(3))
    kind.check(work)
    x = work.variables[0]
    wrong = {
        "a partial off by a term": dataclasses.replace(work, partials=[work.partials[0] + x] + work.partials[1:]),
        "an estimate off in the fourth place": dataclasses.replace(
            work, estimates=[work.estimates[0] + sp.Rational(1, 1000)] + work.estimates[1:]),
        "a relative error off by a factor": dataclasses.replace(
            work, errors=[e * 3 + sp.Rational(1, 10**5) for e in work.errors]),
    }
    for name, mutated in wrong.items():
        with pytest.raises(verify.VerifyError):
            kind.check(mutated)
            pytest.fail(name)
