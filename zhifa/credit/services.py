"""Every write of the credit app (issue 13 parts 1, 3, 4): entries from records and from source documents, the
scoring model's versions, grades. Bad input is refused with a Chinese message and a code, writing nothing.

How a decision reaches the file: ``credit_refresh`` finds every final penalty decision of the general procedure
that has no entry yet, writes one, and recomputes the grades of the holders it touched. The cases app cannot call
it (credit sits above cases), so ``manage.py credit_refresh`` runs it — every few minutes under ``make run`` and
once more at night with ``--all``, which recomputes every holder so that decay and expiry show the next day.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from zhifa.cases.models import Case, CaseStatus, Conclusion, PenaltyKind, Procedure
from zhifa.core.actors import Actor, SystemActor, actor_user
from zhifa.core.audit import audit_record, snapshot
from zhifa.core.errors import NotFound, PermissionDenied, ValidationFailed
from zhifa.credit import scoring
from zhifa.credit.measures import grade_entry_measures
from zhifa.credit.models import (
    KIND_CATEGORY,
    CreditEntry,
    CreditGrade,
    CreditModelVersion,
    EntryKind,
    SourceType,
)
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.subjects.models import Subject

REFRESH_ACTOR = SystemActor("信用档案更新")
NEGATIVE_YEARS = 5  # ZJC 16
POSITIVE_YEARS = 3
# A decision takes effect when served (APL 61); from then on the case is in one of these states.
FINAL_STATES = (CaseStatus.SERVED, CaseStatus.PAID, CaseStatus.ENFORCEMENT, CaseStatus.CLOSED)
SEVERE_PENALTIES = {PenaltyKind.REVOCATION, PenaltyKind.CLOSURE}
TEXT_LIMIT = 300


def years_after(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def holder_key_of(subject: Subject) -> str:
    """The file's key: the unified social credit code, else the ID number; none (no file) without either."""
    return subject.uscc or subject.id_number


# --- the scoring model ---------------------------------------------------------------------------------------------


def _can_edit_model(actor: Actor) -> bool:
    return jurisdiction_of(actor).can_edit_catalogue


def credit_model_version_create(*, actor: Actor, params: dict[str, Any], note: str = "") -> CreditModelVersion:
    """A new version of the district's scoring model (the old ones stay, as the grades computed with them name
    them). The administrator and the command centre only."""
    j = jurisdiction_of(actor)
    if not _can_edit_model(actor):
        raise PermissionDenied("仅管理员和指挥中心可以修改信用评分模型", code="credit_model_forbidden")
    model = scoring.parse_model(params)
    if len(note.strip()) > TEXT_LIMIT:
        raise ValidationFailed("说明不超过 300 字", code="credit_model_note_too_long")
    return _model_version_write(district_id=j.district_id, model=model, note=note.strip(), actor=actor)


def _model_version_write(*, district_id: int, model: scoring.Model, note: str, actor: Actor) -> CreditModelVersion:
    with transaction.atomic():
        latest = CreditModelVersion.objects.filter(district_id=district_id).aggregate(n=Max("number"))["n"] or 0
        version = CreditModelVersion.objects.create(
            district_id=district_id,
            number=latest + 1,
            base_score=model.base_score,
            weights=model.weights,
            half_life_days=model.half_life_days,
            thresholds=model.thresholds,
            veto_kinds=list(model.veto_kinds),
            note=note,
            created_by=actor_user(actor),
        )
        audit_record(actor=actor, action="credit.model_version_create", obj=version, after=snapshot(version))
    return version


def credit_model_current(*, district_id: int) -> CreditModelVersion:
    """The district's newest model version; version 1 is written from the defaults (or
    ``settings.ZHIFA_CREDIT_MODEL``) the first time a grade is needed."""
    version = CreditModelVersion.objects.filter(district_id=district_id).order_by("-number").first()
    if version is not None:
        return version
    model = scoring.parse_model(getattr(settings, "ZHIFA_CREDIT_MODEL", scoring.DEFAULT_MODEL))
    try:
        return _model_version_write(district_id=district_id, model=model, note="默认模型", actor=REFRESH_ACTOR)
    except IntegrityError:
        # Another process wrote version 1 at the same moment: the unique constraint decided, use theirs.
        return CreditModelVersion.objects.get(district_id=district_id, number=1)


