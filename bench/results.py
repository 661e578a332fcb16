"""bench/results.md: the machine, then every figure as median and spread over the runs, with
its target from issue 15 and whether the median meets it."""

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Target:
    """A goal: how it reads ("≤ 15 ms") and whether a median meets it (None: cannot tell)."""

    text: str
    met: Callable[[float], bool | None]


def at_most(bound: float, unit: str) -> Target:
    return Target(f"≤ {number(bound, unit)}", lambda v: v <= bound)


def at_least(bound: float, unit: str) -> Target:
    return Target(f"≥ {number(bound, unit)}", lambda v: v >= bound)


@dataclass
class Figure:
    """One measured quantity, one value per run."""

    name: str
    unit: str
    values: list[float] = field(default_factory=list)
    target: Target | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.values)


@dataclass
class Section:
    """A heading, what it measures, its figures (or why one was skipped) and notes."""

    title: str
    about: str
    figures: dict[str, Figure] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, key: str, unit: str, value: float) -> None:
        self.figures.setdefault(key, Figure(key, unit)).values.append(value)


def number(value: float, unit: str) -> str:
    """A value as results.md prints it (and tests/ops/test_bench_all.py reads it)."""
    digits = 0 if abs(value) >= 1000 or value == int(value) else 1
    return f"{value:,.{digits}f} {unit}".replace(",", " ")


def row(figure: Figure) -> str:
    low, high = min(figure.values), max(figure.values)
    spread = f"{number(low, figure.unit)} – {number(high, figure.unit)}"
    if figure.target is None:
        target, verdict = "", ""
    else:
        met = figure.target.met(figure.median)
        target, verdict = figure.target.text, {True: "✔", False: "✘", None: "–"}[met]
    median = number(figure.median, figure.unit)
    return f"| {figure.name} | {median} | {spread} | {target} | {verdict} |"


def markdown(heading: str, facts: dict[str, str], sections: list[Section]) -> str:
    """The whole of results.md."""
    lines = [heading, "", "## Machine", "", "| | |", "| --- | --- |"]
    lines += [f"| {name} | {value} |" for name, value in facts.items()]
    for section in sections:
        lines += ["", f"## {section.title}", "", section.about, ""]
        if section.figures:
            lines += ["| figure | median | spread (min – max) | target | holds |"]
            lines += ["| --- | --- | --- | --- | --- |"]
            lines += [row(f) for f in section.figures.values()]
        for name, reason in section.skipped.items():
            lines.append(f"- {name}: skipped ({reason})")
        lines += [f"- {note}" for note in section.notes]
    return "\n".join(lines) + "\n"
