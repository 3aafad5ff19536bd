"""Storage and database agree: a photo file stays in MEDIA_ROOT exactly when a committed photo row names it.

The files are written before the transaction commits; when it rolls back, the guard deletes them — and never
deletes a file whose row was committed, even when an error follows the commit.
"""

import contextlib
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from conftest import World
from zhifa.events import photos
from zhifa.events.models import Event, EventPhoto, PhotoKind
from zhifa.events.photos import photo_files_removed_on_rollback, photo_ingest
from zhifa.events.tests.conftest import jpeg_bytes
from zhifa.events.tests.test_photos import make_event


class Boom(Exception):
    """An error raised by the service after the photo was stored."""


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(media: Path) -> set[str]:
    return {path.relative_to(media).as_posix() for path in media.rglob("*") if path.is_file()}


def ingest(world: World, event: Event, size: tuple[int, int] = (32, 24)) -> EventPhoto:
    return photo_ingest(
        event=event, upload=("现场.jpg", jpeg_bytes(size)), kind=PhotoKind.REPORT, actor=world.user("officer_a")
    )


def names(row: EventPhoto) -> set[str]:
    return {row.original.name, row.public_copy.name}


@pytest.mark.parametrize("failure", ["database", "service"])
def test_a_rolled_back_transaction_leaves_no_file(world: World, media: Path, failure: str) -> None:
    event = make_event(world)

    with pytest.raises((IntegrityError, Boom)), photo_files_removed_on_rollback(), transaction.atomic():
        row = ingest(world, event)
        assert stored_files(media) == names(row)  # written before the commit
        if failure == "database":
            make_event(world)  # a second event with the same number: the database refuses it
        else:
            raise Boom

    assert stored_files(media) == set()
    assert EventPhoto.objects.count() == 0


def test_a_failure_inside_ingest_removes_its_files_without_a_guard(
    world: World, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = make_event(world)

    def audit_refused(**kwargs: Any) -> None:
        raise IntegrityError("audit chain refused the entry")

    monkeypatch.setattr(photos, "audit_record", audit_refused)

    with pytest.raises(IntegrityError):
        ingest(world, event)

    assert stored_files(media) == set()
    assert EventPhoto.objects.count() == 0


def test_a_completed_block_keeps_its_files(world: World, media: Path) -> None:
    event = make_event(world)

    with photo_files_removed_on_rollback(), transaction.atomic():
        row = ingest(world, event)

    assert stored_files(media) == names(row)
    assert EventPhoto.objects.get().pk == row.pk


def test_a_rolled_back_inner_block_removes_only_its_own_files(world: World, media: Path) -> None:
    event = make_event(world)

    with pytest.raises(Boom), photo_files_removed_on_rollback(), transaction.atomic():
        first = ingest(world, event, size=(32, 24))
        with contextlib.suppress(Boom), photo_files_removed_on_rollback(), transaction.atomic():
            ingest(world, event, size=(48, 36))
            raise Boom
        assert stored_files(media) == names(first)
        assert list(EventPhoto.objects.values_list("pk", flat=True)) == [first.pk]
        raise Boom  # and now the outer transaction fails too

    assert stored_files(media) == set()


@pytest.mark.django_db(transaction=True)
def test_an_error_after_the_commit_keeps_the_committed_files(world: World, media: Path) -> None:
    event = make_event(world)

    def notify_fails() -> None:
        raise Boom

    with pytest.raises(Boom), photo_files_removed_on_rollback(), transaction.atomic():
        row = ingest(world, event)
        transaction.on_commit(notify_fails)

    assert EventPhoto.objects.get().pk == row.pk
    assert stored_files(media) == names(row)


@pytest.mark.django_db(transaction=True)
def test_files_of_a_transaction_that_rolls_back_without_an_error_are_removed_when_it_ends(
    world: World, media: Path
) -> None:
    event = make_event(world)

    with photo_files_removed_on_rollback(), transaction.atomic():
        # A failure swallowed inside a block without a savepoint marks the whole transaction for rollback;
        # until it ends, the database cannot be asked which files are in use, so none is deleted.
        with contextlib.suppress(Boom), photo_files_removed_on_rollback(), transaction.atomic(savepoint=False):
            row = ingest(world, event)
            raise Boom
        assert stored_files(media) == names(row)

    assert stored_files(media) == set()
    assert EventPhoto.objects.count() == 0