def _as_model(version: CreditModelVersion) -> scoring.Model:
    return scoring.Model(
        base_score=version.base_score,
        # A version stored before a kind existed (commitment_broken came with part 2) weighs it at the default.
        weights={**scoring.DEFAULT_MODEL["weights"], **{k: float(v) for k, v in version.weights.items()}},
        half_life_days=version.half_life_days,
        thresholds={k: float(v) for k, v in version.thresholds.items()},
        veto_kinds=tuple(version.veto_kinds),
    )


# --- grades ------------------------------------------------------------------------------------------------------


def _explanation(result: scoring.Result) -> list[dict[str, Any]]:
    return [
        {
            "entry_id": line.entry_id,
            "kind": line.kind,
            "title": line.title,
            "occurred_on": line.occurred_on.isoformat(),
            "weight": line.weight,
            "factor": line.factor,
            "points": line.points,
        }
        for line in result.lines
    ]


def credit_grades_recompute(
    *, district_id: int, holder_keys: Iterable[str] | None = None, on: dt.date | None = None
) -> int:
    """Recompute the grades of ``holder_keys`` (all holders of the district: every subject with a USCC or ID
    number and every holder with an entry) on day ``on``, with the current model version. A holder whose score,
    grade, version and entries are unchanged keeps its row; any other gets a new current row, the old one kept as
    history. Returns how many grades changed. One audit entry per run (the rows are the record of each grade)."""
    on = on or timezone.localdate()
    now = timezone.now()
    version = credit_model_current(district_id=district_id)
    model = _as_model(version)
    if holder_keys is None:
        keys = set(
            Subject.objects.filter(district_id=district_id).exclude(uscc="").values_list("uscc", flat=True)
        ) | set(
            Subject.objects.filter(district_id=district_id, uscc="")
            .exclude(id_number="")
            .values_list("id_number", flat=True)
        )
        keys |= set(CreditEntry.objects.filter(district_id=district_id).values_list("holder_key", flat=True))
    else:
        keys = {k for k in holder_keys if k}
    if not keys:
        return 0
    changed = 0
    ordered = sorted(keys)
    for start in range(0, len(ordered), 2000):
        batch = ordered[start : start + 2000]
        try:
            changed += _recompute_batch(district_id, batch, version, model, on, now)
        except IntegrityError:
            # Another process gave a holder without a grade its first current row at the same moment (the partial
            # unique constraint refused ours): read again, now that theirs is there, and compare with it.
            changed += _recompute_batch(district_id, batch, version, model, on, now)
    audit_record(
        actor=REFRESH_ACTOR,
        action="credit.grades_recompute",
        object_type="credit.creditgrade",
        object_id="*",
        district_id=district_id,
        after={"on": on.isoformat(), "model_version": version.number, "holders": len(keys), "changed": changed},
    )
    return changed


def _recompute_batch(
    district_id: int,
    keys: list[str],
    version: CreditModelVersion,
    model: scoring.Model,
    on: dt.date,
    now: dt.datetime,
) -> int:
    facts: dict[str, list[scoring.EntryFacts]] = defaultdict(list)
    # The batch's keys are sorted: their range is an index condition whatever the planner's estimates (on
    # PostgreSQL, a table just loaded has none, and a prepared statement's generic plan then tested the 2,000
    # bound keys one by one against every current grade of the district: 3.9 s a batch at 100,000 subjects).
    in_batch = Q(holder_key__in=keys, holder_key__gte=min(keys), holder_key__lte=max(keys))
    shown = CreditEntry.objects.filter(
        in_batch, district_id=district_id, occurred_on__lte=on, expires_on__gt=on
    ).values_list("holder_key", "pk", "kind", "title", "occurred_on")
    for key, pk, kind, title, occurred_on in shown:
        facts[key].append(scoring.EntryFacts(pk, kind, title, occurred_on))
    with transaction.atomic():
        # Lock the current rows: two recomputations at once must not both replace the same one.
        # Read as tuples, not models: building 100,000 model instances was a third of an unchanged night's run.
        current = {
            key: (pk, version_id, grade, score, [e["entry_id"] for e in explanation])
            for pk, key, version_id, grade, score, explanation in CreditGrade.objects.select_for_update()
            .filter(in_batch, district_id=district_id, is_current=True)
            .values_list("pk", "holder_key", "model_version_id", "grade", "score", "explanation")
        }
        new_rows: list[tuple[str, scoring.Result, list[dict[str, Any]]]] = []
        stale: list[int] = []
        entered: list[tuple[str, str, str]] = []
        for key in keys:
            result = scoring.score(model, facts.get(key, ()), on=on)
            explanation = _explanation(result)
            old = current.get(key)
            if old is not None and old[1:] == (
                version.pk,
                result.grade,
                result.score,
                [e["entry_id"] for e in explanation],
            ):
                continue
            if old is not None:
                stale.append(old[0])
            if old is None or old[2] != result.grade:
                entered.append((key, old[2] if old is not None else "", result.grade))
            new_rows.append((key, result, explanation))
        CreditGrade.objects.filter(pk__in=stale).update(is_current=False)
        _grades_insert(district_id=district_id, version=version, on=on, now=now, rows=new_rows)
        # 联合奖惩 (part 4): entering A or D applies its measures (fast track; the key-supervision list), recorded.
        grade_entry_measures(district_id=district_id, entered=entered)
    return len(new_rows)


