"""TOTP second factor (django-otp) for administrators, leaders and legal reviewers: pages and API session
calls refuse until it is verified; other roles and API bearer tokens are unaffected."""

import time
from typing import Any

import pytest
import time_machine
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import World
from zhifa.core.actors import SystemActor
from zhifa.core.models import AuditEntry
from zhifa.core.tokens import api_token_issue
from zhifa.org.roles import Role
from zhifa.org.tests.factories import ProfileFactory, UserFactory
from zhifa.org.tests.second_factor import current_token, pass_second_factor

API_URL = "/api/v1/org/sinking-share"


def later(*, seconds: float) -> Any:
    return time_machine.travel(time.time() + seconds, tick=False)


def privileged(world: World, kind: str) -> Any:
    if kind in ("leader", "legal_reviewer"):
        return world.user(kind)
    user = UserFactory(username=kind, is_staff=kind == "staff", is_superuser=kind == "staff")
    ProfileFactory(user=user, district=world.district, role=Role.ADMIN if kind == "admin" else Role.DISPATCHER)
    return user


@pytest.mark.parametrize("kind", ["leader", "legal_reviewer", "admin", "staff"])
def test_privileged_roles_see_nothing_until_their_second_factor_is_verified(world: World, kind: str) -> None:
    # Given a privileged account past its password, with no authenticator yet
    user = privileged(world, kind)
    client = Client()
    client.force_login(user)

    # When it asks for a page, the admin and the API
    page = client.get("/subjects/")
    admin = client.get("/admin/")
    api = client.get(API_URL)

    # Then the pages send it to enrol, and the API refuses
    assert (page.status_code, page["Location"]) == (302, "/account/totp/enrol/?next=%2Fsubjects%2F")
    assert (admin.status_code, admin["Location"]) == (302, "/account/totp/enrol/?next=%2Fadmin%2F")
    assert api.status_code == 401

    # And once the code from its new device is entered, all open
    pass_second_factor(client, user)
    assert (client.get("/subjects/").status_code, client.get(API_URL).status_code) == (200, 200)


@pytest.mark.parametrize("persona", ["dispatcher", "officer_a", "street_dispatcher_a", "liaison"])
def test_other_roles_need_no_second_factor(world: World, persona: str) -> None:
    client = Client()
    client.force_login(world.user(persona))
    home = "/m/" if persona == "officer_a" else "/"
    assert client.get(home).status_code == 200
    assert TOTPDevice.objects.count() == 0


def test_enrolment_shows_the_key_as_otpauth_uri_and_inline_qr_code_and_is_audited(world: World) -> None:
    # Given the leader signed in with the password, on the enrolment page
    client = Client()
    client.force_login(world.user("leader"))
    page = client.get("/account/totp/enrol/").content.decode()
    device = TOTPDevice.objects.get(user=world.user("leader"))

    # Then the page shows the device's key as an otpauth URI and as an inline SVG QR code (no image request)
    assert device.confirmed is False
    assert "otpauth://totp/%E6%99%BA%E6%85%A7%E7%BB%BC%E5%90%88%E6%89%A7%E6%B3%95%E5%B9%B3%E5%8F%B0%3Aleader?" in page
    assert '<svg width="' in page
    assert "<img" not in page

    # When a wrong code, then the right one, is entered
    wrong = client.post("/account/totp/enrol/", {"token": "000000" if current_token(device) != "000000" else "111111"})
    with later(seconds=2):  # django-otp makes the next try wait 1 s after a wrong code
        right = client.post("/account/totp/enrol/", {"token": current_token(device), "next": "/subjects/"})

    # Then the wrong one is refused in Chinese and the right one confirms the device, once, audited
    assert wrong.status_code == 422
    assert "验证码不正确" in wrong.content.decode()
    assert (right.status_code, right["Location"]) == (302, "/subjects/")
    device.refresh_from_db()
    assert device.confirmed is True
    entry = AuditEntry.objects.get(action="account.totp_enrol")
    assert (entry.actor_label, entry.after) == ("leader", {"device_id": device.pk})
    assert client.get("/account/totp/enrol/")["Location"] == "/account/totp/"


def test_a_new_session_of_an_enrolled_account_asks_for_the_code(world: World) -> None:
    # Given the legal reviewer's device, enrolled in an earlier session
    user = world.user("legal_reviewer")
    first = Client()
    first.force_login(user)
    device = pass_second_factor(first, user)

    # When it signs in again with the password
    client = Client()
    client.post("/login/", {"username": "legal_reviewer", "password": "zhifa-test-pw"})
    asked = client.get("/")
    wrong = client.post("/account/totp/", {"token": "12345"})
    still = client.get("/")
    with later(seconds=2):  # django-otp makes the next try wait 1 s after a wrong code
        right = client.post("/account/totp/", {"token": current_token(device), "next": "/"})
        opened = client.get("/").status_code

    # Then the code is asked for, a wrong one changes nothing, the right one opens the pages
    assert (asked.status_code, asked["Location"]) == (302, "/account/totp/?next=%2F")
    assert (wrong.status_code, still.status_code) == (422, 302)
    assert (right.status_code, right["Location"], opened) == (302, "/", 200)


def test_an_api_bearer_token_of_a_leader_needs_no_second_factor(world: World) -> None:
    _, key = api_token_issue(actor=SystemActor("测试"), user=world.user("leader"), name="报表")
    response = Client().get(API_URL, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200


def test_the_shared_sign_in_fixture_passes_the_real_second_factor(world: World, sign_in: Any) -> None:
    client = sign_in(world.user("leader"))
    device = TOTPDevice.objects.get(user=world.user("leader"))
    assert (device.confirmed, device.last_t > 0, client.get("/").status_code) == (True, True, 200)


def test_the_password_of_a_privileged_account_cannot_be_changed_before_the_second_factor(world: World) -> None:
    client = Client()
    client.force_login(world.user("leader"))
    response = client.post(
        "/account/password/",
        {"old_password": "zhifa-test-pw", "new_password": "Xunjian#2026a", "new_password_again": "Xunjian#2026a"},
    )
    assert (response.status_code, response["Location"]) == (302, "/account/totp/enrol/")
    assert world.user("leader").check_password("zhifa-test-pw")


def test_an_htmx_request_before_the_second_factor_moves_the_whole_window(world: World) -> None:
    client = Client()
    client.force_login(world.user("leader"))
    response = client.get("/subjects/?q=x", HTTP_HX_REQUEST="true")
    assert (response.status_code, response["HX-Redirect"]) == (204, "/account/totp/enrol/?next=%2Fsubjects%2F%3Fq%3Dx")
