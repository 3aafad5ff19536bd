"""综合查一次: merging pending checks into joint visits, as a pure function (no ORM).

A **pending check** is one department's duty to inspect one subject on some day within a window
(``earliest``–``latest``, both inclusive) — in this app, a subject drawn in a department's plan, with the plan's
period as its window. Checks on the **same subject** whose windows share at least one common day are merged
into one **visit** (a joint inspection when more than one department is in it), on the days common to all of
them.

The grouping, per subject: sort the checks by the end of their window; the check that ends first opens a visit
and takes every remaining check that has started by then (``earliest`` ≤ that end) — they all end no earlier, so
the visit's window is [latest start among them, that end] and is never empty. Repeat with what is left. This is
the classic greedy for stabbing intervals with the fewest points, so no other grouping of the same checks into
visits on common days needs fewer visits.

Stable API (the planner's bench imports it): ``PendingCheck``, ``Visit``, ``merge_checks(checks)``,
``visits_saved(visits)``.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class PendingCheck:
    """One department's check of one subject, due on a day in [earliest, latest].

    ``key`` identifies the check to the caller (a PlanSubject id, or any hashable label in a bench);
    ``matter_ids`` are the department's enforcement matters the check covers (kept in the visit, in order).
    """

    key: object
    subject_id: int
    department_id: int
    earliest: date
    latest: date
    matter_ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.earliest > self.latest:
            raise ValueError(f"check {self.key!r}: window reversed ({self.earliest} > {self.latest})")


@dataclass(frozen=True)
class Visit:
    """One visit to one subject: every check in it can be done on any day of [earliest, latest]."""

    subject_id: int
    earliest: date
    latest: date
    checks: tuple[PendingCheck, ...]

    @property
    def department_ids(self) -> tuple[int, ...]:
        """The departments present, each once, in ascending id."""
        return tuple(sorted({c.department_id for c in self.checks}))

    @property
    def matter_ids(self) -> tuple[int, ...]:
        """Every matter of every check, each once, in the order first met (checks in visit order)."""
        return tuple(dict.fromkeys(m for c in self.checks for m in c.matter_ids))

    @property
    def is_joint(self) -> bool:
        return len(self.department_ids) > 1


def _order(check: PendingCheck) -> tuple[date, date, int, str]:
    return (check.latest, check.earliest, check.department_id, repr(check.key))


def merge_checks(checks: Iterable[PendingCheck]) -> list[Visit]:
    """Group ``checks`` into visits (see the module's docstring).

    Deterministic: visits come ordered by (subject id, window start, window end); the checks in a visit by
    (window end, window start, department id, key). Every check is in exactly one visit.
    """
    by_subject: dict[int, list[PendingCheck]] = defaultdict(list)
    for check in checks:
        by_subject[check.subject_id].append(check)

    visits: list[Visit] = []
    for subject_id, subject_checks in by_subject.items():
        remaining = sorted(subject_checks, key=_order)
        while remaining:
            end = remaining[0].latest
            taken = [c for c in remaining if c.earliest <= end]
            remaining = [c for c in remaining if c.earliest > end]
            start = max(c.earliest for c in taken)
            visits.append(Visit(subject_id=subject_id, earliest=start, latest=end, checks=tuple(taken)))
    visits.sort(key=lambda v: (v.subject_id, v.earliest, v.latest))
    return visits


def visits_saved(visits: Sequence[Visit]) -> int:
    """Visits saved by merging: the number of checks minus the number of visits."""
    return sum(len(v.checks) for v in visits) - len(visits)