_GRADE_COLUMNS = (
    "district_id",
    "holder_key",
    "model_version_id",
    "score",
    "grade",
    "explanation",
    "vetoed_by",
    "computed_on",
    "computed_at",
    "is_current",
)


def _grades_insert(
    *,
    district_id: int,
    version: CreditModelVersion,
    on: dt.date,
    now: dt.datetime,
    rows: list[tuple[str, scoring.Result, list[dict[str, Any]]]],
) -> None:
    """Insert the new current grades. ``bulk_create`` spent most of a 100,000-subject first run preparing each
    field of each row (profiled: ~60% of the run, bench/credit_grades.py); this is the same INSERT through the
    cursor, every value adapted by the backend's own operations (dates, aware datetimes, JSON), so one statement
    serves SQLite and PostgreSQL. The table has no other writer that needs the model's save()."""
    if not rows:
        return
    ops = connection.ops
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        ops.quote_name(CreditGrade._meta.db_table),
        ", ".join(ops.quote_name(c) for c in _GRADE_COLUMNS),
        ", ".join(["%s"] * len(_GRADE_COLUMNS)),
    )
    computed_on = ops.adapt_datefield_value(on)
    computed_at = ops.adapt_datetimefield_value(now)
    params = [
        (
            district_id,
            key,
            version.pk,
            result.score,
            result.grade,
            ops.adapt_json_value(explanation, None),
            ops.adapt_json_value(list(result.vetoed_by), None),
            computed_on,
            computed_at,
            True,
        )
        for key, result, explanation in rows
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(params), 1000):
            cursor.executemany(sql, params[start : start + 1000])


# --- entries -----------------------------------------------------------------------------------------------------


def _penalty_entry(case: Case, key: str) -> CreditEntry:
    kinds = list(case.decided_penalty or [])
    severe = bool(SEVERE_PENALTIES & set(kinds))
    labels = "、".join(PenaltyKind(k).label for k in kinds if k in PenaltyKind.values) or "行政处罚"
    fine = f"，罚款{case.decided_fine}元" if case.decided_fine else ""
    matter = case.matter
    basis = f"{matter.law_name}" if matter is not None else "《中华人民共和国行政处罚法》"
    kind = EntryKind.PENALTY_SEVERE if severe else EntryKind.PENALTY
    assert case.decided_on is not None
    return CreditEntry(
        district_id=case.district_id,
        holder_key=key,
        holder_name=case.party_name[:200],
        kind=kind,
        category=KIND_CATEGORY[kind],
        title=f"{matter.name if matter is not None else '行政处罚'}：{labels}{fine}"[:300],
        occurred_on=case.decided_on,
        expires_on=years_after(case.decided_on, NEGATIVE_YEARS),
        legal_basis=basis[:300],
        source_type=SourceType.CASE,
        source_id=case.pk,
        source_reference=case.decision_number[:100],
        source_authority=case.district.agency_name[:100],
    )


def final_general_penalties() -> Any:
    """Final penalty decisions of the general procedure (ZJC: simple-procedure penalties are not negative
    information): concluded with a penalty, decided, and served or past it."""
    return Case.objects.filter(
        procedure=Procedure.GENERAL,
        conclusion=Conclusion.PENALTY,
        status__in=FINAL_STATES,
        decided_on__isnull=False,
    )


