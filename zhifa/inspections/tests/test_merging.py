"""综合查一次: merging pending checks into visits, on known answers."""

from datetime import date

import pytest

from zhifa.inspections.merging import PendingCheck, merge_checks, visits_saved


def check(key: str, subject: int, dept: int, start: int, end: int, *matters: int) -> PendingCheck:
    return PendingCheck(
        key=key,
        subject_id=subject,
        department_id=dept,
        earliest=date(2026, 3, start),
        latest=date(2026, 3, end),
        matter_ids=matters,
    )


def test_three_departments_overlapping_on_one_subject_make_one_joint_visit_on_the_common_days() -> None:
    checks = [check("a", 1, 10, 1, 20, 100), check("b", 1, 11, 5, 25, 200), check("c", 1, 12, 15, 31, 300, 100)]
    visits = merge_checks(checks)
    assert len(visits) == 1
    visit = visits[0]
    assert (visit.earliest, visit.latest) == (date(2026, 3, 15), date(2026, 3, 20))
    assert visit.department_ids == (10, 11, 12)
    assert visit.matter_ids == (100, 200, 300)
    assert visit.is_joint
    assert visits_saved(visits) == 2


def test_windows_that_do_not_overlap_stay_separate_visits() -> None:
    visits = merge_checks([check("a", 1, 10, 1, 10), check("b", 1, 11, 11, 20)])
    assert [(v.earliest.day, v.latest.day, v.department_ids) for v in visits] == [(1, 10, (10,)), (11, 20, (11,))]
    assert not any(v.is_joint for v in visits)
    assert visits_saved(visits) == 0


def test_windows_touching_on_one_day_merge_on_that_day() -> None:
    visits = merge_checks([check("a", 1, 10, 1, 10), check("b", 1, 11, 10, 20)])
    assert len(visits) == 1
    assert visits[0].earliest == visits[0].latest == date(2026, 3, 10)


def test_a_chain_of_windows_needs_two_visits_not_one() -> None:
    # a overlaps b, b overlaps c, but a and c share no day: no single day suits all three.
    visits = merge_checks([check("a", 1, 10, 1, 10), check("b", 1, 11, 8, 18), check("c", 1, 12, 15, 25)])
    assert [sorted(c.key for c in v.checks) for v in visits] == [["a", "b"], ["c"]]
    assert (visits[0].earliest.day, visits[0].latest.day) == (8, 10)
    assert visits_saved(visits) == 1


def test_different_subjects_never_merge() -> None:
    visits = merge_checks([check("a", 1, 10, 1, 31), check("b", 2, 11, 1, 31), check("c", 1, 11, 1, 31)])
    assert [(v.subject_id, v.department_ids) for v in visits] == [(1, (10, 11)), (2, (11,))]
    assert visits_saved(visits) == 1


def test_every_check_lands_in_exactly_one_visit_and_the_result_does_not_depend_on_input_order() -> None:
    checks = [check(f"k{i}", i % 4, 10 + i % 3, 1 + i % 9, 12 + i % 13) for i in range(40)]
    forward = merge_checks(checks)
    backward = merge_checks(list(reversed(checks)))
    assert forward == backward
    keys = [c.key for v in forward for c in v.checks]
    assert sorted(keys) == sorted(c.key for c in checks)
    for visit in forward:
        assert all(c.earliest <= visit.earliest <= visit.latest <= c.latest for c in visit.checks)


def test_a_reversed_window_is_refused() -> None:
    with pytest.raises(ValueError):
        check("a", 1, 10, 20, 1)
