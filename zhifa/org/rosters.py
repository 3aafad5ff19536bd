"""Writes to the duty roster (排班): patterns, generating a period from a pattern, hand edits, leave and swap
requests with their approval, and the no-cover check's record. Each call is one transaction with its audit
entry; permission and validation come first, so a refused call writes nothing.

Who edits: the command centre and the administrator any roster of the district; a street dispatcher only their
street's (officers not sunk to a street are rostered by the district). Who asks for leave or a swap: the
officer, or their street dispatcher for them; who decides: the street's dispatcher, or the district's.

Generating (``roster_generate``) a period for a pattern, officer by officer and day by day (a shift belongs to
the day it starts on):

- a day that holds a hand edit — a shift added, moved or swapped by hand, a shift removed by hand or by
  approved leave, a shift a swap request names — or that an approved leave covers is left exactly as it is
  (reported as kept);
- a shift that has started is never changed, and no shift is written that has already ended: the roster's
  past is its history;
- otherwise the day's generated shifts are replaced by the pattern's (an unchanged one is left in place);
  a planned shift that would overlap a kept one is not written (reported as a conflict).

So regenerating a month after a pattern change rewrites only what the machine wrote, and says how many days
it kept for hand edits. Holidays (``zhifa.core.calendar``): on a rest day — weekend or statutory holiday —
only the pattern's ``rest_day_codes`` run; a 调休 Saturday is a working day and runs the full pattern. A year
the holiday data does not know yet is planned with Monday–Friday working days and the report says so.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhifa.core.actors import Actor, SystemActor, actor_user, is_system
from zhifa.core.audit import audit_record, snapshot
from zhifa.core.calendar import is_working_day, provisional_for_unknown_years
from zhifa.core.errors import PermissionDenied, ValidationFailed
from zhifa.core.workflow import TransitionTable, workflow_apply, workflow_check
from zhifa.org.jurisdiction import Jurisdiction, jurisdiction_of, require
from zhifa.org.models import (
    REST_CODE,
    Department,
    DutyShift,
    DutyShiftSource,
    Officer,
    RosterGap,
    RosterRequest,
    RosterRequestChange,
    RosterRequestKind,
    ShiftDefinition,
    ShiftPattern,
    Street,
)
from zhifa.org.roles import Role
from zhifa.org.roster_selectors import (
    CoverGap,
    approved_leave_days,
    local_day_start,
    pattern_code_on,
    pattern_officers,
    pattern_runs,
    shift_window,
    zones_without_cover,
)
from zhifa.org.roster_states import LEAVE_WORKFLOW, SWAP_WORKFLOW, RosterRequestAction

DISTRICT_ROSTER_EDITORS = {Role.ADMIN, Role.DISPATCHER}
MAX_SHIFT = dt.timedelta(hours=24)
MAX_GENERATE_DAYS = 62  # two months at a time: a month grid, or this month and the next
ROSTER_WATCH = SystemActor("排班巡检")


# --- permissions -----------------------------------------------------------------------------------------


def _require_roster_editor(actor: Actor, *, district_id: int, street_id: int | None) -> Jurisdiction | None:
    """The command centre and the administrator edit any roster of their district; a street dispatcher only
    their own street's. Officers not sunk to a street (``street_id`` None) are rostered by the district. A
    system process (the demo's load, the roster worker) runs with the server's own rights (``zhifa.core.actors``)."""
    if is_system(actor):
        return None
    j = jurisdiction_of(actor)
    if district_id != j.district_id:
        raise PermissionDenied("不在本区", code="roster_outside_district")
    if j.role in DISTRICT_ROSTER_EDITORS:
        return j
    require(j.role == Role.STREET_DISPATCHER, "您的岗位无权编排排班", code="roster_edit_forbidden")
    if street_id is None or street_id != j.street_id:
        raise PermissionDenied("该执法人员不属于您的街道，不能编排其排班", code="officer_outside_street")
    return j


def _may_decide(j: Jurisdiction, request: RosterRequest) -> bool:
    if j.district_id != request.district_id:
        return False
    if j.role in DISTRICT_ROSTER_EDITORS:
        return True
    return j.role == Role.STREET_DISPATCHER and request.street_id is not None and request.street_id == j.street_id


# --- patterns --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShiftSpec:
    code: str
    name: str
    start_time: dt.time
    duration_minutes: int


def shift_pattern_create(
    *,
    actor: Actor,
    name: str,
    shifts: Sequence[ShiftSpec],
    cycle: Sequence[str],
    group_count: int,
    anchor_on: dt.date,
    street: Street | None = None,
    department: Department | None = None,
    rest_day_codes: Sequence[str] | None = None,
) -> ShiftPattern:
    """A street's (or a department's) named shifts and rotation; ``rest_day_codes`` None: every shift runs on
    rest days too (round the clock)."""
    if (street is None) == (department is None):
        raise ValidationFailed("排班模式须属于一个街道或一个部门", code="pattern_scope_invalid")
    district_id = street.district_id if street is not None else department.district_id  # type: ignore[union-attr]
    _require_roster_editor(actor, district_id=district_id, street_id=street.pk if street else None)
    name = name.strip()
    if not name:
        raise ValidationFailed("请填写排班模式名称", code="name_required")
    codes = [s.code.strip() for s in shifts]
    if not codes or any(not c or c == REST_CODE for c in codes) or len(set(codes)) != len(codes):
        raise ValidationFailed(
            f"班次代码须填写、互不相同，且不能为“{REST_CODE}”", code="shift_codes_invalid", details={"codes": codes}
        )
    for spec in shifts:
        if not 1 <= spec.duration_minutes <= 24 * 60:
            raise ValidationFailed(
                "班次时长须在1分钟到24小时之间", code="shift_duration_invalid", details={"code": spec.code}
            )
    unknown = sorted({c for c in cycle if c != REST_CODE and c not in codes})
    if not cycle or unknown:
        raise ValidationFailed(
            "轮换周期须由已定义的班次代码或“休”组成", code="cycle_invalid", details={"unknown": unknown}
        )
    if not 1 <= group_count <= len(cycle):
        raise ValidationFailed("轮换组数须在1和周期天数之间", code="group_count_invalid")
    holiday = list(codes) if rest_day_codes is None else list(rest_day_codes)
    if set(holiday) - set(codes):
        raise ValidationFailed("休息日班次须为已定义的班次代码", code="rest_day_codes_invalid")
    try:
        with transaction.atomic():
            pattern = ShiftPattern.objects.create(
                district_id=district_id,
                street=street,
                department=department,
                name=name,
                cycle=list(cycle),
                group_count=group_count,
                anchor_on=anchor_on,
                rest_day_codes=holiday,
            )
            ShiftDefinition.objects.bulk_create(
                ShiftDefinition(
                    pattern=pattern,
                    code=s.code.strip(),
                    name=s.name.strip() or s.code.strip(),
                    start_time=s.start_time,
                    duration_minutes=s.duration_minutes,
                )
                for s in shifts
            )
            audit_record(
                actor=actor,
                action="roster.pattern_create",
                obj=pattern,
                after={**snapshot(pattern), "shifts": [asdict(s) for s in shifts]},
            )
    except IntegrityError:
        raise ValidationFailed("已有同名排班模式", code="pattern_name_taken") from None
    return pattern


def shift_pattern_set_active(*, actor: Actor, pattern: ShiftPattern, is_active: bool) -> ShiftPattern:
    """启用 / 停用: a stopped pattern is neither generated by hand nor extended by the worker, and its streets are
    not checked for cover by it; the shifts it wrote stay."""
    _require_roster_editor(actor, district_id=pattern.district_id, street_id=pattern.street_id)
    with transaction.atomic():
        locked = ShiftPattern.objects.select_for_update().get(pk=pattern.pk)
        if locked.is_active != is_active:
            locked.is_active = is_active
            locked.save(update_fields=["is_active", "updated_at"])
            audit_record(
                actor=actor,
                action="roster.pattern_activate" if is_active else "roster.pattern_deactivate",
                obj=locked,
                before={"is_active": not is_active},
                after={"is_active": is_active},
            )
    return locked


# --- generating ------------------------------------------------------------------------------------------


@dataclass
class GenerationReport:
    created: int = 0
    replaced: int = 0
    unchanged: int = 0
    kept_days: int = 0  # days left as they were for a hand edit
    leave_days: int = 0
    conflicts: int = 0
    provisional_years: tuple[int, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.created or self.replaced)

    def summary(self) -> str:
        text = (
            f"新增{self.created}个班次，替换{self.replaced}个，未变{self.unchanged}个；"
            f"保留手工调整{self.kept_days}人日，请假{self.leave_days}人日，冲突未排{self.conflicts}个"
        )
        if self.provisional_years:
            years = "、".join(str(y) for y in self.provisional_years)
            text += f"；{years}年节假日安排尚未收录，暂按周一至周五工作日排班"
        return text


def roster_generate(
    *, actor: Actor, pattern: ShiftPattern, first_day: dt.date, last_day: dt.date, now: dt.datetime | None = None
) -> GenerationReport:
    """Write the pattern's shifts for its officers from ``first_day`` to ``last_day`` (module docstring: what is
    kept, what is replaced)."""
    _require_roster_editor(actor, district_id=pattern.district_id, street_id=pattern.street_id)
    if last_day < first_day:
        raise ValidationFailed("结束日期不能早于开始日期", code="period_invalid")
    if (last_day - first_day).days >= MAX_GENERATE_DAYS:
        raise ValidationFailed(f"一次最多生成{MAX_GENERATE_DAYS}天", code="period_too_long")
    if not pattern.is_active:
        raise ValidationFailed("排班模式已停用", code="pattern_inactive")
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the officers: a hand edit committing between our read and our write could be overwritten.
        officers = list(pattern_officers(pattern).select_for_update())
        report = _generate(pattern=pattern, officers=officers, first_day=first_day, last_day=last_day, now=now)
        if report.changed or not isinstance(actor, SystemActor):
            audit_record(
                actor=actor,
                action="roster.generate",
                obj=pattern,
                after={"first_day": first_day, "last_day": last_day, **asdict(report)},
            )
    return report


def roster_generate_month(
    *, actor: Actor, pattern: ShiftPattern, month: dt.date, now: dt.datetime | None = None
) -> GenerationReport:
    first = month.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return roster_generate(actor=actor, pattern=pattern, first_day=first, last_day=last, now=now)


def _generate(
    *, pattern: ShiftPattern, officers: list[Officer], first_day: dt.date, last_day: dt.date, now: dt.datetime
) -> GenerationReport:
    report = GenerationReport()
    definitions = {d.code: d for d in pattern.shifts.all()}
    ids = [o.pk for o in officers]
    # The officers' shifts from the day before (a night shift crossing into the period) to the day after.
    rows = list(
        DutyShift.objects.filter(
            officer_id__in=ids,
            starts_at__gte=local_day_start(first_day - dt.timedelta(days=1)),
            starts_at__lt=local_day_start(last_day + dt.timedelta(days=2)),
        )
    )
    by_day: dict[tuple[int, dt.date], list[DutyShift]] = defaultdict(list)
    live: dict[int, list[DutyShift]] = defaultdict(list)
    for row in rows:
        by_day[(row.officer_id, timezone.localtime(row.starts_at).date())].append(row)
        if row.removed_at is None:
            live[row.officer_id].append(row)
    on_leave = approved_leave_days(ids, first_day, last_day)
    # A shift a swap request names (pending or decided) is the request's record: its day counts as edited.
    row_ids = [r.pk for r in rows]
    requested = set(RosterRequest.objects.filter(shift_id__in=row_ids).values_list("shift_id", flat=True)) | set(
        RosterRequest.objects.filter(other_shift_id__in=row_ids).values_list("other_shift_id", flat=True)
    )
    with provisional_for_unknown_years() as provisional:
        rest_days = {
            first_day + dt.timedelta(days=n): not is_working_day(first_day + dt.timedelta(days=n))
            for n in range((last_day - first_day).days + 1)
        }
    to_delete: list[int] = []
    to_create: list[DutyShift] = []
    for group_index, officer in enumerate(officers):
        group = group_index % pattern.group_count
        for day, is_rest in rest_days.items():
            if (officer.pk, day) in on_leave:
                report.leave_days += 1
                continue
            existing = by_day.get((officer.pk, day), [])
            if any(
                r.removed_at is not None or r.source != DutyShiftSource.GENERATED or r.pk in requested for r in existing
            ):
                report.kept_days += 1
                continue
            if any(r.starts_at <= now for r in existing):
                continue  # started: history from here on
            code = pattern_code_on(pattern, group=group, day=day)
            planned = definitions.get(code) if pattern_runs(pattern, code, is_rest_day=is_rest) else None
            window = shift_window(planned, day) if planned is not None else None
            if window is not None and len(existing) == 1:
                same = existing[0]
                if (same.starts_at, same.ends_at, same.code, same.pattern_id) == (*window, code, pattern.pk):
                    report.unchanged += 1
                    continue
            for row in existing:
                to_delete.append(row.pk)
                live[officer.pk].remove(row)
                report.replaced += 1
            if window is None or window[1] <= now:
                continue
            starts_at, ends_at = window
            if any(r.starts_at < ends_at and r.ends_at > starts_at for r in live[officer.pk]):
                report.conflicts += 1
                continue
            assert planned is not None
            shift = DutyShift(
                district_id=officer.district_id,
                officer=officer,
                street_id=officer.street_id,
                starts_at=starts_at,
                ends_at=ends_at,
                code=code,
                name=planned.name,
                source=DutyShiftSource.GENERATED,
                pattern=pattern,
            )
            live[officer.pk].append(shift)
            to_create.append(shift)
    report.provisional_years = tuple(sorted(provisional.years))
    DutyShift.objects.filter(pk__in=to_delete).delete()
    DutyShift.objects.bulk_create(to_create, batch_size=1000)
    report.created = len(to_create)
    return report


def rosters_extend(*, now: dt.datetime | None = None, days: int = 14) -> list[tuple[ShiftPattern, GenerationReport]]:
    """The worker's rolling roster: every active pattern generated from today for ``days`` days, so a roster
    never runs out. Hand edits are kept as in any generation; a second run writes nothing."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    done = []
    for pattern in ShiftPattern.objects.filter(is_active=True).order_by("pk"):
        with transaction.atomic():
            officers = list(pattern_officers(pattern).select_for_update())
            report = _generate(
                pattern=pattern,
                officers=officers,
                first_day=today,
                last_day=today + dt.timedelta(days=days - 1),
                now=now,
            )
            if report.changed:
                audit_record(
                    actor=ROSTER_WATCH,
                    action="roster.extend",
                    obj=pattern,
                    after={"first_day": today, "days": days, **asdict(report)},
                )
        done.append((pattern, report))
    return done


