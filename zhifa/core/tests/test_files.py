"""The one guard of stored files: a file stays in MEDIA_ROOT exactly when a row that survived names it.

The guard knows nothing of the apps; any row with a file field shows it. The rows here are analytics
reports (two files a row, few required fields), looked up through the app registry: core imports no app.
The tests marked ``transaction=True`` commit for real, so that the guard ends outside any transaction, as
it does in production; the others end inside the test's own transaction, where a savepoint rolls back.
"""

import contextlib
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, models, transaction

from conftest import World
from zhifa.core.files import file_store, files_removed_on_rollback


class Boom(Exception):
    """An error raised by the service after the file was stored."""


def report_model() -> type[models.Model]:
    return apps.get_model("analytics", "AnalyticsReport")


def stored_files() -> set[str]:
    media = Path(settings.MEDIA_ROOT)
    return {path.relative_to(media).as_posix() for path in media.rglob("*") if path.is_file()}


def new_report(world: World, day: int = 1) -> Any:
    start = dt.date(2026, 11, day)
    return report_model()(
        district=world.district, period="day", period_start=start, period_end=start, scope_name="测试区"
    )


def made(world: World, day: int = 1) -> Any:
    """A report row with both its files, stored the way services store them."""
    report = new_report(world, day)
    file_store(report.pdf, f"report-{day}.pdf", b"%PDF-1.7 figures")
    file_store(report.xlsx, f"report-{day}.xlsx", b"PK\x03\x04 figures")
    report.save()
    return report


def names(report: Any) -> set[str]:
    return {report.pdf.name, report.xlsx.name}


def rows() -> list[int]:
    return list(report_model()._default_manager.order_by("pk").values_list("pk", flat=True))


@pytest.mark.django_db(transaction=True)
def test_a_committed_block_keeps_its_files(world: World) -> None:
    with files_removed_on_rollback(), transaction.atomic():
        report = made(world)

    assert stored_files() == names(report)
    assert rows() == [report.pk]


@pytest.mark.parametrize("failure", ["service", "database"])
def test_a_rolled_back_block_removes_its_files(world: World, failure: str) -> None:
    with pytest.raises((Boom, IntegrityError)), files_removed_on_rollback(), transaction.atomic():
        report = made(world)
        assert stored_files() == names(report)  # written before the row commits
        if failure == "database":
            report_model()._default_manager.create(
                district=world.district, period="day", scope_name="无期间"
            )  # NOT NULL
        raise Boom

    assert stored_files() == set()
    assert rows() == []


def test_an_exception_after_the_file_was_stored_and_before_its_row_removes_it(world: World) -> None:
    with pytest.raises(Boom), files_removed_on_rollback(), transaction.atomic():
        report = new_report(world)
        file_store(report.pdf, "report.pdf", b"%PDF-1.7")
        assert stored_files() == {report.pdf.name}
        raise Boom  # the row is never saved

    assert stored_files() == set()
    assert rows() == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("inner_guard", [True, False], ids=["inner-guard", "outer-guard-only"])
def test_a_rolled_back_savepoint_removes_only_its_own_files_while_the_outer_block_commits(
    world: World, inner_guard: bool
) -> None:
    with files_removed_on_rollback(), transaction.atomic():
        first = made(world, day=1)
        inner = files_removed_on_rollback() if inner_guard else contextlib.nullcontext()
        with contextlib.suppress(Boom), inner, transaction.atomic():
            second = made(world, day=2)
            raise Boom
        if inner_guard:  # the inner guard removed its file as soon as its savepoint rolled back
            assert stored_files() == names(first)

    assert stored_files() == names(first)
    assert second.pdf.name not in stored_files()
    assert rows() == [first.pk]


def test_a_savepoint_that_succeeded_loses_its_files_when_the_outer_block_rolls_back(world: World) -> None:
    with pytest.raises(Boom), files_removed_on_rollback(), transaction.atomic():
        first = made(world, day=1)
        with files_removed_on_rollback(), transaction.atomic():
            second = made(world, day=2)
        assert stored_files() == names(first) | names(second)
        raise Boom

    assert stored_files() == set()
    assert rows() == []


@pytest.mark.django_db(transaction=True)
def test_a_transaction_rolled_back_without_an_error_removes_its_files(world: World) -> None:
    with files_removed_on_rollback(), transaction.atomic():
        # A failure swallowed inside a block without a savepoint marks the whole transaction for rollback;
        # until it ends, the database cannot be asked which files are in use, so none is deleted yet.
        with contextlib.suppress(Boom), files_removed_on_rollback(), transaction.atomic(savepoint=False):
            report = made(world)
            raise Boom
        assert stored_files() == names(report)

    assert stored_files() == set()
    assert rows() == []


@pytest.mark.django_db(transaction=True)
def test_an_error_after_the_commit_keeps_the_committed_files(world: World) -> None:
    def notify_fails() -> None:
        raise Boom

    with pytest.raises(Boom), files_removed_on_rollback(), transaction.atomic():
        # Queued before the files are stored: the callbacks queued after it never run.
        transaction.on_commit(notify_fails)
        report = made(world)

    assert rows() == [report.pk]
    assert stored_files() == names(report)


@pytest.mark.django_db(transaction=True)
def test_a_file_replacing_another_on_a_committed_row_is_removed_when_the_update_rolls_back(world: World) -> None:
    with files_removed_on_rollback(), transaction.atomic():
        report = made(world)
    before = names(report)

    with pytest.raises(Boom), files_removed_on_rollback(), transaction.atomic():
        again = report_model()._default_manager.get(pk=report.pk)
        file_store(again.pdf, "report-again.pdf", b"%PDF-1.7 new figures")
        again.save(update_fields=["pdf"])
        raise Boom

    assert stored_files() == before
    assert report_model()._default_manager.get(pk=report.pk).pdf.name == report.pdf.name


def test_a_file_stored_outside_any_guard_is_left_alone(world: World) -> None:
    with pytest.raises(Boom), transaction.atomic():
        report = made(world)
        raise Boom

    assert stored_files() == names(report)  # nobody was asked to watch it: why every service guards


# Every way a file reaches storage in the code; each must be ``file_store``'s, so that a guard sees it.
FILE_WRITES = re.compile(r"ContentFile\(|(?<![A-Za-z])File\(|storage\.save\(|\.save\([^)]*save=False")


def test_every_file_the_code_stores_goes_through_file_store() -> None:
    root = Path(__file__).resolve().parents[2]
    own = Path(__file__).resolve().parents[1] / "files.py"
    bypassing = [
        f"{path.relative_to(root)}:{number}"
        for path in sorted(root.rglob("*.py"))
        if path != own and not {"tests", "migrations"} & set(path.relative_to(root).parts)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if FILE_WRITES.search(line)
    ]
    assert bypassing == []
