"""Small counts hidden on screen, so that no individual can be singled out.

The rule, as the statistics page's help text states it:

1. Primary suppression: every count from 1 to 4 is shown as "<5" (0 stays 0).
2. Secondary suppression: a table's figures are bound by sums (the parts of a
   row or a column add up to the total shown beside them). When exactly one
   figure of such a sum is hidden, it could be worked out by subtraction; the
   smallest other part that is shown (and not 0) is hidden too, as "×". When
   no part is left to hide, the total is hidden. This is repeated until no sum
   has exactly one hidden figure.

The Uppföljning Finsam CSV is the exception: the förbund reports those
aggregate figures exactly to the national follow-up, so the file has them
unmasked (it holds no rows about persons).
"""

from __future__ import annotations

from dataclasses import dataclass

# Counts from 1 to this are hidden.
SMALL_COUNT = 4
SMALL_TEXT = "<5"
DERIVED_TEXT = "×"


@dataclass(eq=False)
class Cell:
    """One count in a table: its exact value, and whether (and why) the page hides it."""

    value: int
    # "" shown; "small" a count from 1 to 4; "derived" hidden so that a small count cannot be worked out.
    hidden: str = ""

    def __post_init__(self) -> None:
        if 0 < self.value <= SMALL_COUNT:
            self.hidden = "small"

    @property
    def is_hidden(self) -> bool:
        return bool(self.hidden)

    @property
    def text(self) -> str:
        """What the page shows."""
        if self.hidden == "small":
            return SMALL_TEXT
        if self.hidden == "derived":
            return DERIVED_TEXT
        return str(self.value)

    @property
    def shown(self) -> int:
        """The value a chart may draw: a hidden count draws nothing."""
        return 0 if self.hidden else self.value

    def __str__(self) -> str:
        return self.text


@dataclass(eq=False)
class Sum:
    """Parts that add up to a total, both shown on the page."""

    parts: list[Cell]
    total: Cell


def suppress(sums: list[Sum]) -> None:
    """Hide further cells until no sum lets a hidden figure be worked out by subtraction (rule 2)."""
    changed = True
    while changed:
        changed = False
        for line in sums:
            cells = [*line.parts, line.total]
            if sum(cell.is_hidden for cell in cells) != 1:
                continue
            candidates = [cell for cell in line.parts if not cell.is_hidden and cell.value > 0]
            # The smallest shown part, the first of equals: hides least information.
            chosen = min(candidates, key=lambda cell: cell.value) if candidates else line.total
            chosen.hidden = "derived"
            changed = True
