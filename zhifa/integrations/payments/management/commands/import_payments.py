"""``manage.py import_payments <file.csv>``: a channel's statement, each line recorded as the callback records
one (``zhifa.integrations.payments.services.statement_import``); prints what happened to each line and exits
non-zero when any line was refused."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhifa.core.errors import DomainError
from zhifa.integrations.payments.services import ALREADY_RECORDED, RECORDED, REFUSED, statement_import


class Command(BaseCommand):
    help = "导入代收银行/电子缴款平台对账单（CSV：decision_number,amount,received_on,channel,reference）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="对账单 CSV 文件（UTF-8，首行为列名）")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                outcomes = statement_import(handle)
        except OSError as exc:
            raise CommandError(f"无法读取对账单 {path}：{exc.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError(f"对账单 {path} 不是 UTF-8 编码") from None
        except DomainError as exc:
            raise CommandError(f"{exc.code}：{exc.message}") from None
        for o in outcomes:
            if o.result == RECORDED and o.payment is not None:
                total = o.payment.amount + o.payment.late_fee
                self.stdout.write(
                    f"第{o.line}行 流水号{o.reference}：已入账 recorded（案件{o.payment.case.number}，{total}元）"
                )
            elif o.result == ALREADY_RECORDED:
                self.stdout.write(
                    f"第{o.line}行 流水号{o.reference}：此前已入账 already_recorded（同一流水号，未重复记录）"
                )
            else:
                self.stdout.write(f"第{o.line}行 流水号{o.reference}：拒绝 {o.code}：{o.message}")
        refused = sum(o.result == REFUSED for o in outcomes)
        counts = {r: sum(o.result == r for o in outcomes) for r in (RECORDED, ALREADY_RECORDED)}
        summary = f"共{len(outcomes)}行：新入账{counts[RECORDED]}，此前已入账{counts[ALREADY_RECORDED]}，拒绝{refused}"
        if refused:
            raise CommandError(summary)
        self.stdout.write(summary)
