"""The storage contract of the hot path (``zhifa.core.rows``, issue 10): what intake, dedup, triage and the
audit store rely on when they write and read rows through statements prepared once instead of the ORM.

Every test here runs on SQLite and on PostgreSQL (``DATABASE_URL=postgres://…``); the few that are about
one server's behaviour (row locks, prepared statements) say so and skip on the other. The yardstick is the
ORM itself: a row written by ``insert_row`` must read back as ``save()`` would have left it, and a row read
by ``from_row``/``select_one`` must be the instance ``Model.objects.get`` gives.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
import time_machine
from django.core.exceptions import FieldDoesNotExist
from django.db import DataError, IntegrityError, connection, connections, models, transaction
from django.test.utils import CaptureQueriesContext

from zhifa.core import rows
from zhifa.core.models import ApiToken, AuditEntry, AuditHead, CalendarOverride, ProcessHeartbeat

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
NOW = dt.datetime(2026, 12, 4, 9, 30, 15, 123456, tzinfo=SHANGHAI)
EARLIER = dt.datetime(2026, 12, 3, 17, 31, 0, 654321, tzinfo=LOS_ANGELES)
# JSON as intake and the audit store keep it: Chinese text, nesting, every JSON scalar.
PAYLOAD = {
    "描述": "路边摊占道经营，油烟很大",
    "上报人": {"姓名": "王女士", "电话": "13800000000"},
    "照片": [{"序号": 1, "宽": 4032, "比例": 0.75}, {"序号": 2, "备注": None}],
    "是否夜间": True,
    "emoji": "🚧",
}

Build = Callable[[], models.Model]


def values_of(obj: models.Model) -> dict[str, tuple[type, Any]]:
    """Every column but the key, with its Python type (SQLite hands back 0 for False, which compares equal)."""
    return {
        f.attname: (type(getattr(obj, f.attname)), getattr(obj, f.attname))
        for f in obj._meta.concrete_fields
        if not f.primary_key
    }


def as_save_stores(build: Build) -> models.Model:
    """The row ``save()`` writes for ``build()``, read back by the ORM; then rolled back (audit entries
    cannot be deleted), so the same unique values can be written again by ``insert_row``."""
    with transaction.atomic():
        obj = build()
        obj.save()
        stored = type(obj)._default_manager.get(pk=obj.pk)
        transaction.set_rollback(True)
    return stored


def check_insert_row_stores_what_save_stores(build: Build) -> None:
    """The contract's first clause, for any model: shared with the events wing's own models
    (zhifa/events/tests/test_rows_hot_path.py), which this layer may not import."""
    # given what save() stores of an instance (auto_now fields at one instant)
    with time_machine.travel(NOW, tick=False):
        saved = as_save_stores(build)

        # when the same values are written by insert_row
        obj = build()
        returned = rows.insert_row(obj)

    # then the row reads back through the ORM equal to save()'s, field by field, and to the instance
    model = type(obj)
    stored = model._default_manager.get(pk=obj.pk)
    assert returned is obj
    assert values_of(stored) == values_of(saved)
    assert {name: value for name, (_, value) in values_of(stored).items()} == {
        name: value for name, (_, value) in values_of(obj).items()
    }
    assert (obj._state.adding, obj._state.db) == (False, "default")


def check_hand_reads_equal_orm_reads(obj: models.Model) -> None:
    """The contract's reading clause, for any stored row: a hand-written SELECT of ``columns()`` built by
    ``from_row``, and ``select_one``, give the instance the ORM gives — key, foreign keys' ids, decoded
    JSON, Python types and all."""
    model = type(obj)
    by_orm = model._default_manager.get(pk=obj.pk)
    qn = connection.ops.quote_name
    pk_column = model._meta.pk.column if model._meta.pk else "id"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {rows.columns(model, alias='t')} FROM {qn(model._meta.db_table)} t WHERE t.{qn(pk_column)} = %s",
            [obj.pk],
        )
        by_hand = rows.from_row(model, cursor.fetchone())
    selected = rows.select_one(model, pk=obj.pk)

    for read in (by_hand, selected):
        assert read is not None
        assert read.pk == by_orm.pk
        assert values_of(read) == values_of(by_orm)
        assert (read._state.adding, read._state.db) == (False, "default")


def _user(django_user_model: Any) -> Any:
    return django_user_model.objects.create(username="dispatcher")


def _audit_entry_subject(django_user_model: Any) -> Build:
    actor = _user(django_user_model)

    def build() -> AuditEntry:
        return AuditEntry(
            seq=90_000_001,
            district_id=330105,
            actor=actor,
            actor_label="dispatcher",
            action="event.intake",
            object_type="events.event",
            object_id="42",
            before=None,
            after=PAYLOAD,
            reason="自动分类：占道经营",
            request_id="req-1",
            client="web",
            recorded_at=NOW,
            prev_hash="0" * 64,
            entry_hash="f" * 64,
        )

    return build


def _audit_entry_without_actor_subject(django_user_model: Any) -> Build:
    def build() -> AuditEntry:
        entry = _audit_entry_subject(django_user_model)()
        entry.actor, entry.district_id, entry.before, entry.after = None, None, {"状态": "reported"}, []
        return entry

    return build


def _api_token_subject(django_user_model: Any) -> Build:
    user = _user(django_user_model)
    return lambda: ApiToken(user=user, name="摄像头接入", key_hash="a" * 64, last_used_at=EARLIER, is_active=False)


def _calendar_override_subject(django_user_model: Any) -> Build:
    return lambda: CalendarOverride(day=dt.date(2026, 12, 5), is_working_day=True, note="调休上班")


def _heartbeat_subject(django_user_model: Any) -> Build:
    return lambda: ProcessHeartbeat(kind="clock_watch", seen_at=EARLIER, interval_s=12.75, pid=4242, host="主机-1")


def _audit_head_subject(django_user_model: Any) -> Build:
    # Its key is not generated by the database: the INSERT has no RETURNING.
    return lambda: AuditHead(singleton=1, seq=7, entry_hash="e" * 64)


# This layer's models, between them every field kind the hot path writes: aware datetimes in two zones and
# none, auto_now_add, JSON (nested, Chinese, null, a list), nullable and required foreign keys, booleans,
# a date with a unique constraint, floats, big integers, and a key the database does not generate.
# Event, EventTransition and a decimal: zhifa/events/tests/test_rows_hot_path.py.
SUBJECTS = pytest.mark.parametrize(
    "subject",
    [
        _audit_entry_subject,
        _audit_entry_without_actor_subject,
        _api_token_subject,
        _calendar_override_subject,
        _heartbeat_subject,
        _audit_head_subject,
    ],
    ids=["audit_entry", "audit_entry_without_actor", "api_token", "calendar_override", "heartbeat", "audit_head"],
)


@SUBJECTS
def test_insert_row_stores_what_save_stores(django_user_model: Any, subject: Any) -> None:
    check_insert_row_stores_what_save_stores(subject(django_user_model))


def test_insert_row_stamps_auto_now_add_as_save_does(django_user_model: Any) -> None:
    # given a token whose created_at nobody set
    token = _api_token_subject(django_user_model)()
    assert token.created_at is None

    # when it is inserted at a known instant
    with time_machine.travel(NOW, tick=False):
        rows.insert_row(token)

    # then it carries that instant, on the instance and in the row
    assert token.created_at == NOW
    assert ApiToken.objects.get(pk=token.pk).created_at == NOW


def test_an_inserted_row_is_stored_state_and_a_later_save_updates_it(django_user_model: Any) -> None:
    # given a token written by insert_row
    token = _api_token_subject(django_user_model)()
    rows.insert_row(token)

    # then it has its key and is known to be stored, in the default database
    assert token.pk is not None
    assert (token._state.adding, token._state.db) == (False, "default")

    # when it is changed and saved
    token.name = "无人机接入"
    token.save()

    # then that one row was updated: nothing was inserted beside it
    assert list(ApiToken.objects.values_list("pk", "name")) == [(token.pk, "无人机接入")]


def test_a_row_without_foreign_keys_is_stored_state_too() -> None:
    """Assigning a related object already tells an instance its database; a row with none learns it here."""
    day = rows.insert_row(CalendarOverride(day=dt.date(2026, 12, 5), is_working_day=True, note="调休"))

    assert (day.pk, day._state.adding, day._state.db) == (CalendarOverride.objects.get().pk, False, "default")


def test_insert_row_takes_the_key_of_a_related_row_saved_after_it_was_assigned(django_user_model: Any) -> None:
    """As ``save()`` does: the actor was assigned before it had a key; a nullable foreign key stored as NULL
    here would lose who acted without a word."""
    # given an entry whose actor was assigned, then saved
    entry = _audit_entry_subject(django_user_model)()
    late = django_user_model(username="late_actor")
    entry.actor = late
    late.save()

    # when the entry is inserted
    rows.insert_row(entry)

    # then its row names that actor
    assert AuditEntry.objects.filter(pk=entry.pk).values_list("actor_id", flat=True).get() == late.pk


def test_insert_row_refuses_a_related_row_never_saved_as_save_does(django_user_model: Any) -> None:
    # given an entry whose actor has never been saved
    entry = _audit_entry_subject(django_user_model)()
    entry.actor = django_user_model(username="never_saved")
    with pytest.raises(ValueError):
        entry.save()

    # when it is inserted, then it is refused and nothing is written
    with pytest.raises(ValueError):
        rows.insert_row(entry)
    assert (AuditEntry.objects.count(), entry.pk) == (0, None)


def test_insert_rows_writes_all_in_one_statement_and_gives_each_its_own_key(django_user_model: Any) -> None:
    # given three audit entries (the audit store appends a step's entries at once)
    build = _audit_entry_subject(django_user_model)
    entries = [build() for _ in range(3)]
    for i, entry in enumerate(entries):
        entry.seq += i
        entry.action = f"event.step{i}"

    # when they are inserted together
    with CaptureQueriesContext(connection) as queries:
        rows.insert_rows(entries)

    # then one statement wrote them, and each instance has the key of its own row
    assert len(queries) == 1
    assert len({e.pk for e in entries}) == 3
    assert [AuditEntry.objects.get(pk=e.pk).action for e in entries] == ["event.step0", "event.step1", "event.step2"]
    assert [(e._state.adding, e._state.db) for e in entries] == [(False, "default")] * 3


def test_insert_rows_of_nothing_runs_nothing() -> None:
    with CaptureQueriesContext(connection) as queries:
        rows.insert_rows([])

    assert len(queries) == 0


def test_insert_rows_refuses_rows_of_two_models_and_writes_nothing() -> None:
    day = CalendarOverride(day=dt.date(2026, 12, 5), is_working_day=True, note="调休")
    heartbeat = _heartbeat_subject(None)()

    with pytest.raises(TypeError):
        rows.insert_rows([day, heartbeat])

    assert (CalendarOverride.objects.count(), ProcessHeartbeat.objects.count()) == (0, 0)
    assert day.pk is None


def test_a_unique_clash_raises_integrity_error_and_leaves_nothing_of_the_statement() -> None:
    # given a date already corrected
    rows.insert_row(CalendarOverride(day=dt.date(2026, 12, 5), is_working_day=True, note="调休上班"))

    # when a batch whose second row corrects the same date again is inserted
    new_day = CalendarOverride(day=dt.date(2026, 12, 6), is_working_day=False, note="补休")
    clash = CalendarOverride(day=dt.date(2026, 12, 5), is_working_day=False, note="重复")
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.insert_rows([new_day, clash])

    # then nothing of the batch was stored, its instances are not taken for stored rows, and the
    # connection goes on working
    assert list(CalendarOverride.objects.values_list("day", "note")) == [(dt.date(2026, 12, 5), "调休上班")]
    assert (new_day.pk, new_day._state.adding, clash.pk, clash._state.adding) == (None, True, None, True)
    rows.insert_row(new_day)
    assert CalendarOverride.objects.count() == 2


def test_insert_statement_is_prepared_once_and_stores_with_mark_stored(django_user_model: Any) -> None:
    """The audit store's path on PostgreSQL: the statement and its values, run by the caller inside a larger
    statement, then ``mark_stored`` with the keys it returned."""
    build = _audit_entry_subject(django_user_model)
    first, second = build(), build()
    second.seq += 1

    sql, params = rows.insert_statement([first, second])
    again, _ = rows.insert_statement([build(), build()])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = [row[0] for row in cursor.fetchall()]
    for entry, key in zip([first, second], keys, strict=True):
        rows.mark_stored(entry, pk=key)

    assert again is sql
    assert len(params) == 2 * (len(AuditEntry._meta.concrete_fields) - 1)
    assert [AuditEntry.objects.get(pk=e.pk).seq for e in (first, second)] == [90_000_001, 90_000_002]
    assert (first._state.adding, first._state.db) == (False, "default")


@SUBJECTS
def test_from_row_and_select_one_read_what_the_orm_reads(django_user_model: Any, subject: Any) -> None:
    obj = subject(django_user_model)()
    obj.save()

    check_hand_reads_equal_orm_reads(obj)


def test_columns_lists_every_column_in_meta_order_quoted_by_the_backend() -> None:
    assert rows.columns(CalendarOverride, alias="c") == 'c."id", c."day", c."is_working_day", c."note"'


def test_from_row_refuses_a_row_of_another_length() -> None:
    """Triage splits one joined row between two models (``triage.matter_with_department``); a slip in the
    split must fail, not fill one model with the other's columns."""
    with pytest.raises(ValueError):
        rows.from_row(CalendarOverride, (1, "2026-12-05", True, "调休", "extra"))
    with pytest.raises(ValueError):
        rows.from_row(CalendarOverride, (1, "2026-12-05", True))


