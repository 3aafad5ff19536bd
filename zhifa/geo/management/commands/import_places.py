from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhifa.core.actors import SystemActor
from zhifa.core.errors import DomainError
from zhifa.core.request_context import Client, acting_as
from zhifa.geo.gazetteer_import import places_import
from zhifa.org.models import District


class Command(BaseCommand):
    help = "从 CSV 或 XLSX 文件导入地名地址库（道路门牌范围、地标、小区；全部成功或全部不导入）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--district", required=True, help="区的行政区划代码，如 330105")
        parser.add_argument("--coord-system", default="wgs84", choices=["wgs84", "gcj02", "bd09"])
        parser.add_argument("--format", dest="file_format", choices=["csv", "xlsx"], default=None)
        parser.add_argument("--replace", action="store_true", help="用文件替换本区的整个地名地址库")

    def handle(self, *args: Any, **options: Any) -> None:
        district = District.objects.filter(code=options["district"]).first()
        if district is None:
            raise CommandError(f"区不存在：{options['district']}")
        try:
            with acting_as(client=Client.SYSTEM):
                result = places_import(
                    actor=SystemActor("命令行"),
                    district=district,
                    path_or_file=options["path"],
                    file_format=options["file_format"],
                    coord_system=options["coord_system"],
                    replace=options["replace"],
                )
        except FileNotFoundError:
            raise CommandError(f"文件不存在：{options['path']}") from None
        except DomainError as exc:
            lines = [f"{exc.message}（{exc.code}）"]
            if isinstance(exc.details, dict):
                for error in exc.details.get("errors", []):
                    lines.append(f"  第{error['row']}行 {error['column']}：{error['message']}（{error['code']}）")
            raise CommandError("\n".join(lines)) from None
        replaced = f"（替换原有 {result.replaced} 条）" if options["replace"] else ""
        self.stdout.write(f"已导入 {result.count} 条地名地址{replaced}（文件 SHA-256 {result.sha256}）")
        if result.ignored_columns:
            self.stdout.write(f"已忽略的列：{'、'.join(result.ignored_columns)}")
