from django.db import transaction

from zhifa.demo.services import DEFAULT_SEED, demo_load
from zhifa.subjects.models import Subject


def _first_subject_names(seed: int) -> list[str]:
    # Each load is rolled back so that the next one starts from an empty district again.
    with transaction.atomic():
        assert demo_load(seed=seed).created
        names = list(Subject.objects.order_by("id").values_list("name", flat=True)[:10])
        transaction.set_rollback(True)
    return names


def test_the_same_seed_yields_the_same_subjects_and_another_seed_does_not(db: None) -> None:
    first = _first_subject_names(DEFAULT_SEED)
    assert len(first) == 10
    assert _first_subject_names(DEFAULT_SEED) == first
    assert _first_subject_names(DEFAULT_SEED + 1) != first