# --- hand edits ------------------------------------------------------------------------------------------


def _check_window(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if ends_at <= starts_at:
        raise ValidationFailed(
            "班次结束时间必须晚于开始时间",
            code="shift_ends_before_start",
            details={"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()},
        )
    if ends_at - starts_at > MAX_SHIFT:
        raise ValidationFailed("一个班次不能超过24小时", code="shift_too_long")


def _check_no_overlap(
    officer: Officer, starts_at: dt.datetime, ends_at: dt.datetime, *, exclude: Sequence[int]
) -> None:
    """Called with the officer's row locked, so two edits cannot both pass and overlap each other."""
    clash = (
        DutyShift.objects.filter(officer=officer, removed_at__isnull=True, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .exclude(pk__in=list(exclude))
        .order_by("starts_at")
        .first()
    )
    if clash is not None:
        local_start, local_end = timezone.localtime(clash.starts_at), timezone.localtime(clash.ends_at)
        raise ValidationFailed(
            f"{officer.name}在{local_start:%m-%d %H:%M}–{local_end:%m-%d %H:%M}已有班次，时间重叠",
            code="shift_overlaps",
            details={"shift_id": clash.pk},
        )


def duty_shift_add(
    *,
    actor: Actor,
    officer: Officer,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    code: str = "",
    name: str = "",
    note: str = "",
) -> DutyShift:
    """Put an officer on the roster by hand (手工排班)."""
    _require_roster_editor(actor, district_id=officer.district_id, street_id=officer.street_id)
    _check_window(starts_at, ends_at)
    if not officer.is_active:
        raise ValidationFailed(f"{officer.name}不在岗，不能排班", code="officer_inactive")
    with transaction.atomic():
        locked = Officer.objects.select_for_update().get(pk=officer.pk)
        _check_no_overlap(locked, starts_at, ends_at, exclude=())
        shift = DutyShift.objects.create(
            district_id=locked.district_id,
            officer=locked,
            street_id=locked.street_id,
            starts_at=starts_at,
            ends_at=ends_at,
            code=code.strip()[:8],
            name=name.strip()[:20],
            note=note.strip()[:200],
            source=DutyShiftSource.MANUAL,
        )
        audit_record(actor=actor, action="roster.shift_add", obj=shift, after=snapshot(shift))
    return shift


def duty_shift_move(
    *,
    actor: Actor,
    shift: DutyShift,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    code: str | None = None,
    name: str | None = None,
) -> DutyShift:
    """Move a shift to another time (and name it anew); it becomes a hand edit that regeneration keeps."""
    _require_roster_editor(actor, district_id=shift.district_id, street_id=shift.officer.street_id)
    _check_window(starts_at, ends_at)
    with transaction.atomic():
        officer = Officer.objects.select_for_update().get(pk=shift.officer_id)
        locked = DutyShift.objects.select_for_update().get(pk=shift.pk)
        if locked.removed_at is not None:
            raise ValidationFailed("该班次已撤销", code="shift_removed")
        _check_no_overlap(officer, starts_at, ends_at, exclude=[locked.pk])
        before = snapshot(locked)
        locked.starts_at, locked.ends_at = starts_at, ends_at
        if code is not None:
            locked.code = code.strip()[:8]
        if name is not None:
            locked.name = name.strip()[:20]
        locked.source = DutyShiftSource.MANUAL
        locked.save()
        audit_record(actor=actor, action="roster.shift_move", obj=locked, before=before, after=snapshot(locked))
    return locked


def duty_shift_remove(*, actor: Actor, shift: DutyShift, reason: str) -> DutyShift:
    """Take a shift off the roster by hand; the row stays (``removed_at``) as history and as the hand edit
    that keeps a regeneration off this day."""
    _require_roster_editor(actor, district_id=shift.district_id, street_id=shift.officer.street_id)
    if not reason.strip():
        raise ValidationFailed("请填写撤销原因", code="reason_required")
    with transaction.atomic():
        locked = DutyShift.objects.select_for_update().get(pk=shift.pk)
        if locked.removed_at is not None:
            raise ValidationFailed("该班次已撤销", code="shift_removed")
        before = snapshot(locked)
        _mark_removed(locked, actor=actor, reason=reason.strip())
        audit_record(
            actor=actor, action="roster.shift_remove", obj=locked, before=before, after=snapshot(locked), reason=reason
        )
    return locked


def _mark_removed(shift: DutyShift, *, actor: Actor, reason: str) -> None:
    shift.removed_at = timezone.now()
    shift.removed_by = actor_user(actor)
    shift.removal_reason = reason[:200]
    shift.save(update_fields=["removed_at", "removed_by", "removal_reason"])


# --- leave and swap requests -----------------------------------------------------------------------------


def _table_of(request: RosterRequest) -> TransitionTable:
    return LEAVE_WORKFLOW if request.kind == RosterRequestKind.LEAVE else SWAP_WORKFLOW


def _require_asker(actor: Actor, officer: Officer) -> Jurisdiction | None:
    """The officer for themselves, or whoever edits their roster (their street dispatcher, the district)."""
    j = jurisdiction_of(actor)
    own = getattr(actor_user(actor), "officer", None)
    if own is not None and own.pk == officer.pk:
        return j
    return _require_roster_editor(actor, district_id=officer.district_id, street_id=officer.street_id)


def _open_shift(shift: DutyShift, officer: Officer, now: dt.datetime, *, whose: str) -> None:
    if shift.officer_id != officer.pk:
        raise ValidationFailed(f"{whose}班次不属于{officer.name}", code="swap_shift_not_owned")
    if shift.removed_at is not None or shift.starts_at <= now:
        raise ValidationFailed(f"{whose}班次已开始或已撤销，不能换班", code="swap_shift_closed")


def roster_request_create(
    *,
    actor: Actor,
    officer: Officer,
    kind: str,
    reason: str,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    shift: DutyShift | None = None,
    other_shift: DutyShift | None = None,
    now: dt.datetime | None = None,
) -> RosterRequest:
    """Ask for leave (``starts_on``–``ends_on``) or a swap of ``shift`` for a colleague's ``other_shift``."""
    _require_asker(actor, officer)
    now = now or timezone.now()
    if not reason.strip():
        raise ValidationFailed("请填写事由", code="reason_required")
    if kind == RosterRequestKind.LEAVE:
        if starts_on is None or ends_on is None or ends_on < starts_on:
            raise ValidationFailed("请假结束日期不能早于开始日期", code="leave_dates_invalid")
        if starts_on < timezone.localtime(now).date():
            raise ValidationFailed("不能为过去的日期请假", code="leave_in_past")
        if (ends_on - starts_on).days >= 90:
            raise ValidationFailed("一次请假不能超过90天", code="leave_too_long")
        shift = other_shift = None
    elif kind == RosterRequestKind.SWAP:
        if shift is None or other_shift is None:
            raise ValidationFailed("请选择本人班次和对方班次", code="swap_shifts_required")
        _open_shift(shift, officer, now, whose="本人")
        other = other_shift.officer
        _open_shift(other_shift, other, now, whose="对方")
        if other.pk == officer.pk:
            raise ValidationFailed("不能与自己换班", code="swap_with_self")
        if (other.district_id, other.street_id) != (officer.district_id, officer.street_id) or (
            officer.street_id is None and other.home_department_id != officer.home_department_id
        ):
            raise ValidationFailed("只能与同一街道（或同一部门）的执法人员换班", code="swap_other_roster")
        starts_on = ends_on = None
    else:
        raise ValidationFailed("申请类型无效", code="request_kind_invalid")
    with transaction.atomic():
        request = RosterRequest.objects.create(
            district_id=officer.district_id,
            kind=kind,
            officer=officer,
            street_id=officer.street_id,
            requested_by=actor_user(actor),
            starts_on=starts_on,
            ends_on=ends_on,
            shift=shift,
            other_shift=other_shift,
            reason=reason.strip()[:200],
        )
        audit_record(actor=actor, action=f"roster_{kind}.request", obj=request, after=snapshot(request))
    return request


def roster_request_decide(*, actor: Actor, request: RosterRequest, action: str, reason: str = "") -> RosterRequest:
    """批准 / 不批准 / 撤回 through the request's table (``zhifa.org.roster_states``). Approving leave removes the
    officer's shifts that start in the period; approving a swap exchanges the two shifts' officers. A refusal
    needs a reason and changes no shift."""
    j = jurisdiction_of(actor)
    if action == RosterRequestAction.WITHDRAW:
        own = getattr(actor_user(actor), "officer", None)
        may = request.requested_by_id == j.user_id or (own is not None and own.pk == request.officer_id)
        require(may or _may_decide(j, request), "只有申请人可以撤回申请", code="roster_request_forbidden")
    else:
        require(_may_decide(j, request), "只有本街道调度员或指挥中心可以审批", code="roster_request_forbidden")
    table = _table_of(request)
    # Refuse before writing anything: a missing reason or a decided request (checked again under the lock).
    workflow_check(table=table, obj=request, action=action, actor=actor, reason=reason, state=request.status)
    now = timezone.now()

    def record(obj: Any, source: str, target: str) -> None:
        RosterRequestChange.objects.create(
            request=obj, action=action, from_status=source, to_status=target, actor=actor_user(actor), reason=reason
        )

    decided = {"decided_by": actor_user(actor), "decided_at": now, "decision_reason": reason.strip()[:200]}
    with transaction.atomic():
        # The officers' rows first (the same order as hand edits), so a concurrent edit cannot slip between.
        list(Officer.objects.select_for_update().filter(pk__in=_officers_of(request)).order_by("pk").values_list("pk"))
        result = workflow_apply(
            table=table,
            obj=request,
            action=action,
            actor=actor,
            reason=reason,
            record_transition=record,
            extra_updates=decided if action != RosterRequestAction.WITHDRAW else None,
        )
        assert isinstance(result, RosterRequest)
        if action == RosterRequestAction.APPROVE:
            if result.kind == RosterRequestKind.LEAVE:
                _leave_apply(result, actor=actor, now=now)
            else:
                _swap_apply(result, actor=actor, now=now)
    return result


def _officers_of(request: RosterRequest) -> list[int]:
    ids = [request.officer_id]
    if request.other_shift_id is not None:
        ids.append(DutyShift.objects.values_list("officer_id", flat=True).get(pk=request.other_shift_id))
    return ids


def _leave_apply(request: RosterRequest, *, actor: Actor, now: dt.datetime) -> None:
    assert request.starts_on is not None and request.ends_on is not None
    shifts = DutyShift.objects.filter(
        officer_id=request.officer_id,
        removed_at__isnull=True,
        starts_at__gte=max(now, local_day_start(request.starts_on)),
        starts_at__lt=local_day_start(request.ends_on + dt.timedelta(days=1)),
    ).select_for_update()
    removed = []
    for shift in shifts:
        _mark_removed(shift, actor=actor, reason=f"请假（申请{request.pk}）")
        removed.append(snapshot(shift, ["id", "starts_at", "ends_at", "code"]))
    audit_record(actor=actor, action="roster_leave.shifts_removed", obj=request, after={"removed": removed})


def _swap_apply(request: RosterRequest, *, actor: Actor, now: dt.datetime) -> None:
    assert request.shift_id is not None and request.other_shift_id is not None
    mine = DutyShift.objects.select_for_update().select_related("officer").get(pk=request.shift_id)
    theirs = DutyShift.objects.select_for_update().select_related("officer").get(pk=request.other_shift_id)
    for shift in (mine, theirs):
        if shift.removed_at is not None or shift.starts_at <= now:
            raise ValidationFailed("班次已开始或已撤销，不能再换班", code="swap_shift_closed")
    if mine.officer_id != request.officer_id:
        raise ValidationFailed("本人班次已有变动，不能再换班", code="swap_shift_not_owned")
    me, other = mine.officer, theirs.officer
    # Each takes the other's shift: neither may end up with two shifts at once.
    _check_no_overlap(me, theirs.starts_at, theirs.ends_at, exclude=[mine.pk, theirs.pk])
    _check_no_overlap(other, mine.starts_at, mine.ends_at, exclude=[mine.pk, theirs.pk])
    before = {"shift": snapshot(mine), "other_shift": snapshot(theirs)}
    note = f"换班（申请{request.pk}）"
    mine.officer, theirs.officer = other, me
    for shift in (mine, theirs):
        shift.source = DutyShiftSource.SWAP
        shift.note = note
        shift.save(update_fields=["officer", "source", "note"])
    audit_record(
        actor=actor,
        action="roster_swap.shifts_exchanged",
        obj=request,
        before=before,
        after={"shift": snapshot(mine), "other_shift": snapshot(theirs)},
    )


# --- the no-cover check ----------------------------------------------------------------------------------


def roster_gaps_record(*, now: dt.datetime | None = None) -> list[tuple[RosterGap, CoverGap]]:
    """Record each zone with nobody on duty for its street's next shift, once per zone and shift; returns the
    gaps found for the first time (whom to tell). Run by the worker (``zhifa.events.roster_alerts``), which
    writes the notices in the same transaction."""
    now = now or timezone.now()
    found = []
    district_ids = ShiftPattern.objects.filter(is_active=True).values_list("district_id", flat=True).distinct()
    for district_id in sorted(set(district_ids)):
        for gap in zones_without_cover(district_id=district_id, now=now):
            try:
                # The unique (zone, starts_at) decides: a second worker, or the next scan, records nothing.
                with transaction.atomic():
                    row = RosterGap.objects.create(
                        district_id=district_id,
                        zone=gap.zone,
                        starts_at=gap.starts_at,
                        ends_at=gap.ends_at,
                        shift_name=gap.shift_name,
                        found_at=now,
                    )
                    audit_record(actor=ROSTER_WATCH, action="roster.gap_found", obj=row, after=snapshot(row))
            except IntegrityError:
                continue
            found.append((row, gap))
    return found
