"""The table format every lecture fills in: known-wrong answers (mutants) and correct alternatives."""
from __future__ import annotations

import textwrap
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Variant:
    name: str                 # short id, shown in test names
    answer: str               # grade_id of the answer cell it replaces (= the function's name)
    code: str                 # the whole cell, as a student would write it
    fails: tuple = ()         # test cells that must score 0; () = a correct alternative (full marks)
    roundtrip: bool = False   # also grade it through the real nbgrader CLI: one mistake and one alternative per
                              # table (the in-process tier grades them all), favouring what only nbgrader shows:
                              # stderr, syntax errors, steps that change later cells' state

    def __post_init__(self):
        object.__setattr__(self, "code", textwrap.dedent(self.code).strip() + "\n")

    @property
    def correct(self) -> bool:
        return not self.fails


@dataclass(frozen=True)
class Table:
    assignment: str           # e.g. "01_gan_basics"
    notebook: str             # e.g. "gan_basics" (no .ipynb)
    signatures: dict          # graded function -> its signature, as the notebook states it, e.g. "(x, k)"
    variants: tuple = field(default_factory=tuple)
    carried: tuple = ()       # answer cells with no tests of their own: code the student brings from an
                              # earlier lecture (e.g. "gan_losses"); cleared on release, never graded here

    def ids(self):
        return [f"{self.notebook}:{v.name}" for v in self.variants]