def test_select_one_matches_every_keyword_and_answers_none_when_no_row_does() -> None:
    day = CalendarOverride.objects.create(day=dt.date(2026, 12, 5), is_working_day=True, note="调休")

    assert rows.select_one(CalendarOverride, day=dt.date(2026, 12, 5), is_working_day=True) == day
    assert rows.select_one(CalendarOverride, day=dt.date(2026, 12, 5), is_working_day=False) is None
    assert rows.select_one(CalendarOverride, pk=day.pk + 1) is None


def test_select_one_refuses_a_name_that_is_not_a_column(django_user_model: Any) -> None:
    with pytest.raises(TypeError):
        rows.select_one(django_user_model, apitoken=1)  # the other end of ApiToken.user
    with pytest.raises(FieldDoesNotExist):
        rows.select_one(AuditEntry, no_such_field=1)


def test_select_one_with_lock_reads_the_row_on_every_database() -> None:
    """SQLite has no FOR UPDATE (its writers take the whole database): the locking read still answers."""
    day = CalendarOverride.objects.create(day=dt.date(2026, 12, 5), is_working_day=True, note="调休")

    with transaction.atomic():
        assert rows.select_one(CalendarOverride, pk=day.pk, lock=True) == day


def _other_connection() -> Any:
    params = connection.get_connection_params()
    params.pop("pool", None)
    params.pop("server_side_binding", None)
    return psycopg.connect(**params, autocommit=True)


