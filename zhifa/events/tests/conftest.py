"""Fixtures for the events tests: real data the triage modules read (a catalogue matter, officers on duty),
and helpers that reach a state only through services. Nothing here stands in for a domain rule: tests run
the real classifier, deduplicator and recommender."""

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image

from conftest import POINT_IN_A
from zhifa.catalog.models import Domain, Matter
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.core.actors import SystemActor
from zhifa.events import services
from zhifa.events.models import Event
from zhifa.events.states import EventSource
from zhifa.org.models import DutyShift, Officer
from zhifa.org.roles import Role
from zhifa.org.tests.factories import OfficerFactory, ProfileFactory, UserFactory


@pytest.fixture
def vending_matter(world: Any) -> Matter:
    """The catalogue's matter for what ``report`` says by default ("仁和路口有流动摊贩占道经营"), with the
    keywords the catalogue editors give it: with it in the catalogue the real classifier files such a report
    under it (and dedup then merges a second report of it nearby). Without it, the ``world`` has no matters
    and every report stays unclassified."""
    return MatterFactory(
        department=world.enforcement_dept,
        district=world.district,
        name="擅自占用城市道路设摊经营",
        domain=Domain.CITY_APPEARANCE,
        keywords="占道经营 流动摊贩 摊贩 摆摊",
    )


def on_duty(officer: Officer, *, at: dt.datetime | None = None, domains: Sequence[str] = ()) -> Officer:
    """Put an officer on the duty roster for a shift around ``at`` (default: now, as the clock says), and,
    with ``domains``, certify them for those enforcement domains — what the recommender asks of anyone it
    proposes. Officers of the ``world`` have no shift: nobody is recommended until a test rosters them."""
    at = at or timezone.now()
    DutyShift.objects.create(
        district_id=officer.district_id,
        officer=officer,
        starts_at=at - dt.timedelta(hours=2),
        ends_at=at + dt.timedelta(hours=10),
    )
    if domains:
        officer.certified_domains = list(domains)
        officer.save(update_fields=["certified_domains"])
    return officer


def position_of(officer: Officer, *, lon: float, lat: float, at: dt.datetime | None = None) -> None:
    """The officer's phone reports where they are (through the service the phone's API calls)."""
    actor = officer.user if officer.user_id else SystemActor("定位终端")
    services.officer_position_record(actor=actor, officer=officer, lon=lon, lat=lat, recorded_at=at)


def jpeg_bytes(size: tuple[int, int] = (32, 24)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def colleague(world: Any) -> Officer:
    """A second officer of street A (丙队员), sent with officer_a where a test says so."""
    user = UserFactory(username="colleague_a")
    ProfileFactory(user=user, district=world.district, role=Role.OFFICER, street=world.street_a)
    return OfficerFactory(
        district=world.district, user=user, name="丙队员", home_department=world.enforcement_dept, street=world.street_a
    )


def officer_of(world: Any, persona: str) -> Officer:
    return Officer.objects.get(user=world.user(persona))


def report(world: Any, **overrides: Any) -> Event:
    """An event reported in street A by the dispatcher (hotline), triaged automatically."""
    values: dict[str, Any] = {
        "actor": world.user("dispatcher"),
        "district": world.district,
        "source": EventSource.HOTLINE,
        "description": "仁和路口有流动摊贩占道经营",
        "lon": POINT_IN_A[0],
        "lat": POINT_IN_A[1],
        "reporter_name": "王先生",
        "reporter_phone": "13812341234",
    }
    values.update(overrides)
    return services.event_intake(**values).event


def walk_to(world: Any, state: str, **report_overrides: Any) -> Event:
    """An event of street A brought to ``state`` through the services only (officer_a assigned)."""
    dispatcher = world.user("dispatcher")
    officer = world.user("officer_a")
    event = report(world, auto_triage=(state != "reported"), **report_overrides)
    if state in {"reported", "triaged"}:
        return event
    if state == "merged":
        primary = report(world, description="另一条同类事件")
        return services.event_merge(actor=dispatcher, event=event, into=primary, reason="重复上报")
    if state == "rejected":
        return services.event_reject(actor=dispatcher, event=event, reason="不属于执法事项")
    if state == "sent_back":
        return services.event_send_back(actor=dispatcher, event=event, reason="不属本区职责")
    if state == "transferred":
        services.event_transfer(actor=dispatcher, event=event, department=world.market_dept, instructions="请核处")
        return Event.objects.get(pk=event.pk)
    event = services.event_dispatch(actor=dispatcher, event=event, officers=[officer_of(world, "officer_a")])
    if state == "dispatched":
        return event
    if state == "returned":
        return services.event_return(actor=officer, event=event, reason="非本片区")
    event = services.event_acknowledge(actor=officer, event=event)
    if state == "acknowledged":
        return event
    event = services.event_arrive(actor=officer, event=event, lon=event.lon, lat=event.lat)
    if state == "arrived":
        return event
    event = services.event_handle(actor=officer, event=event, outcome="已劝离，恢复通行")
    if state == "handled":
        return event
    event = services.event_verify(actor=dispatcher, event=event)
    if state == "verified":
        return event
    return services.event_close(actor=dispatcher, event=event)
