"""当场处罚 on the phone (APL 51–52, 68–71): the page shows whether the simple procedure and on-the-spot
collection are allowed as the officer fills it, refuses with the rule's message and code and writes nothing, and
a decision taken comes back with its number from the officer's range and its PDF (served after a scope check)."""

import base64
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from conftest import World
from zhifa.cases.models import Case, CaseStatus, Payment
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.core.actors import SystemActor
from zhifa.documents import services as documents
from zhifa.documents.models import Document
from zhifa.org.models import Officer
from zhifa.subjects.tests.factories import SubjectFactory

# A 1×1 white PNG: what the canvas posts, as a data URL.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4//8/AAX+Av4N70a4AAAAAElFTkSuQmCC")
SIGNATURE = "data:image/png;base64," + base64.b64encode(PNG).decode()
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def frozen() -> Iterator[None]:
    # Monday 1 June 2026: every period the decision starts (6 months for a lawsuit) ends within 2026.
    with time_machine.travel(dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def officer(world: World, frozen: None) -> Officer:
    return Officer.objects.get(user=world.user("officer_a"))


@pytest.fixture
def matter(world: World) -> Any:
    return MatterFactory(department=world.enforcement_dept, name="擅自占用城市道路")


def form(matter: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "matter": str(matter.pk),
        "party_kind": "person",
        "party_name": "李大伟",
        "party_id_number": "330105199001011233",
        "party_address": "上塘路16号",
        "facts": "在上塘路16号门前人行道摆摊设点",
        "address": "上塘路16号",
        "penalty": ["fine"],
        "fine": "50.00",
        "facts_clear": "on",
        "signature": SIGNATURE,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def footprint() -> tuple[int, int, int]:
    return Case.objects.count(), Document.objects.count(), Payment.objects.count()


def test_the_phone_page_shows_the_form_and_the_task_list_links_to_it(
    world: World, officer: Officer, matter: Any, sign_in: Any
) -> None:
    client = sign_in(world.user("officer_a"))
    tasks = client.get("/m/")
    assert 'href="/m/penalty/"' in tasks.content.decode()
    page = client.get("/m/penalty/")
    assert page.status_code == 200
    assert page["X-Zhifa-User"] == str(world.user("officer_a").pk)
    html = page.content.decode()
    assert "擅自占用城市道路" in html
    assert 'id="signature-pad"' in html
    assert "penalty.js" in html


@pytest.mark.parametrize(
    ("kind", "fine", "simple", "collection"),
    [
        # APL 51: 200 yuan for a person, 3,000 for an organisation, inclusive; APL 68: ≤ 100 collected on the spot.
        ("person", "200.00", "1", "0"),
        ("person", "200.01", "0", None),
        ("organisation", "3000.00", "1", "0"),
        ("organisation", "3000.01", "0", None),
        ("person", "100.00", "1", "1"),
        ("person", "100.01", "1", "0"),
    ],
)
def test_apl_51_68_the_verdicts_show_as_the_form_changes(
    world: World, officer: Officer, matter: Any, sign_in: Any, kind: str, fine: str, simple: str, collection: str | None
) -> None:
    client = sign_in(world.user("officer_a"))
    response = client.post("/m/penalty/check/", form(matter, party_kind=kind, fine=fine))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="verdict-simple" data-allowed="{simple}"' in html
    if collection is None:
        assert "verdict-collection" not in html
    else:
        assert f'id="verdict-collection" data-allowed="{collection}"' in html
    assert footprint() == (0, 0, 0)


def test_the_verdict_shows_a_figure_the_rule_cannot_read_with_its_code(
    world: World, officer: Officer, matter: Any, sign_in: Any
) -> None:
    client = sign_in(world.user("officer_a"))
    html = client.post("/m/penalty/check/", form(matter, fine="50.001")).content.decode()
    assert "money_too_many_places" in html
    html = client.post("/m/penalty/check/", form(matter, facts_clear=None)).content.decode()
    assert 'data-allowed="0"' in html and "违法事实确凿并有法定依据的，方可适用简易程序" in html


def test_apl_52_a_decision_is_numbered_from_the_officers_range_and_its_pdf_is_served(
    world: World, officer: Officer, matter: Any, sign_in: Any
) -> None:
    allotted = documents.allot_range(officer=officer, count=2, actor=SystemActor("测试"))
    client = sign_in(world.user("officer_a"))
    response = client.post("/m/penalty/", form(matter))
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/m/penalty/{case.pk}/"
    assert (case.procedure, case.status, case.decided_fine) == ("simple", CaseStatus.SERVED, Decimal("50.00"))
    assert case.decision_number.endswith(f"第{allotted.first:04d}号")
    assert case.party_signature.read() == PNG
    page = client.get(f"/m/penalty/{case.pk}/").content.decode()
    document = Document.objects.get()
    assert case.decision_number in page
    assert f"/m/penalty/{case.pk}/documents/{document.pk}/" in page
    pdf = client.get(f"/m/penalty/{case.pk}/documents/{document.pk}/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_the_pdf_and_the_decision_are_not_found_outside_the_officers_street(
    world: World, officer: Officer, matter: Any, sign_in: Any, client: Any
) -> None:
    documents.allot_range(officer=officer, count=1, actor=SystemActor("测试"))
    sign_in(world.user("officer_a")).post("/m/penalty/", form(matter))
    case, document = Case.objects.get(), Document.objects.get()
    client.logout()
    other = sign_in(world.user("officer_b"))
    assert other.get(f"/m/penalty/{case.pk}/").status_code == 404
    assert other.get(f"/m/penalty/{case.pk}/documents/{document.pk}/").status_code == 404
    client.logout()
    assert client.get(f"/m/penalty/{case.pk}/documents/{document.pk}/").status_code == 302  # to sign in


def test_an_exhausted_range_is_refused_clearly_and_nothing_is_written(
    world: World, officer: Officer, matter: Any, sign_in: Any
) -> None:
    client = sign_in(world.user("officer_a"))
    response = client.post("/m/penalty/", form(matter, party_name=f"李{HOSTILE}"))
    html = response.content.decode()
    assert response.status_code == 422
    assert "号段已用完" in html and "number_range_exhausted" in html
    assert HOSTILE not in html and "&lt;script&gt;" in html  # the typing kept, escaped
    assert footprint() == (0, 0, 0)


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"fine": "200.01"}, "simple_procedure_not_allowed"),  # APL 51
        ({"signature": None}, "signature_required"),  # APL 52
        ({"collect_on_spot": "on", "fine": "100.01"}, "on_spot_collection_not_allowed"),  # APL 68
        ({"collect_on_spot": "on", "fine": "100.00"}, "receipt_required"),  # APL 70
    ],
)
def test_refusals_show_their_code_and_write_nothing(
    world: World, officer: Officer, matter: Any, sign_in: Any, overrides: dict[str, Any], code: str
) -> None:
    documents.allot_range(officer=officer, count=1, actor=SystemActor("测试"))
    client = sign_in(world.user("officer_a"))
    response = client.post("/m/penalty/", form(matter, **overrides))
    assert response.status_code in (409, 422)
    assert code in response.content.decode()
    assert footprint() == (0, 0, 0)


