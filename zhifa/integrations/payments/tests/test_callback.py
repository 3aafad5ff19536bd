"""The bank's signed payment notice (罚缴分离, APL 67): authenticated like an AI alert's device, recorded by
``record_payment`` as the channel, once per reference; every refusal writes nothing."""

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from zhifa.cases.models import Case, CaseStatus
from zhifa.integrations.payments.models import PaymentChannelAccount
from zhifa.integrations.payments.signing import payment_signature
from zhifa.integrations.payments.tests.conftest import SECRET, footprint
from zhifa.org.tests.factories import DistrictFactory

URL = "/api/v1/integrations/payments"
NOW = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)  # the cases' frozen clock


def notice(case: Case, **overrides: Any) -> dict[str, Any]:
    return {
        "decision_number": case.decision_number,
        "amount": "1000.00",
        "received_on": "2026-03-25",
        "reference": "B0325-1",
        **overrides,
    }


def send(
    body: dict[str, Any] | bytes,
    *,
    channel: str = "ICBC-GS",
    secret: str = SECRET,
    at: dt.datetime = NOW,
    signature: str | None = None,
) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    timestamp = str(int(at.timestamp()))
    headers = {
        "X-Channel-Id": channel,
        "X-Timestamp": timestamp,
        "X-Signature": payment_signature(secret=secret, timestamp=timestamp, body=raw)
        if signature is None
        else signature,
    }
    return Client().post(URL, data=raw, content_type="application/json", headers=headers)


def error(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["code"]


def test_apl_67_the_banks_signed_notice_records_the_payment_as_the_bank(
    served: Case, bank: PaymentChannelAccount
) -> None:
    response = send(notice(served))

    assert response.status_code == 201
    assert response.json() == {
        "decision_number": served.decision_number,
        "reference": "B0325-1",
        "channel": "bank",
        "fine": "1000.00",
        "late_fee": "0.00",
        "received_on": "2026-03-25",
        "case_status": CaseStatus.PAID,
    }
    served.refresh_from_db()
    step = served.steps.order_by("-pk").first()
    assert step is not None
    assert (step.action, step.legal_date, step.actor_label, step.actor) == (
        "record_payment",
        dt.date(2026, 3, 25),
        "工商银行拱墅支行（代收）",
        None,
    )
    assert (served.paid_on, served.amount_paid) == (dt.date(2026, 3, 25), 1000)


def test_a_retry_with_the_same_reference_is_answered_as_the_same_payment(
    served: Case, bank: PaymentChannelAccount
) -> None:
    first = send(notice(served))
    after_first = footprint(served)

    retry = send(notice(served), at=NOW + dt.timedelta(seconds=30))
    replay = send(notice(served))  # the very same bytes, timestamp and signature

    assert [r.status_code for r in (first, retry, replay)] == [201, 200, 200]
    assert retry.json() == replay.json() == first.json()
    assert footprint(served) == after_first


def test_the_same_reference_for_other_figures_is_refused(served: Case, bank: PaymentChannelAccount) -> None:
    send(notice(served))
    before = footprint(served)

    response = send(notice(served, amount="999.00"))

    assert error(response) == (409, "payment_reference_reused")
    assert footprint(served) == before


def test_apl_72_a_late_payment_must_carry_its_late_fee(served: Case, bank: PaymentChannelAccount) -> None:
    # Due on 1 April; received on 3 April: two days late, 3 % a day of 1,000 yuan = 60 yuan.
    before = footprint(served)

    short = send(notice(served, received_on="2026-04-03"))
    assert error(short) == (409, "payment_amount_mismatch")
    assert short.json()["details"] == {"fine": "1000.00", "late_fee": "60.00"}
    assert footprint(served) == before

    paid = send(notice(served, received_on="2026-04-03", amount="1060.00"))
    assert (paid.status_code, paid.json()["fine"], paid.json()["late_fee"]) == (201, "1000.00", "60.00")


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ({"secret": "not-the-banks-key"}, (401, "signature_invalid")),
        ({"channel": "NO-SUCH-BANK"}, (401, "signature_invalid")),
        ({"signature": ""}, (401, "signature_invalid")),
        ({"at": NOW - dt.timedelta(seconds=301)}, (401, "timestamp_out_of_window")),
        ({"at": NOW + dt.timedelta(seconds=301)}, (401, "timestamp_out_of_window")),
    ],
)
def test_a_notice_not_proven_to_come_from_a_registered_channel_now_is_refused(
    served: Case, bank: PaymentChannelAccount, how: dict[str, Any], expected: tuple[int, str]
) -> None:
    before = footprint(served)

    response = send(notice(served), **how)

    assert error(response) == expected
    assert footprint(served) == before


def test_an_unknown_channel_and_a_wrong_signature_get_the_same_answer(
    served: Case, bank: PaymentChannelAccount
) -> None:
    unknown = send(notice(served), channel="ICBC-XX")
    wrong = send(notice(served), channel="ICBC-XX", secret="x")

    assert unknown.json()["message"] == wrong.json()["message"] == "缴款渠道未登记、已停用或签名校验失败"


def test_a_disabled_channel_is_refused(served: Case, bank: PaymentChannelAccount) -> None:
    PaymentChannelAccount.objects.filter(pk=bank.pk).update(is_active=False)
    before = footprint(served)

    assert error(send(notice(served))) == (401, "signature_invalid")
    assert footprint(served) == before


def test_the_edge_of_the_replay_window_is_accepted(served: Case, bank: PaymentChannelAccount) -> None:
    assert send(notice(served), at=NOW - dt.timedelta(seconds=300)).status_code == 201


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"amount": 1000.0}, (422, "payload_invalid")),  # money is a decimal string, never a float
        ({"amount": "1000.001"}, (422, "payload_invalid")),
        ({"reference": " "}, (422, "payload_invalid")),
        ({"received_on": "2026-06-02"}, (422, "legal_date_in_future")),
        ({"received_on": "2026-03-16"}, (422, "legal_date_before_previous_step")),  # served on 17 March
        ({"decision_number": "杭拱综执罚决字〔2026〕第9999号"}, (404, "decision_not_found")),
    ],
)
def test_a_notice_the_case_cannot_take_is_refused_with_its_code(
    served: Case, bank: PaymentChannelAccount, body: dict[str, Any], expected: tuple[int, str]
) -> None:
    before = footprint(served)

    response = send(notice(served, **body))

    assert error(response) == expected
    assert footprint(served) == before


def test_a_channel_reports_only_for_decisions_of_its_own_district(served: Case) -> None:
    PaymentChannelAccount.objects.create(
        district=DistrictFactory(code="330106", name="西湖区"),
        code="OTHER-BANK",
        kind="bank",
        name="外区银行",
        secret=SECRET,
    )
    before = footprint(served)

    assert error(send(notice(served), channel="OTHER-BANK")) == (404, "decision_not_found")
    assert footprint(served) == before


def test_a_case_not_waiting_for_money_is_refused(served: Case, bank: PaymentChannelAccount) -> None:
    send(notice(served))
    before = footprint(served)

    response = send(notice(served, reference="B0325-2"))

    assert error(response) == (409, "payment_not_expected")
    assert footprint(served) == before
