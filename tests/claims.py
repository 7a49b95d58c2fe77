"""Checked claims: numbers the notebooks' prose states about a run, compared with what the run printed.

A claim is an HTML comment in a markdown cell of a `solutions/` notebook (invisible when rendered, kept by
`make release`):

    <!-- claim: 0.4% ± 2 printed `vanilla GAN on the grid .*?([\\d.]+)% high quality` -->

- the value (`0.4%`) is written exactly as the visible prose of the same cell states it (the check fails when the
  prose no longer contains it, so prose and marker cannot drift apart);
- the tolerance is `± X` (absolute, in the printed unit: percentage points for a percentage) or `× X` (a factor:
  the printed value lies within value / X and value * X);
- the pattern is a regular expression with one group, searched in everything the notebook's code cells printed
  (stdout, in order); it must match exactly once.

The run time a notebook's introduction states is a claim of its own, one per notebook:

    <!-- fast-mode time: 45 s -->

with `45 s` in the visible prose. It is compared with the CPU time of the notebook's kernel in the fast-mode run
(user + system, from its start to its last cell): on a machine shared with other work the CPU time stays what the
notebook costs, where the wall clock would not. Divided by how many times slower this machine is, now, than the one
the statements were measured on (tests/machine_speed.py), it must lie within a factor 2 of the statement.

Claims state fast-mode numbers; `make test` runs every notebook in fast mode (nbval) and tests/conftest.py
compares, after each notebook's last cell, its claims with what its cells printed. Nothing here imports ganlab.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

CLAIM = re.compile(r"<!--\s*claim:\s*(?P<value>\S+)\s*(?P<kind>[±×])\s*(?P<tol>[\d.]+)\s*printed\s*`(?P<pattern>[^`]+)`\s*-->")
TIME = re.compile(r"<!--\s*fast-mode time:\s*(?P<seconds>\d+) s\s*-->")
ANY_MARKER = re.compile(r"<!--\s*(claim|fast-mode time)\b.*?-->", re.S)
TIME_FACTOR = 2.0


@dataclass(frozen=True)
class Claim:
    cell: int          # index of the markdown cell (0-based, all cells)
    text: str          # the value as the prose writes it, e.g. "0.4%", "1,200"
    kind: str          # "±" absolute or "×" factor
    tolerance: float
    pattern: str

    @property
    def value(self) -> float:
        return number(self.text)

    def check(self, printed: str) -> str | None:
        """None when the printed value agrees with the claim, else what is wrong."""
        found = re.findall(self.pattern, printed)
        where = f"cell {self.cell}: claim {self.text} ({self.kind} {self.tolerance:g}), pattern `{self.pattern}`"
        if len(found) != 1:
            return f"{where}: expected the run to print it exactly once, found {len(found)} matches"
        got = number(found[0])
        if self.kind == "±":
            ok = abs(got - self.value) <= self.tolerance
        else:
            ok = self.value / self.tolerance <= got <= self.value * self.tolerance
        return None if ok else f"{where}: the run printed {found[0]}"


def number(text: str) -> float:
    """'1,200' -> 1200.0, '0.4%' -> 0.4, '-68' -> -68.0, '−68' (a typographic minus) -> -68.0."""
    return float(text.replace(",", "").replace("%", "").replace("\u2212", "-").rstrip("."))


def visible(source: str) -> str:
    """A markdown cell's text without its claim markers."""
    return ANY_MARKER.sub("", source)


def parse(cells) -> tuple[list[Claim], int | None, list[str]]:
    """(claims, stated fast-mode seconds or None, problems) from a notebook's cells (nbformat or dicts).

    Problems: a marker that does not parse, a value the prose does not state, a pattern without exactly one group,
    more than one time statement."""
    claims, seconds, problems = [], None, []
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        prose = visible(source)
        for marker in ANY_MARKER.finditer(source):
            claim, time = CLAIM.fullmatch(marker.group()), TIME.fullmatch(marker.group())
            if claim:
                c = Claim(index, claim["value"], claim["kind"], float(claim["tol"]), claim["pattern"])
                try:
                    groups = re.compile(c.pattern).groups
                    c.value  # noqa: B018 (parses)
                except (re.error, ValueError) as e:
                    problems.append(f"cell {index}: {marker.group()}: {e}")
                    continue
                if groups != 1:
                    problems.append(f"cell {index}: pattern `{c.pattern}` has {groups} groups, expected 1")
                if c.text not in prose:
                    problems.append(f"cell {index}: the prose no longer states the claimed value {c.text!r}")
                claims.append(c)
            elif time:
                if seconds is not None:
                    problems.append(f"cell {index}: a second fast-mode time statement")
                seconds = int(time["seconds"])
                if f"{seconds} s" not in prose:
                    problems.append(f"cell {index}: the prose does not state the fast-mode time '{seconds} s'")
            else:
                problems.append(f"cell {index}: cannot read the marker {marker.group()!r}")
    return claims, seconds, problems


def check_time(stated: int, measured: float, slowdown: float = 1.0) -> str | None:
    """None when a measured fast-mode time (CPU s), divided by this machine's slowdown against the machine the
    statement was measured on, is within TIME_FACTOR of the stated one."""
    scaled = measured / slowdown
    if stated / TIME_FACTOR <= scaled <= stated * TIME_FACTOR:
        return None
    return (f"the introduction states a fast-mode time of {stated} s; this run's kernel used {measured:.0f} s of CPU on "
            f"a machine {slowdown:.2f} times as slow as the reference, {scaled:.0f} s there "
            f"(allowed: {stated / TIME_FACTOR:.0f}-{stated * TIME_FACTOR:.0f} s): measure it again and update it")