def test_an_auxiliary_may_not_decide(world: World, officer: Officer, matter: Any, sign_in: Any) -> None:
    client = sign_in(world.user("auxiliary_a"))
    response = client.post("/m/penalty/", form(matter))
    assert response.status_code == 403
    assert footprint() == (0, 0, 0)


def test_apl_68_71_cash_collected_on_the_spot_is_handed_in(
    world: World, officer: Officer, matter: Any, sign_in: Any
) -> None:
    documents.allot_range(officer=officer, count=1, actor=SystemActor("测试"))
    client = sign_in(world.user("officer_a"))
    client.post(
        "/m/penalty/", form(matter, collect_on_spot="on", receipt_no="ZJ-0001", signature=None, refused_to_sign="on")
    )
    case = Case.objects.get()
    page = client.get(f"/m/penalty/{case.pk}/").content.decode()
    assert "罚款现金上缴" in page and "2026-06-03" in page  # 2 working days (APL 71)
    late = client.post(f"/m/penalty/{case.pk}/hand-in/", {"handed_in_on": "2026-06-02"})
    assert late.status_code == 422 and "legal_date_invalid" in late.content.decode()
    assert Payment.objects.get().handed_in_on is None
    done = client.post(f"/m/penalty/{case.pk}/hand-in/", {"handed_in_on": "2026-06-01"})
    assert done.status_code == 302
    assert Payment.objects.get().handed_in_on == dt.date(2026, 6, 1)


def test_the_party_is_filled_from_a_subject_found_by_name_in_the_officers_street(
    world: World, officer: Officer, matter: Any, sign_in: Any
) -> None:
    shop = SubjectFactory(district=world.district, name="知味小吃店", address="上塘路16号")
    elsewhere = SubjectFactory(district=world.district, name="知味面馆", lon=120.115, lat=30.305)
    assert (shop.street_id, elsewhere.street_id) == (world.street_a.pk, world.street_b.pk)
    documents.allot_range(officer=officer, count=1, actor=SystemActor("测试"))
    client = sign_in(world.user("officer_a"))
    found = client.get("/m/penalty/", {"q": "知味"}).content.decode()
    assert f"?subject={shop.pk}" in found and f"?subject={elsewhere.pk}" not in found
    assert client.get("/m/penalty/", {"subject": elsewhere.pk}).status_code == 404
    filled = client.get("/m/penalty/", {"subject": shop.pk}).content.decode()
    assert 'value="知味小吃店"' in filled and f'name="subject_id" value="{shop.pk}"' in filled
    client.post(
        "/m/penalty/",
        form(
            matter, subject_id=str(shop.pk), party_kind="organisation", party_name=shop.name, party_id_number=shop.uscc
        ),
    )
    case = Case.objects.get()
    assert (case.subject_id, case.party_kind, case.party_name) == (shop.pk, "organisation", "知味小吃店")


@pytest.mark.parametrize("persona", ["dispatcher", "business_owner", "leader"])
def test_the_phone_penalty_is_for_field_staff_only(
    world: World, officer: Officer, matter: Any, sign_in: Any, persona: str
) -> None:
    client = sign_in(world.user(persona))
    assert client.get("/m/penalty/").status_code == 403
    assert client.post("/m/penalty/check/", form(matter)).status_code == 403
    assert client.post("/m/penalty/", form(matter)).status_code == 403
    assert footprint() == (0, 0, 0)
