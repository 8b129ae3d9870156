"""`workbook check`: every family over many seeds, as a teacher runs it before sharing a bank."""

from __future__ import annotations

import re
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field

from workbook.family import Family
from workbook.givens import unstated
from workbook.kinds import registry
from workbook.scheduler import BUDGET, Slot, draw
from workbook.workers import Pool


def parse_range(text: str) -> range:
    """'1..500' (inclusive) or a single number of seeds, '200' meaning 0..199."""
    if len(text) > 50:
        raise ValueError(f"--seeds {text[:20]!r}...: write a range like 1..500, each end at most 20 digits")
    m = re.fullmatch(r"\s*(\d{1,20})\s*\.\.\s*(\d{1,20})\s*", text, flags=re.ASCII)
    if m:
        lo, hi = int(m[1]), int(m[2])
        if hi < lo or hi - lo > 100_000:
            raise ValueError(f"--seeds {text!r}: give low..high with low <= high and at most 100000 seeds")
        if hi > 2**53:  # as --seed takes them: a failing seed past it could not be shown (attack30)
            raise ValueError(f"--seeds {text!r}: each seed at most 2^53 = {2**53}, as `show --seed` takes them")
        return range(lo, hi + 1)
    if re.fullmatch(r"\s*\d{1,6}\s*", text, flags=re.ASCII) and 0 < int(text) <= 100_000:
        return range(int(text))
    raise ValueError(f"--seeds {text!r}: write a range like 1..500")


@dataclass
class Report:
    """What one family did over the seeds."""

    family: Family
    seeds: range
    failures: list[tuple[int, str]] = field(default_factory=list)
    unstated: list[tuple[int, str, str]] = field(default_factory=list)  # (seed, given, its value) no prompt states
    redraws: int = 0
    answers: Counter = field(default_factory=Counter)
    problems: Counter = field(default_factory=Counter)

    def line(self) -> str:
        ok = len(self.seeds) - len(self.failures)
        status = "FAIL" if self.failures or self.unstated else "ok  "
        return (f"{status} {self.family.id:<28} {ok}/{len(self.seeds)} built, {self.redraws} redraws, "
                f"{len(self.problems)} distinct problems, {len(self.answers)} distinct answers")

    def notes(self) -> list[str]:
        out = []
        if self.unstated:  # the printed problem cannot be worked: said first (user51 F3)
            names = sorted({name for _, name, _ in self.unstated})
            seed, name, value = self.unstated[0]
            out.append(f"the prompt does not state what its answer depends on ({', '.join(names)}; at seed {seed}, "
                       f"{name} = {value}): put it in the prompt with its placeholder (see docs/family-reference.md), "
                       "or leave prompt out for the kind's own")
        n = max(1, len(self.seeds) - len(self.failures))
        if self.failures and all("usable points" in why for _, why in self.failures):
            low, high = getattr(self.family, "domain", (None, None))
            where = f" (from {low:g} to {high:g})" if low is not None else ""
            out.append(f"the function is undefined at most of the points its answer is checked at{where}: set "
                       f"domain = [low, high] in {self.family.path} to an interval where it is defined")
        if self.problems and len(self.problems) < min(20, n):
            out.append(f"only {len(self.problems)} distinct problems: widen the parameter ranges "
                       "(parallel versions and long sheets will repeat)")
        common, count = self.answers.most_common(1)[0] if self.answers else ("", 0)
        if count > 0.3 * n and n >= 10:
            out.append(f"{count} of {n} answers are {common!r}: a guessable family")
        if self.redraws > 2 * n:
            out.append(f"{self.redraws} redraws for {n} problems: many draws are degenerate or fail their check")
        # a parameter nothing uses is drawn for nothing, and a distinct group with it redraws for nothing: said
        # here, where a teacher checks a family, not refused (attack28; a leftover one is no reason to stop a build)
        said = _order_said(self.family)
        if said:
            out.append(said)
        out += [f"params.{name[:30]}: no expression and no prompt uses it, so it is drawn for nothing; remove it, "
                "or use it" for name in self.family.unused()[:3]]
        out += [f"distinct[{i}]: {', '.join(self.family.distinct[i][:4])} can never be equal, their ranges apart, so "
                "it asks nothing; remove it" for i in self.family.idle_distinct()[:3]]
        return out


_ORDERS = {1: "first", 2: "second", 3: "third", 4: "fourth"}


def _order_said(family: Family) -> str | None:
    """A note where a derivative family's own prompt names another derivative than its order asks (user51 F7: "find
    f''(x)" with order 1, whose key gave f'(x), passed check)."""
    order, prompt = getattr(family, "order", None), family.prompt or ""
    if family.kind != "derivative" or order is None or not prompt:
        return None
    text = prompt.replace("\u2032", "'").replace("\u2033", "''")
    named = {k for k, word in _ORDERS.items() if re.search(rf"\b{word} derivative", text, re.IGNORECASE)}
    named |= {len(m[1]) for m in re.finditer(r"\b[a-zA-Z]('+)\s*\(", text) if len(m[1]) <= 4}
    wrong = sorted(named - {order})
    if not wrong:
        return None
    return (f"the prompt asks for the {_ORDERS[wrong[0]]} derivative, but order = {order}: the key gives the "
            f"{_ORDERS[order]}; write {{dfx}}, which names the one asked for, or set order")


def check_family(family: Family, seeds: range, *, jobs: int | None = None, pool=None) -> Report:
    """Draw the family at every seed and collect what a teacher should know."""
    return check_families([family], seeds, jobs=jobs, pool=pool)[0]


def check_families(families: list[Family], seeds: range, *, jobs: int | None = None,
                   budget: float | None = BUDGET, pool=None) -> list[Report]:
    """Every family at every seed, drawn in worker processes under the same budget as a build,
    so that a family that hangs or explodes is reported with its seed instead of stopping the check.
    ``pool``: one already open (a cluster's, say), else ``jobs`` local workers."""
    slots = [Slot(family, "check", None, seed=seed) for family in families for seed in seeds]
    failures: dict[int, str] = {}
    with Pool(jobs) if pool is None else nullcontext(pool) as workers:
        records = draw(slots, 0, pool=workers, budget=budget, failures=failures)
    reports = []
    for k, family in enumerate(families):
        report = Report(family, seeds)
        for j, seed in enumerate(seeds):
            i = k * len(seeds) + j
            record = records[i]
            if record is None:
                report.failures.append((seed, failures[i]))
                continue
            declared = registry()[family.kind].givens
            if declared is not None:
                report.unstated += [(seed, name, value) for name, value in unstated(declared(record["claims"]),
                                                                                   record["prompt"])]
            report.redraws += record["attempt"]
            report.problems[record["identity"]] += 1
            report.answers[record["answer_text"]] += 1
        reports.append(report)
    return reports
