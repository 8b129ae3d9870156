"""What learners type, and what it means: the corpus `workbook solve` must read (tests/test_learners.py).

Each entry is (what a learner typed, the same expression in the strict form, with every * written).
Written here from the forms in textbooks, calculators and trial sessions; the strict form is read
by the same parser, whose strict grammar other tests pin down.
"""

import sympy as sp

READ = [
    # a function or a bracket beside another factor
    ("sin(x)cos(x)", "sin(x)*cos(x)"),
    ("e^(-x) ln(x)", "exp(-x)*ln(x)"),
    ("e^(-x)ln(x)", "exp(-x)*ln(x)"),
    ("x^2 e^(-x)", "x^2*exp(-x)"),
    ("2sin(x)", "2*sin(x)"),
    ("2sin(x)cos(x)", "2*sin(x)*cos(x)"),
    ("x sin(x)", "x*sin(x)"),
    ("x cos(x) - sin(x)", "x*cos(x) - sin(x)"),
    ("3x^2 sin(x)", "3*x^2*sin(x)"),
    ("(x+1)(x-1)", "(x+1)*(x-1)"),
    ("(x^2+1)(x^3-2x)", "(x^2+1)*(x^3-2*x)"),
    ("(x+1)x", "(x+1)*x"),
    ("x(x+1)", "x*(x+1)"),
    ("6x(x^2 + 1)^2", "6*x*(x^2 + 1)^2"),
    ("x e^x (x + 2)", "x*exp(x)*(x + 2)"),
    ("w1(x - 2)", "w1*(x - 2)"),
    ("pi(x + 1)", "pi*(x + 1)"),
    ("(2x+1)sqrt(x)", "(2*x+1)*sqrt(x)"),
    ("sqrt(x)sqrt(x+1)", "sqrt(x)*sqrt(x+1)"),
    ("sin(x)/x", "sin(x)/x"),
    ("exp(x)sin(x)", "exp(x)*sin(x)"),
    ("e^x sin(x)", "exp(x)*sin(x)"),
    ("e^x cos(2x)", "exp(x)*cos(2*x)"),
    ("x e^x", "x*exp(x)"),
    ("x^3 ln(x)", "x^3*ln(x)"),
    ("ln(x)/x", "ln(x)/x"),
    ("x ln(x) - x", "x*ln(x) - x"),
    ("tan(x)sec(x)", "tan(x)*sec(x)"),
    ("sin(2x)cos(3x)", "sin(2*x)*cos(3*x)"),
    ("x y", "x*y"),
    ("2 pi x", "2*pi*x"),
    ("a x^2 + b x + c", "a*x^2 + b*x + c"),
    ("x^2 y + x y^2", "x^2*y + x*y^2"),
    ("x^2(x+1)", "x^2*(x+1)"),
    ("(x+1)^2(x-1)^3", "(x+1)^2*(x-1)^3"),
    ("sigmoid(x)(1 - sigmoid(x))", "sigmoid(x)*(1 - sigmoid(x))"),
    ("tanh(x) x", "tanh(x)*x"),
    ("w x + b", "w*x + b"),
    ("relu(w x + b)", "relu(w*x + b)"),
    ("sigmoid(w x + b)", "sigmoid(w*x + b)"),
    ("softplus(2x)x", "softplus(2*x)*x"),
    ("(1 - x)ln(1 - x)", "(1 - x)*ln(1 - x)"),
    ("-y ln(sigmoid(x)) - (1 - y)ln(1 - sigmoid(x))", "-y*ln(sigmoid(x)) - (1 - y)*ln(1 - sigmoid(x))"),
    ("(x - 3)^2 + (y + 1)^2", "(x - 3)^2 + (y + 1)^2"),
    ("e^(x^2) sin(x)", "exp(x^2)*sin(x)"),
    # powers of functions and inverse functions, as books print them
    ("sin^2(x)", "sin(x)^2"),
    ("cos^2(x)", "cos(x)^2"),
    ("sin^2(x) + cos^2(x)", "sin(x)^2 + cos(x)^2"),
    ("tan^3(2x)", "tan(2*x)^3"),
    ("ln^2(x)", "ln(x)^2"),
    ("sin^(2)(x)", "sin(x)^2"),
    ("sec^2(x)", "sec(x)^2"),
    ("tanh^2(x)", "tanh(x)^2"),
    ("sigmoid^2(x)", "sigmoid(x)^2"),
    ("1 - tanh^2(x)", "1 - tanh(x)^2"),
    ("sin^-1(x)", "asin(x)"),
    ("sin^(-1)(x)", "asin(x)"),
    ("cos^-1(x)", "acos(x)"),
    ("tan^-1(x)", "atan(x)"),
    ("tan^-1(x^2)", "atan(x^2)"),
    ("sinh^-1(x)", "asinh(x)"),
    ("tanh^-1(x)", "atanh(x)"),
    ("x tan^-1(x)", "x*atan(x)"),
    ("sin^2(x)cos(x)", "sin(x)^2*cos(x)"),
    ("2sin^2(x)", "2*sin(x)^2"),
    # logarithms in other bases
    ("log2(x)", "log(x, 2)"),
    ("log10(x)", "log(x, 10)"),
    ("lg(x)", "log(x, 10)"),
    ("log2(x^2 + 1)", "log(x^2 + 1, 2)"),
    ("x log2(x)", "x*log(x, 2)"),
    ("log10(x)^2", "log(x, 10)^2"),
    ("log(x, 3)", "log(x, 3)"),
    ("ln(x^2)", "ln(x^2)"),
    ("log(x)", "ln(x)"),
    # absolute values with bars
    ("|x|", "abs(x)"),
    ("|x - 1|", "abs(x - 1)"),
    ("2|x|", "2*abs(x)"),
    ("x|x|", "x*abs(x)"),
    ("|x|^3", "abs(x)^3"),
    ("|x^2 - 4|", "abs(x^2 - 4)"),
    ("ln|x|", "ln(abs(x))"),
    ("ln|cos(x)|", "ln(abs(cos(x)))"),
    ("|sin(x)|", "abs(sin(x))"),
    ("||x| - 1|", "abs(abs(x) - 1)"),
    ("|x||x - 1|", "abs(x)*abs(x - 1)"),
    ("|x|(x + 1)", "abs(x)*(x + 1)"),
    ("sqrt(|x|)", "sqrt(abs(x))"),
    ("|x|/x", "abs(x)/x"),
    ("e^(-|x|)", "exp(-abs(x))"),
    ("|2x + 3| + |x|", "abs(2*x + 3) + abs(x)"),
    # the forms that already worked stay as they were
    ("x^2", "x**2"),
    ("2x", "2*x"),
    ("3(x+1)", "3*(x+1)"),
    ("x^-2", "x^(-2)"),
    ("-x^2", "-(x^2)"),
    ("2^3^x", "2^(3^x)"),
    ("e^x", "exp(x)"),
    ("sqrt(1 - x^2)", "(1 - x^2)^(1/2)"),
    ("x/(x^2 + 1)", "x/(x^2 + 1)"),
    ("1/(1 + e^(-x))", "1/(1 + exp(-x))"),
    ("arctan(x)", "atan(x)"),
    ("arcsin(2x)", "asin(2*x)"),
    ("x^x", "x^x"),
    ("x^(1/3)", "x^(1/3)"),
    ("max(x, x^2)", "Max(x, x^2)"),
    ("e^2 x", "exp(2)*x"),
    ("1/2 x", "x/2"),
    ("2/3*sin(x)", "2*sin(x)/3"),
    ("cos(x)^2", "cos(x)**2"),
]

