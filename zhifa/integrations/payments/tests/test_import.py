"""``manage.py import_payments``: a channel's statement, each line through the same service as the callback;
per line what happened, and an exit code other than 0 when any line was refused (that line writes nothing)."""

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhifa.cases.models import Case, CaseStatus, Payment
from zhifa.integrations.payments.management.commands.import_payments import Command
from zhifa.integrations.payments.models import PaymentChannelAccount
from zhifa.integrations.payments.tests.conftest import footprint


def statement(
    tmp_path: Path, *lines: str, header: str = "decision_number,amount,received_on,channel,reference"
) -> Path:
    path = tmp_path / "statement.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def run(path: Path) -> tuple[list[str], str]:
    out = StringIO()
    try:
        call_command("import_payments", str(path), stdout=out)
    except CommandError as exc:
        return out.getvalue().splitlines(), str(exc)
    return out.getvalue().splitlines(), ""


def test_each_line_is_recorded_once_and_said_so(served: Case, bank: PaymentChannelAccount, tmp_path: Path) -> None:
    n = served.decision_number
    path = statement(tmp_path, f"{n},1000.00,2026-03-25,ICBC-GS,B0325-1", f"{n},1000.00,2026-03-25,ICBC-GS,B0325-1")

    lines, failure = run(path)

    assert lines == [
        f"第2行 流水号B0325-1：已入账 recorded（案件{served.number}，1000.00元）",
        "第3行 流水号B0325-1：此前已入账 already_recorded（同一流水号，未重复记录）",
        "共2行：新入账1，此前已入账1，拒绝0",
    ]
    assert failure == ""
    served.refresh_from_db()
    assert (served.status, served.paid_on, Payment.objects.count()) == (CaseStatus.PAID, dt.date(2026, 3, 25), 1)
    step = served.steps.order_by("-pk").first()
    assert step is not None and step.actor_label == "工商银行拱墅支行（代收）（对账单导入）"


def test_refused_lines_are_named_with_their_code_write_nothing_and_fail_the_run(
    served: Case, bank: PaymentChannelAccount, tmp_path: Path
) -> None:
    n = served.decision_number
    path = statement(
        tmp_path,
        f"{n},999.00,2026-03-25,ICBC-GS,B1",
        f"{n},1000.00,2026-03-25,NO-SUCH,B2",
        f"{n},1000.00,25/03/2026,ICBC-GS,B3",
        "杭拱综执罚决字〔2026〕第9999号,1000.00,2026-03-25,ICBC-GS,B4",
        f"{n},1000.00,2026-03-25,ICBC-GS",
        f"{n},1000.00,2026-03-25,ICBC-GS,B6",
    )
    before = footprint(served)

    lines, failure = run(path)

    codes = [line.split("：")[1].split()[-1] if "拒绝" in line else line for line in lines[:5]]
    assert codes == [
        "payment_amount_mismatch",
        "channel_unknown",
        "received_on_invalid",
        "decision_not_found",
        "line_invalid",
    ]
    assert lines[5] == f"第7行 流水号B6：已入账 recorded（案件{served.number}，1000.00元）"
    assert failure == "共6行：新入账1，此前已入账0，拒绝5"
    # Only the good line wrote: its payment and its step.
    assert footprint(served)[:3] == (CaseStatus.PAID, before[1] + 1, before[2] + 1)


def test_the_run_exits_non_zero_when_a_line_is_refused(
    served: Case, bank: PaymentChannelAccount, tmp_path: Path
) -> None:
    path = statement(tmp_path, f"{served.decision_number},1.00,2026-03-25,ICBC-GS,B1")

    with pytest.raises(SystemExit) as exit_:
        Command(stdout=StringIO(), stderr=StringIO()).run_from_argv(["manage.py", "import_payments", str(path)])

    assert exit_.value.code == 1


def test_chinese_column_names_in_any_order_are_read(served: Case, bank: PaymentChannelAccount, tmp_path: Path) -> None:
    path = statement(
        tmp_path,
        f"B0325-1,ICBC-GS,{served.decision_number},1000.00,2026-03-25",
        header="流水号,渠道,决定书文号,金额,到账日期",
    )

    lines, failure = run(path)

    assert (lines[-1], failure) == ("共1行：新入账1，此前已入账0，拒绝0", "")


def test_a_file_without_the_header_is_refused_whole(served: Case, bank: PaymentChannelAccount, tmp_path: Path) -> None:
    path = statement(tmp_path, header=f"{served.decision_number},1000.00,2026-03-25,ICBC-GS,B0325-1")
    before = footprint(served)

    lines, failure = run(path)

    assert (lines, failure.split("：")[0]) == ([], "statement_header_invalid")
    assert footprint(served) == before
