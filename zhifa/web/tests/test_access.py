"""Who may see what: anonymous users go to the login page, a street officer sees only their street, an
account without a post is told why it sees nothing."""

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from conftest import World
from zhifa.subjects.models import Subject

PAGES = ["/", "/subjects/", "/matters/", "/officers/", "/map/", "/map/layers.json", "/map/subjects.json"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_anonymous_is_sent_to_login(client: Client, url: str) -> None:
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


@pytest.mark.django_db
def test_login_page_renders_in_chinese(client: Client) -> None:
    body = client.get("/login/").content.decode()

    assert "<title>登录 · 智慧综合执法平台</title>" in body
    assert 'placeholder="请输入用户名"' in body
    assert 'placeholder="请输入密码"' in body


def test_login_with_password_then_logout(world: World, client: Client) -> None:
    response = client.post("/login/", {"username": "dispatcher", "password": "zhifa-test-pw", "next": "/subjects/"})

    assert response.status_code == 302
    assert response["Location"] == "/subjects/"
    assert client.get("/").status_code == 200

    # logout is POST only: a GET (e.g. a prefetching link) must not end the session
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_with_a_chinese_message(world: World, client: Client) -> None:
    response = client.post("/login/", {"username": "dispatcher", "password": "wrong-password"})

    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_officer_a_does_not_see_street_b_subject_in_list(
    client_as: Any, subject_a: Subject, subject_b: Subject
) -> None:
    body = client_as("officer_a").get("/subjects/").content.decode()

    assert re.findall(r'<a href="/subjects/\d+/">([^<]+)</a>', body) == ["知味观餐饮店"]
    # not even when asking for street B explicitly
    body = client_as("officer_a").get(f"/subjects/?q=烧烤&street_id={subject_b.street_id}").content.decode()
    assert "乙街烧烤摊" not in body


def test_officer_a_gets_404_for_street_b_subject(client_as: Any, subject_a: Subject, subject_b: Subject) -> None:
    client = client_as("officer_a")

    response = client.get(f"/subjects/{subject_b.pk}/")

    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body
    assert "不在您的管辖范围内" in body
    assert "乙街烧烤摊" not in body
    assert client.get(f"/map/?subject={subject_b.pk}").status_code == 404
    assert client.get(f"/subjects/{subject_a.pk}/").status_code == 200


def test_officer_a_does_not_get_street_b_subject_on_the_map(
    client_as: Any, subject_a: Subject, subject_b: Subject
) -> None:
    data = client_as("officer_a").get("/map/subjects.json").json()

    assert [f["properties"]["name"] for f in data["features"]] == ["知味观餐饮店"]
    # a box around street B changes nothing: bbox only narrows
    data = client_as("officer_a").get("/map/subjects.json?bbox=120.11,30.30,120.12,30.31").json()
    assert "乙街烧烤摊" not in [f["properties"]["name"] for f in data["features"]]


def test_officer_a_does_not_see_street_b_officer(world: World, client_as: Any) -> None:
    officer_b = world.user("officer_b").officer

    assert client_as("officer_a").get(f"/officers/{officer_b.pk}/").status_code == 404


def test_account_without_post_is_told_why(world: World, client: Client) -> None:
    user = get_user_model().objects.create_user(username="newcomer", password="zhifa-test-pw")
    client.force_login(user)

    for url in ["/", "/subjects/", "/map/", "/map/layers.json"]:
        response = client.get(url)
        assert response.status_code == 403, url
        body = response.content.decode()
        assert "该账号未分配岗位，无权查看数据" in body
        assert "请联系系统管理员为您的账号分配岗位" in body
        assert '<span class="role">未分配岗位</span>' in body


@pytest.mark.django_db
def test_unknown_page_is_a_friendly_404(client: Client) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "<title>页面不存在 · 智慧综合执法平台</title>" in response.content.decode()


@pytest.mark.parametrize(("persona", "landing"), [("officer_a", "/m/"), ("auxiliary_a", "/m/"), ("dispatcher", "/")])
def test_field_staff_land_on_the_phone_after_login(world: World, client: Client, persona: str, landing: str) -> None:
    response = client.post("/login/", {"username": persona, "password": "zhifa-test-pw"})

    assert response.status_code == 302
    assert response["Location"] == landing
