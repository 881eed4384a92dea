"""The performance targets: each benchmark states its own; a run exits non-zero when one is missed."""

from dataclasses import asdict, dataclass


@dataclass
class Target:
    """`value` must be at most `limit` (or at least, with `at_least`); a missing value misses."""

    name: str
    value: float | None
    limit: float
    unit: str = ""
    at_least: bool = False

    @property
    def met(self):
        if self.value is None:
            return False
        return self.value >= self.limit if self.at_least else self.value <= self.limit

    def line(self):
        value = "none" if self.value is None else f"{self.value:g}{self.unit}"
        verdict = "met" if self.met else "MISSED"
        return f"target: {self.name} {'≥' if self.at_least else '≤'} {self.limit:g}{self.unit}: {value}, {verdict}"

    def as_dict(self):
        return {**asdict(self), "met": self.met}


def add_targets_argument(parser):
    parser.add_argument("--no-targets", action="store_true", help="report the targets but exit 0 when one is missed")


def exit_status(*, ok, targets, enforce):
    """0 when the run worked (`ok`) and, if `enforce`, every target was met; else 1."""
    return 0 if ok and (not enforce or all(target.met for target in targets)) else 1
