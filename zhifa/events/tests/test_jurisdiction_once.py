"""A user's jurisdiction is read once per request, and a changed post is seen by the next request (issue 10).

One request asks for it several times (the API's check, the service's ``actor_jurisdiction``, the selector
that scopes the reply); ``jurisdiction_of`` keeps it in the request's memo, which dies with the request."""

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import POINT_IN_A, POINT_IN_B, World
from zhifa.core.request_context import Client as ClientKind
from zhifa.core.request_context import acting_as
from zhifa.core.tokens import api_token_issue
from zhifa.events.services import event_intake
from zhifa.events.states import EventSource
from zhifa.org import jurisdiction
from zhifa.org.models import Profile
from zhifa.org.roles import Role
from zhifa.org.tests.conftest import administrator as administrator
from zhifa.org.tests.second_factor import pass_second_factor

REPORT = {"description": "仁和路口流动摊贩占道", "lon": POINT_IN_A[0], "lat": POINT_IN_A[1]}


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The user ids whose post was read and made into a jurisdiction (the real read, counted)."""
    seen: list[int] = []
    read = jurisdiction._jurisdiction_read

    def counted(user: Any) -> jurisdiction.Jurisdiction:
        seen.append(user.pk)
        return read(user)

    monkeypatch.setattr(jurisdiction, "_jurisdiction_read", counted)
    return seen


def _profile_selects(captured: CaptureQueriesContext) -> int:
    """Queries that read the profile table by itself (the API token's look-up joins it instead)."""
    return sum(1 for q in captured.captured_queries if 'FROM "org_profile"' in q["sql"])


@pytest.fixture(params=["session", "token"])
def dispatcher_client(request: Any, world: World, sign_in: Any) -> tuple[Client, int]:
    """The dispatcher's client, and how many separate profile reads a request of it takes: one for a session
    (the lazy ``user.profile``), none for a token (its look-up loads the post with the user)."""
    user = world.user("dispatcher")
    if request.param == "session":
        return sign_in(user), 1
    _, key = api_token_issue(actor=user, user=user, name="调度台")
    return Client(headers={"Authorization": f"Bearer {key}"}), 0


def test_an_event_intake_over_the_api_reads_the_post_once(
    world: World, dispatcher_client: tuple[Client, int], reads: list[int]
) -> None:
    client, profile_selects = dispatcher_client

    with CaptureQueriesContext(connection) as captured:
        response = client.post("/api/v1/events", json.dumps(REPORT), content_type="application/json")

    assert response.status_code == 201
    assert reads == [world.user("dispatcher").pk]
    assert _profile_selects(captured) == profile_selects


def test_an_event_action_over_the_api_reads_the_post_once(
    world: World, dispatcher_client: tuple[Client, int], reads: list[int]
) -> None:
    client, profile_selects = dispatcher_client
    event = event_intake(actor=world.user("dispatcher"), district=world.district, source=EventSource.API, **REPORT)
    reads.clear()

    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            f"/api/v1/events/{event.event.pk}/actions/reject",
            json.dumps({"reason": "非执法事项，已告知来电人"}),
            content_type="application/json",
        )

    assert (response.status_code, response.json()["status"]) == (200, "rejected")
    assert reads == [world.user("dispatcher").pk]
    assert _profile_selects(captured) == profile_selects


def test_a_post_changed_in_the_admin_is_seen_by_the_officers_next_request(
    world: World, sign_in: Any, administrator: Any
) -> None:
    # Given officer A, signed in, and an event in street B (outside their street)
    officer = sign_in(world.user("officer_a"))
    in_b = event_intake(
        actor=world.user("dispatcher"),
        district=world.district,
        source=EventSource.API,
        description="乙街道路口占道经营",
        lon=POINT_IN_B[0],
        lat=POINT_IN_B[1],
    ).event
    assert officer.get(f"/api/v1/events/{in_b.pk}").status_code == 404
    # When the administrator moves them to street B in the admin
    admin = Client()
    admin.force_login(administrator)
    pass_second_factor(admin, administrator)
    profile = Profile.objects.get(user=world.user("officer_a"))
    moved = admin.post(
        f"/admin/org/profile/{profile.pk}/change/",
        {
            "user": profile.user_id,
            "district": world.district.pk,
            "role": Role.OFFICER,
            "street": world.street_b.pk,
            "display_name": profile.display_name,
        },
    )
    assert moved.status_code == 302
    # Then the officer's next request sees street B's event
    assert officer.get(f"/api/v1/events/{in_b.pk}").status_code == 200


def test_within_a_request_one_read_serves_every_instance_of_the_account(world: World, reads: list[int]) -> None:
    user_id = world.user("officer_a").pk
    fresh = get_user_model().objects.get(pk=user_id)  # another instance, as a reloaded actor would be

    with acting_as(client=ClientKind.API):
        first = jurisdiction.jurisdiction_of(world.user("officer_a"))
        again = jurisdiction.jurisdiction_of(fresh)

    assert again is first
    assert reads == [user_id]


def test_a_post_changed_within_a_request_is_read_again_once_forgotten(world: World, reads: list[int]) -> None:
    user = world.user("officer_a")
    with acting_as(client=ClientKind.WEB):
        before = jurisdiction.jurisdiction_of(user)
        user.profile.street = world.street_b
        user.profile.save()
        jurisdiction.jurisdiction_forget(user.pk)
        after = jurisdiction.jurisdiction_of(user)

    assert (before.street_id, after.street_id) == (world.street_a.pk, world.street_b.pk)
    assert reads == [user.pk, user.pk]


def test_outside_a_request_nothing_is_kept(world: World, reads: list[int]) -> None:
    """Tests, the shell and commands that change a post between two calls see the change at once."""
    user = world.user("officer_a")
    before = jurisdiction.jurisdiction_of(user)
    user.profile.street = world.street_b
    user.profile.save()

    assert (before.street_id, jurisdiction.jurisdiction_of(user).street_id) == (world.street_a.pk, world.street_b.pk)
    assert reads == [user.pk, user.pk]