# What a learner may type that has no one reading, or a slip: refused with a hint that names the fix.
REFUSED = [
    ("sinx", "did you mean sin(x)"),
    ("lnx", "did you mean ln(x)"),
    ("cos2x", "did you mean cos(2x)"),
    ("e^2x", "ambiguous"),
    ("x^2y", "ambiguous"),
    ("1/2x", "/2x has two readings: write /(2x)"),
    ("0x1F*x", "a number in another base"),  # read as 0 times x1F times x (attack31)  # 1/(2x) or x/2 (attack31: read as x/2, without a word)
    ("1/2sqrt(x)", "write /(2sqrt(x))"),
    ("(x+1)/2|x|", "write /(2|x|)"),
    ("max(x, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20)", "max takes 2 to 20 arguments, got 21"),
    ("log_2(x)", "log(..., 2)"),
    ("sen(x)", "did you mean sin"),
    ("tg(x)", "did you mean tan"),
    ("sin x", "write sin(...)"),
    ("sin^2 x", "sin^2(...)"),
    ("|x", "no '|' to close it"),
    ("x|", "nothing after it"),
    ("x 2", "^ for a power"),
    ("foo(x)", "unknown function 'foo'"),
    ("sine(x)", "did you mean sin"),
    ("ln^-1(x)", "1/ln(...)"),
    ("x\u00b7y", "type * instead"),
    ("x\u2212 1", "type - instead"),
    ("[x + 1]^2", "type ( instead"),
    ("f'(x)", "--order"),
]


def typed_answers(want) -> tuple[str, str]:
    """A right and a wrong answer to a problem, typed as a learner would, from what the problem
    expects (``judge.Expected``, made from its claims): the expression or numbers, and the same changed."""
    if want.expression is not None:
        right = sp.sstr(want.expression)
        return right, f"({right}) + {want.variable}"
    if want.expressions:
        typed = [sp.sstr(e) for e in want.expressions]
        return ", ".join(typed), ", ".join([f"({typed[0]}) + {want.variables[0]}", *typed[1:]])
    if want.points:
        typed = [f"({', '.join(f'{c:.6g}' for c in p)}) {k.split()[0]}" for p, k in zip(want.points, want.kinds)]
        return ", ".join(typed[::-1]), ", ".join(typed[1:] or [t.replace("(", "(1 + ", 1) for t in typed])
    if want.words:
        return ", ".join(want.words), ", ".join("diverges" if w != "diverges" else "converges" for w in want.words)
    return (", ".join(f"{v:.6g}" for v in want.numbers), ", ".join(f"{v * 1.1 + 1:.6g}" for v in want.numbers))
