"""TRANSITION: wraps a kind's old generate() until it is split into solve, check and present."""
from workbook.kind import Ask, Kind
from workbook.problem import Problem
from workbook.verify import Check


class _Legacy(Problem):
    def __init__(self, record):
        self._record = record
        self.verified = {}

    def record(self):
        r = dict(self._record)
        r["identity"] = r.pop("key")
        r.setdefault("numeric", None)
        r["verified"] = self.verified
        return r


def legacy(name, schema, generate):
    def check(rec):
        v = dict(rec["verified"]); v.pop("at_point", None)
        return [Check(**v)]
    return Kind(name, schema, {name: Ask(solve=generate, check=check, present=_Legacy)},
                ) if not hasattr(schema, "model_fields") or "ask" not in schema.model_fields else \
        Kind(name, schema, {a: Ask(solve=generate, check=check, present=_Legacy)
                            for a in schema.model_fields["ask"].annotation.__args__})
