"""One module per kind of problem; each turns (family, params, rng) into a checked record."""

from __future__ import annotations

from workbook.kinds import chain, derivative, gradient, gradient_descent, hessian, loss, optimizer

#: kind name -> generate(family, params, rng) -> record fields
GENERATORS = {"derivative": derivative.generate, "gradient": gradient.generate,
              "gradient_descent": gradient_descent.generate, "optimizer": optimizer.generate,
              "loss": loss.generate, "hessian": hessian.generate,
              "optimization": hessian.generate_optimization, "chain": chain.generate}
