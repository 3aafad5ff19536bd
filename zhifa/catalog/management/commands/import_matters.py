from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhifa.catalog.importer import SHIPPED_CATALOGUE, matters_import
from zhifa.core.actors import SystemActor
from zhifa.core.errors import ValidationFailed
from zhifa.org.models import District


class Command(BaseCommand):
    help = "导入执法事项目录（CSV 或 XLSX，列格式见 docs/catalog.md）：逐行校验，全部正确才写入。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default=str(SHIPPED_CATALOGUE), help="文件路径，默认为随附的目录")
        parser.add_argument("--district", required=True, help="区的行政区划代码，如 330105")
        parser.add_argument("--format", choices=["csv", "xlsx"], default=None, help="默认按扩展名判断")

    def handle(self, *args: Any, **options: Any) -> None:
        district = District.objects.filter(code=options["district"]).first()
        if district is None:
            raise CommandError(f"区不存在：{options['district']}")
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            result = matters_import(
                actor=SystemActor("命令行"), district=district, path_or_file=path, file_format=options["format"]
            )
        except ValidationFailed as exc:
            for error in exc.details.get("errors", []):
                self.stderr.write(error["message"])
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{district.name}：新增 {result.created} 项，更新 {result.updated} 项，未变 {result.unchanged} 项。"
            )
        )
