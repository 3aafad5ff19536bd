"""What triage reads to route a text: the running triage model and the district's complaint kinds.

Both are per-process caches (``zhifa.core.stamped``): the model is reloaded when its file changes (a retrain
replaced it), the kinds when an administrator edits one. Nothing here writes.
"""

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Count, Max

from zhifa.catalog.models import ClockPolicy, ComplaintKind
from zhifa.core.stamped import StampedCache
from zhifa.events import triage_model
from zhifa.events.states import EventRoute


class ModelMissing(RuntimeError):
    """The triage model file is not there: the set-up builds it (``make install`` → ``manage.py train_triage``)."""


@dataclass(frozen=True)
class DistrictKinds:
    by_code: dict[str, ComplaintKind]  # with their departments loaded
    matter_ids: dict[int, frozenset[int]]  # kind id → the catalogue matters it covers
    kind_of_matter: dict[int, ComplaintKind]  # matter id → the (first) kind that covers it


def _model_stamp(path: str) -> tuple[Any, ...]:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return (None,)
    return (stat.st_mtime_ns, stat.st_size)


def _model_build(path: str) -> triage_model.TriageModel:
    if not Path(path).exists():
        raise ModelMissing(f"未找到研判模型文件 {path}：请先运行 make install（manage.py train_triage）")
    return triage_model.load(Path(path))


_models: StampedCache[str, triage_model.TriageModel] = StampedCache(stamp=_model_stamp, build=_model_build)


def model_path() -> Path:
    return Path(settings.ZHIFA_TRIAGE_MODEL)


def running_model() -> triage_model.TriageModel:
    """The model this server routes with (reloaded when ``retrain_triage`` replaced its file)."""
    return _models.get(str(model_path()))


def _kinds_stamp(district_id: int) -> tuple[Any, ...]:
    found = ComplaintKind.objects.filter(district_id=district_id).aggregate(n=Count("id"), at=Max("updated_at"))
    return (found["n"], found["at"])


def _kinds_build(district_id: int) -> DistrictKinds:
    kinds = list(
        ComplaintKind.objects.filter(district_id=district_id, is_active=True)
        .select_related("department")
        .prefetch_related("matters")
        .order_by("code")
    )
    matter_ids = {k.pk: frozenset(m.pk for m in k.matters.all()) for k in kinds}
    kind_of_matter: dict[int, ComplaintKind] = {}
    for kind in kinds:
        for matter_id in sorted(matter_ids[kind.pk]):
            kind_of_matter.setdefault(matter_id, kind)
    return DistrictKinds({k.code: k for k in kinds}, matter_ids, kind_of_matter)


_kinds: StampedCache[int, DistrictKinds] = StampedCache(stamp=_kinds_stamp, build=_kinds_build)


def district_kinds(district_id: int) -> DistrictKinds:
    """The district's active kinds (an edit is seen within ``ZHIFA_REFERENCE_RECHECK_S``)."""
    return _kinds.get(district_id)


def route_of_kind(kind: ComplaintKind) -> str:
    """On-site kinds go to the zone team (1530 clocks); the rest to the command centre's coordination desk,
    which transfers them to the kind's department with its deadline."""
    return EventRoute.ZONE_TEAM if kind.clock_policy == ClockPolicy.ON_SITE else EventRoute.COORDINATION
