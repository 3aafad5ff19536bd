"""Two copies of one bank notice arriving at the same moment (real concurrent transactions on PostgreSQL) record
one payment, and both are answered as that payment: one as recorded now, the other as already recorded."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from zhifa.cases.models import Case, CaseStatus, Payment
from zhifa.integrations.payments.models import PaymentChannelAccount
from zhifa.integrations.payments.services import PaymentOutcome, channel_actor, payment_record

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_copies_of_one_notice_at_once_are_one_payment(served: Case, bank: PaymentChannelAccount) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's test database is single-writer; run on PostgreSQL")
    barrier = threading.Barrier(2)
    outcomes: list[PaymentOutcome] = []
    errors: list[BaseException] = []

    def notice() -> None:
        try:
            barrier.wait()
            outcomes.append(
                payment_record(
                    channel=bank,
                    actor=channel_actor(bank),
                    decision_number=served.decision_number,
                    amount=Decimal("1000.00"),
                    received_on=dt.date(2026, 3, 25),
                    reference="B0325-1",
                )
            )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=notice) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert sorted(o.created for o in outcomes) == [False, True]
    assert {o.payment.pk for o in outcomes} == set(Payment.objects.values_list("pk", flat=True))
    served.refresh_from_db()
    assert (served.status, served.steps.filter(action="record_payment").count()) == (CaseStatus.PAID, 1)
