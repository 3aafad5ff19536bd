"""Row writes and reads with SQL prepared once per model: for the few statements on the intake's hot path.

The ORM builds each statement's SQL anew on every call; on the event intake that building was most of the
request's time (ADR 0004, ADR 0005). Here the statement text is built once per (database, model, shape)
from the model's ``_meta`` and kept; the values still go through each field's own conversion
(``get_db_prep_save`` / ``from_db``), so dates, JSON and foreign keys are stored exactly as ``save()``
stores them. Signals are not sent — the project has no model signal receivers (DESIGN.md: services say
what happens, not hooks).

Use it only where a statement runs on every request of a measured path; everywhere else the ORM is the
readable choice.
"""

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection as default_connection
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.fields import AutoFieldMixin

_plans: dict[tuple[Any, ...], tuple[str, list[models.Field[Any, Any]]]] = {}


def _insert_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if not isinstance(f, AutoFieldMixin)]


def _insert_plan(
    model: type[models.Model], rows: int, conn: BaseDatabaseWrapper
) -> tuple[str, list[models.Field[Any, Any]]]:
    key = ("insert", conn.alias, conn.vendor, model, rows)
    plan = _plans.get(key)
    if plan is None:
        qn = conn.ops.quote_name
        fields = _insert_fields(model)
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        pk = model._meta.pk
        assert pk is not None
        returning = f" RETURNING {qn(pk.column)}" if isinstance(pk, AutoFieldMixin) else ""
        sql = (
            f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(_column(f)) for f in fields)}) "
            f"VALUES {', '.join([row] * rows)}{returning}"
        )
        plan = (sql, fields)
        _plans[key] = plan
    return plan


def insert_statement(objs: Sequence[models.Model], *, conn: BaseDatabaseWrapper | None = None) -> tuple[str, list[Any]]:
    """The prepared INSERT of ``objs`` (all of one model, ``RETURNING`` the keys) and its values."""
    conn = conn or default_connection
    model = type(objs[0])
    sql, fields = _insert_plan(model, len(objs), conn)
    params: list[Any] = []
    for obj in objs:
        if type(obj) is not model:
            raise TypeError("insert_rows: all rows must be of one model")
        # As save() and bulk_create() do: a related object saved after it was assigned gives its key now, and
        # one never saved is refused — a nullable foreign key would otherwise be stored NULL without a word.
        obj._prepare_related_fields_for_save(operation_name="insert_rows")  # type: ignore[attr-defined]
        params.extend(f.get_db_prep_save(f.pre_save(obj, True), conn) for f in fields)
    return sql, params


def mark_stored(obj: models.Model, *, pk: Any = None, conn: BaseDatabaseWrapper | None = None) -> None:
    """After a hand-written INSERT: the instance's key, and its state as a stored row."""
    conn = conn or default_connection
    if pk is not None:
        meta_pk = obj._meta.pk
        assert meta_pk is not None
        setattr(obj, meta_pk.attname, meta_pk.to_python(pk))
    obj._state.adding = False
    obj._state.db = conn.alias


def insert_rows(objs: Sequence[models.Model], *, conn: BaseDatabaseWrapper | None = None) -> None:
    """INSERT ``objs`` (all of one model, not yet saved) in one statement; sets each one's primary key.

    ``auto_now``/``auto_now_add`` and defaults apply as in ``save()`` (``pre_save`` of each field)."""
    if not objs:
        return
    conn = conn or default_connection
    sql, params = insert_statement(objs, conn=conn)
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        ids = cursor.fetchall() if " RETURNING " in sql else []
    # RETURNING lists the rows in the order of VALUES on SQLite and PostgreSQL (bulk_create relies on it too).
    for obj, row in zip(objs, ids, strict=False):
        mark_stored(obj, pk=row[0], conn=conn)
    for obj in objs:
        mark_stored(obj, conn=conn)


def insert_row(obj: models.Model, *, conn: BaseDatabaseWrapper | None = None) -> models.Model:
    insert_rows([obj], conn=conn)
    return obj


def _column(field: Any) -> str:
    column = field.column
    if column is None:
        raise TypeError(f"{field} has no column")
    return str(column)


