"""The case file page (issue 11): one case with 200 timeline entries, rendered for its handler, and the whole
file exported as one PDF (案卷评查). The case is walked to its prior notice through the services (so it has its
deadlines, record and documents); the 200 entries are then added as party statements, as a long case gathers
them. Reported only: the page's query count is bounded by a test (zhifa/web/tests/test_case_pages.py)."""

import datetime as dt
import statistics
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.utils import timezone

from bench.district import BenchDistrict
from bench.results import Measurement
from zhifa.cases import services
from zhifa.cases.models import CaseStatus, CaseStep, Conclusion, PartyKind, PenaltyKind, RecordKind
from zhifa.cases.states import CaseAction
from zhifa.catalog.models import Domain, Matter
from zhifa.org.models import Department, DepartmentKind, Officer, Profile, Street
from zhifa.org.roles import Role

STEPS = 200
RUNS = 9


def _person(district: Any, street: Street | None, role: str, name: str) -> Any:
    user = get_user_model().objects.create_user(username=f"bench-case-{name}", password=None)
    Profile.objects.create(user=user, district=district, role=role, street=street, display_name=name)
    return user


def _median_ms(client: Client, url: str) -> tuple[float, int]:
    client.get(url)
    timings, size = [], 0
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        size = len(response.content)
    return statistics.median(timings) * 1000, size


def run(bench: BenchDistrict, workdir: Path) -> list[Measurement]:
    district = bench.district
    street = Street.objects.filter(district=district).order_by("code").first()
    assert street is not None
    department, _ = Department.objects.get_or_create(
        district=district,
        code="BENCH-CASE",
        defaults={"name": "基准执法局", "short_name": "基准", "kind": DepartmentKind.DEPARTMENT},
    )
    handler_user = _person(district, street, Role.OFFICER, "主办队员")
    leader = _person(district, None, Role.LEADER, "局长")
    officers = [
        Officer.objects.create(
            district=district,
            user=user,
            name=name,
            badge_no=f"BC{i:03d}",
            certificate_no=f"3301052099{i:04d}",
            certificate_valid_until=dt.date(2029, 12, 31),
            home_department=department,
            street=street,
        )
        for i, (user, name) in enumerate([(handler_user, "主办队员"), (None, "协办队员")])
    ]
    matter = Matter.objects.create(
        district=district,
        code="BENCH-CASE-1",
        name="擅自占用城市道路",
        domain=Domain.CITY_APPEARANCE,
        department=department,
        penalty_kinds=[PenaltyKind.FINE],
        law_name="《城市道路管理条例》",
        violated_provision="第二十七条第（七）项",
        penalty_provision="第四十二条",
    )
    with override_settings(MEDIA_ROOT=workdir / "media"):
        case = services.create_lead(
            actor=handler_user,
            street=street,
            source="patrol",
            facts="在人行道上摆摊设点",
            discovered_on=dt.date(2026, 3, 2),
            violation_ended_on=dt.date(2026, 3, 2),
            party=services.Party(kind=PartyKind.PERSON, name="基准当事人"),
            matter=matter,
        )
        case = services.submit_filing(
            case, actor=handler_user, legal_date=dt.date(2026, 3, 3), handler=officers[0], co_handler=officers[1]
        )
        case = services.approve_filing(case, actor=leader, legal_date=dt.date(2026, 3, 4))
        services.record_investigation(
            case,
            actor=handler_user,
            kind=RecordKind.INSPECTION,
            officers=officers,
            legal_date=dt.date(2026, 3, 5),
            place="人行道",
            content="现场检查",
        )
        case = services.conclude(
            case,
            actor=handler_user,
            legal_date=dt.date(2026, 3, 9),
            conclusion=Conclusion.PENALTY,
            penalty=[PenaltyKind.FINE],
            fine=Decimal("500.00"),
        )
        case = services.give_notice(case, actor=handler_user, legal_date=dt.date(2026, 3, 10))
        existing = CaseStep.objects.filter(case=case).count()
        now = timezone.now()
        CaseStep.objects.bulk_create(
            CaseStep(
                case=case,
                action=CaseAction.PARTY_STATEMENT,
                from_status=CaseStatus.NOTICED,
                to_status=CaseStatus.NOTICED,
                legal_date=dt.date(2026, 3, 11),
                actor_label="基准当事人",
                reason=f"第{n}次陈述申辩",
                created_at=now,
            )
            for n in range(STEPS - existing)
        )
        client = Client()
        client.force_login(handler_user)
        page_ms, page_size = _median_ms(client, f"/cases/{case.pk}/")
        bundle_ms, bundle_size = _median_ms(client, f"/cases/{case.pk}/bundle.pdf")
    return [
        Measurement(f"case page, {STEPS} timeline entries: time (median of {RUNS})", page_ms, "ms"),
        Measurement("  case page: size", page_size / 1000, "kB"),
        Measurement(f"case file bundle PDF (cover + documents): time (median of {RUNS})", bundle_ms, "ms"),
        Measurement("  bundle: size", bundle_size / 1000, "kB"),
    ]
