"""One module per kind of problem; each turns (family, params, rng) into a checked record."""

from __future__ import annotations

from workbook.kinds import backprop, chain, derivative, gradient, gradient_descent, hessian, loss, network, optimizer

#: kind name -> generate(family, params, rng) -> record fields
GENERATORS = {"derivative": derivative.generate, "gradient": gradient.generate,
              "gradient_descent": gradient_descent.generate, "optimizer": optimizer.generate,
              "loss": loss.generate, "hessian": hessian.generate,
              "optimization": hessian.generate_optimization, "chain": chain.generate,
              "backprop": backprop.generate, "network": network.generate}