def credit_refresh(*, on: dt.date | None = None) -> tuple[int, int]:
    """Write an entry for every final general-procedure penalty decision that has none, then recompute the
    grades of the holders they belong to. Idempotent: run twice, the second run writes nothing (the unique
    constraint on the source record is the backstop when two run at once). Returns (entries, grades changed)."""
    on = on or timezone.localdate()
    done = CreditEntry.objects.filter(source_type=SourceType.CASE, source_id__isnull=False).values("source_id")
    cases = (
        final_general_penalties().exclude(pk__in=done).select_related("district", "matter", "subject").order_by("pk")
    )
    touched: dict[int, set[str]] = defaultdict(set)
    written = 0
    for case in cases:
        key = case.party_id_number or (holder_key_of(case.subject) if case.subject is not None else "")
        if not key:
            continue  # a party without an identifier has no file (ZJC 9: keyed by the code)
        entry = _penalty_entry(case, key)
        try:
            with transaction.atomic():
                entry.save()
                audit_record(actor=REFRESH_ACTOR, action="credit.entry_create", obj=entry, after=snapshot(entry))
        except IntegrityError:
            continue  # another refresh wrote it first
        written += 1
        touched[case.district_id].add(key)
    changed = sum(
        credit_grades_recompute(district_id=district_id, holder_keys=keys, on=on)
        for district_id, keys in touched.items()
    )
    return written, changed


def credit_entry_add(
    *,
    actor: Actor,
    subject_id: int,
    kind: str,
    title: str,
    occurred_on: dt.date | None,
    source_reference: str,
    source_authority: str,
    legal_basis: str = "",
) -> CreditEntry:
    """An entry a user adds from a source document (this slice: a commendation, 守信信息). The document's number
    and the authority that issued it are required — the file is built from records, never typed free-hand."""
    j = jurisdiction_of(actor)
    if not j.can_edit_master_data or not j.is_district_wide:
        raise PermissionDenied("仅区级管理员和指挥中心可以录入信用信息", code="credit_entry_forbidden")
    subject = Subject.objects.filter(pk=subject_id, district_id=j.district_id).first()
    if subject is None:
        raise NotFound("执法对象不存在", code="subject_not_found")
    key = holder_key_of(subject)
    if not key:
        raise ValidationFailed(
            "该执法对象没有统一社会信用代码或身份证号，不能建立信用档案", code="credit_holder_key_missing"
        )
    if kind != EntryKind.COMMENDATION:
        raise ValidationFailed(
            "手工录入仅限守信信息（表彰奖励）；失信信息由处罚决定生成",
            code="credit_entry_kind_invalid",
            details={"kind": kind},
        )
    title, reference, authority = title.strip(), source_reference.strip(), source_authority.strip()
    if not title:
        raise ValidationFailed("请填写信息内容", code="credit_entry_title_required")
    if not reference or not authority:
        raise ValidationFailed(
            "请填写来源文件的文号和作出机关：信用信息须有来源文件", code="credit_source_document_required"
        )
    if max(len(title), len(legal_basis)) > TEXT_LIMIT or max(len(reference), len(authority)) > 100:
        raise ValidationFailed("内容或依据不超过 300 字，文号和机关不超过 100 字", code="credit_entry_too_long")
    today = timezone.localdate()
    if occurred_on is None or occurred_on > today:
        raise ValidationFailed("来源文件日期须为今天或以前的日期", code="credit_entry_date_invalid")
    with transaction.atomic():
        entry = CreditEntry.objects.create(
            district_id=j.district_id,
            holder_key=key,
            holder_name=subject.name,
            kind=kind,
            category=KIND_CATEGORY[EntryKind(kind)],
            title=title,
            occurred_on=occurred_on,
            expires_on=years_after(occurred_on, POSITIVE_YEARS),
            legal_basis=legal_basis.strip() or "《浙江省公共信用信息管理条例》",
            source_type=SourceType.DOCUMENT,
            source_reference=reference,
            source_authority=authority,
            created_by=actor_user(actor),
        )
        audit_record(actor=actor, action="credit.entry_create", obj=entry, after=snapshot(entry))
        credit_grades_recompute(district_id=j.district_id, holder_keys=[key], on=today)
    return entry