@pytest.mark.django_db(transaction=True)
def test_select_one_with_lock_holds_the_row_until_the_transaction_ends() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite locks the whole database")
    # given a stored row, and a second connection that tries to lock it without waiting
    day = CalendarOverride.objects.create(day=dt.date(2026, 12, 5), is_working_day=True, note="调休")
    table = connection.ops.quote_name(CalendarOverride._meta.db_table)

    with _other_connection() as other:

        def other_can_lock() -> bool:
            try:
                other.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE NOWAIT", [day.pk])
            except psycopg.errors.LockNotAvailable:
                return False
            return True

        # then a plain read leaves it free
        with transaction.atomic():
            assert rows.select_one(CalendarOverride, pk=day.pk) == day
            assert other_can_lock()
        # and a locking read holds it until its transaction ends
        with transaction.atomic():
            assert rows.select_one(CalendarOverride, pk=day.pk, lock=True) == day
            assert not other_can_lock()
        assert other_can_lock()


def test_sql_once_builds_the_text_once_for_the_kind_of_database(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []

    @rows.sql_once
    def text(conn: Any) -> str:
        built.append(conn.vendor)
        return f"SELECT {conn.ops.quote_name('day')} FROM {conn.ops.quote_name('calendar')}"

    first = text()
    second = text()

    assert first == 'SELECT "day" FROM "calendar"'
    assert second is first
    assert built == [connection.vendor]

    # a database of another kind gets a text of its own, and the first kind's is kept
    monkeypatch.setattr(connections["default"], "vendor", "other")
    other = text()
    monkeypatch.undo()
    assert built == [connection.vendor, "other"]
    assert text() is first
    assert other is not first


def _three_days() -> str:
    for day, working in ((1, True), (2, False), (3, True)):
        CalendarOverride.objects.create(day=dt.date(2026, 12, day), is_working_day=working, note=f"第{day}天")
    return connection.ops.quote_name(CalendarOverride._meta.db_table)


def test_fetch_planned_each_time_answers_what_a_plain_cursor_answers() -> None:
    table = _three_days()
    sql = f"SELECT day, note FROM {table} WHERE day >= %s AND note <> %s ORDER BY day"
    params = [dt.date(2026, 12, 2), "第3天"]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        plain = cursor.fetchall()

    assert rows.fetch_planned_each_time(sql, params) == plain
    assert len(plain) == 1
    assert rows.fetch_planned_each_time(sql, [dt.date(2027, 1, 1), ""]) == []


def _prepared_like(fragment: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [f"%{fragment}%"])
        return int(cursor.fetchone()[0])


def test_fetch_planned_each_time_never_prepares_its_query_on_postgresql() -> None:
    """The general form of zhifa/events/tests/test_dedup.py::test_the_dedup_query_is_planned_for_its_values_every_time
    (the dedup query itself): any query, beside a plain one that is prepared, and the connection's
    threshold put back even when the query fails."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    table = _three_days()
    planned = f"SELECT day FROM {table} WHERE day >= %s /* planned */"
    plain = f"SELECT day FROM {table} WHERE day >= %s /* plain */"
    threshold = connection.connection.prepare_threshold
    assert threshold is not None

    # when each query runs more often than the connection's threshold for preparing
    for _ in range(threshold + 2):
        assert len(rows.fetch_planned_each_time(planned, [dt.date(2026, 12, 2)])) == 2
        with connection.cursor() as cursor:
            cursor.execute(plain, [dt.date(2026, 12, 2)])

    # then only the plain one was prepared, and the threshold is as it was
    assert (_prepared_like("/* planned */"), _prepared_like("/* plain */")) == (0, 1)
    assert connection.connection.prepare_threshold == threshold

    # and a failing query puts the threshold back too
    with pytest.raises(DataError), transaction.atomic():
        rows.fetch_planned_each_time(f"SELECT 1 / (id - id) FROM {table}", [])
    assert connection.connection.prepare_threshold == threshold
