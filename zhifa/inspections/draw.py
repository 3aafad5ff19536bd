"""The 双随机 draw as a pure function of its published inputs (docs/inspections.md, "The draw").

Everything random comes from SHA-256 over the seed and the ids concerned, never from a process's random
state, so the draw depends only on the seed and the inputs stored with the plan — not on row order, the
Python version or the machine — and anyone with the published inputs re-runs it with a few lines of code.

- seed = SHA-256("zhifa-draw-v1|plan=<plan id>|public=<public value>"), hex.
- u(label, ids…) = (first 52 bits of SHA-256("<seed>|<label>|<id>|…") + 0.5) / 2^52, a number in (0, 1).
- Subjects: each candidate's key is −ln u("subject", id) / weight (an exponential variate with rate = weight:
  Efraimidis–Spirakis weighted sampling without replacement). Every grade-D subject is taken; the other
  places go to the smallest keys. Order: D subjects by key, then the others by key; ties by id.
- Inspectors: for each drawn subject in that order, the department's eligible officers minus those with a
  declared conflict for it, ranked by (subjects already given to them in this draw, u("officer", subject id,
  officer id), officer id); the first is taken, and the next one with whom they do not form the pair that
  inspected this subject in the department's previous draw (if another exists).
"""

import hashlib
import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from zhifa.inspections.grades import MANDATORY_GRADE

ALGORITHM = "zhifa-draw-v1"
_BITS = 52


def draw_seed(*, plan_id: int, public_value: str) -> str:
    return hashlib.sha256(f"{ALGORITHM}|plan={plan_id}|public={public_value}".encode()).hexdigest()


def uniform(seed: str, label: str, *ids: int) -> float:
    text = "|".join([seed, label, *(str(i) for i in ids)])
    bits = int(hashlib.sha256(text.encode()).hexdigest()[: _BITS // 4], 16)
    return (bits + 0.5) / 2**_BITS


@dataclass(frozen=True)
class Candidate:
    subject_id: int
    grade: str
    colour: str
    weight: float


@dataclass(frozen=True)
class Assignment:
    subject_id: int
    first_officer_id: int
    second_officer_id: int


class NotEnoughOfficers(Exception):
    """Fewer than two officers are free of conflict for ``subject_id``."""

    def __init__(self, subject_id: int) -> None:
        super().__init__(subject_id)
        self.subject_id = subject_id


def draw_count(*, eligible: int, ratio: Decimal, mandatory: int) -> int:
    """ceil(ratio × eligible), in exact decimals, and never fewer than the mandatory (D) subjects."""
    wanted = int((ratio * eligible).to_integral_value(rounding=ROUND_CEILING))
    return min(eligible, max(wanted, mandatory))


def subject_key(seed: str, candidate: Candidate) -> float:
    return -math.log(uniform(seed, "subject", candidate.subject_id)) / candidate.weight


def draw_subjects(*, seed: str, candidates: list[Candidate], count: int) -> list[Candidate]:
    def order(c: Candidate) -> tuple[float, int]:
        return (subject_key(seed, c), c.subject_id)

    mandatory = sorted((c for c in candidates if c.grade == MANDATORY_GRADE), key=order)
    others = sorted((c for c in candidates if c.grade != MANDATORY_GRADE), key=order)
    return mandatory + others[: max(0, count - len(mandatory))]


def assign_officers(
    *,
    seed: str,
    subject_ids: list[int],
    officer_ids: list[int],
    conflicts: set[tuple[int, int]],
    previous_pairs: dict[int, frozenset[int]],
) -> list[Assignment]:
    """Two officers per subject, in ``subject_ids`` order; ``conflicts`` holds (officer id, subject id)."""
    load = dict.fromkeys(officer_ids, 0)
    assignments = []
    for subject_id in subject_ids:
        pool = [o for o in officer_ids if (o, subject_id) not in conflicts]
        if len(pool) < 2:
            raise NotEnoughOfficers(subject_id)
        ranked = sorted(pool, key=lambda o: (load[o], uniform(seed, "officer", subject_id, o), o))
        first = ranked[0]
        previous = previous_pairs.get(subject_id)
        second = next((o for o in ranked[1:] if frozenset((first, o)) != previous), ranked[1])
        load[first] += 1
        load[second] += 1
        assignments.append(Assignment(subject_id, first, second))
    return assignments