def sql_once(build: Callable[[BaseDatabaseWrapper], str]) -> Callable[[], str]:
    """Decorator for a hand-written statement: ``build(connection)`` runs once per kind of database and its
    text is kept (table and column names come from ``_meta``, quoted by the backend)."""
    texts: dict[str, str] = {}

    def text() -> str:
        vendor = default_connection.vendor
        found = texts.get(vendor)
        if found is None:
            found = texts[vendor] = build(default_connection)
        return found

    return text


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.concrete:
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return field


def _select_plan(
    model: type[models.Model], where: tuple[str, ...], suffix: str, conn: BaseDatabaseWrapper
) -> tuple[str, list[models.Field[Any, Any]]]:
    key = ("select", conn.alias, conn.vendor, model, where, suffix)
    plan = _plans.get(key)
    if plan is None:
        qn = conn.ops.quote_name
        fields = list(model._meta.concrete_fields)
        table = qn(model._meta.db_table)
        conditions = " AND ".join(f"{qn(_column(_field(model, name)))} = %s" for name in where)
        sql = f"SELECT {', '.join(qn(_column(f)) for f in fields)} FROM {table} WHERE {conditions}{suffix}"
        plan = (sql, fields)
        _plans[key] = plan
    return plan


def columns(model: type[models.Model], *, alias: str, conn: BaseDatabaseWrapper | None = None) -> str:
    """``alias.col1, alias.col2, …`` of every concrete field, in ``_meta`` order (for a hand-written join)."""
    conn = conn or default_connection
    qn = conn.ops.quote_name
    return ", ".join(f"{alias}.{qn(_column(f))}" for f in model._meta.concrete_fields)


_converters: dict[tuple[Any, ...], list[tuple[Any, list[Any]]]] = {}


def from_row[M: models.Model](model: type[M], values: Sequence[Any], *, conn: BaseDatabaseWrapper | None = None) -> M:
    """An instance from the values of every concrete field in ``_meta`` order, converted as the ORM does."""
    conn = conn or default_connection
    key = (conn.alias, conn.vendor, model)
    plan = _converters.get(key)
    if plan is None:
        plan = []
        for field in model._meta.concrete_fields:
            col = field.cached_col
            plan.append((col, conn.ops.get_db_converters(col) + col.get_db_converters(conn)))
        _converters[key] = plan
    converted = []
    for (col, converters), value in zip(plan, values, strict=True):
        for converter in converters:
            value = converter(value, col, conn)
        converted.append(value)
    return model.from_db(conn.alias, [f.attname for f in model._meta.concrete_fields], converted)


def select_one[M: models.Model](
    model: type[M], *, conn: BaseDatabaseWrapper | None = None, lock: bool = False, **where: Any
) -> M | None:
    """The one row matching ``field = value`` for each keyword (``LIMIT 1``), or None; ``lock``: FOR UPDATE."""
    conn = conn or default_connection
    names = tuple(where)
    suffix = " LIMIT 1"
    if lock and conn.features.has_select_for_update:
        suffix += " FOR UPDATE"
    sql, _ = _select_plan(model, names, suffix, conn)
    values = []
    for name in names:
        values.append(_field(model, name).get_db_prep_value(where[name], conn))
    with conn.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    return None if row is None else from_row(model, row, conn=conn)


def fetch_planned_each_time(
    sql: str, params: Sequence[Any], *, conn: BaseDatabaseWrapper | None = None
) -> list[tuple[Any, ...]]:
    """All rows of a read whose best plan depends on its values and on how big the table is now.

    On PostgreSQL it is never run as a prepared statement: the server would keep the plan it chose at the
    sixth run, while the table was still small, until the next ANALYZE — and where autovacuum is off
    (this project's CI machines) that never comes. The dedup query's cached plan took a one-column index
    and filtered every event of the matter, and intake slowed as the day's events grew (ADR 0007).
    """
    conn = conn or default_connection
    with conn.cursor() as cursor:
        raw = conn.connection if conn.vendor == "postgresql" else None
        if raw is None:
            cursor.execute(sql, params)
            return cursor.fetchall()
        saved = raw.prepare_threshold
        raw.prepare_threshold = None  # psycopg: neither prepare it nor use a prepared copy
        try:
            cursor.execute(sql, params)
        finally:
            raw.prepare_threshold = saved
        return cursor.fetchall()
