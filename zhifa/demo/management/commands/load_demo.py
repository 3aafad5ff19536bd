import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from zhifa.demo.services import DEFAULT_SEED, demo_load

COUNT_LABELS = {
    "streets": "街道",
    "zones": "片区",
    "grids": "网格",
    "departments": "部门",
    "teams": "街道执法队",
    "leadership_members": "领导小组成员",
    "officers": "执法人员",
    "auxiliaries": "辅助人员",
    "subjects": "执法对象",
    "licences": "证照",
    "matters": "执法事项",
    "users": "演示账号",
}


class Command(BaseCommand):
    help = "加载演示数据：拱墅区（18个街道、片区、网格、部门、人员、执法对象、演示账号）。已加载则不做任何改动。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"随机种子（默认 {DEFAULT_SEED}）")
        parser.add_argument(
            "--demo-accounts",
            action="store_true",
            help="同时创建演示账号（含公开密码的超级管理员；make run 会加上此项）",
        )
        parser.add_argument(
            "--into-named-database",
            action="store_true",
            help="DATABASE_URL 指定了数据库时，确认仍要把演示账号写入该库（仅限一次性的演示库）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = options["demo_accounts"]
        # Issue 9: a superuser with the published password must never land in a database someone named for
        # real use. A database named by DATABASE_URL gets the accounts only when the command is told twice.
        named = os.environ.get("DATABASE_URL", "")
        if accounts and named and not options["into_named_database"]:
            raise CommandError(
                f"DATABASE_URL 指定了数据库（{connection.settings_dict.get('NAME')}）：演示账号共用公开的密码，"
                "不会写入用户指定的数据库，未做任何改动。不带 --demo-accounts 可只加载演示数据；"
                "确是一次性的演示库，请再加 --into-named-database。"
            )
        result = demo_load(seed=options["seed"], accounts=accounts)
        district = result.district
        if not result.created:
            self.stdout.write(f"演示数据已存在：{district.name}（{district.code}），未做任何改动。")
            return
        self.stdout.write(
            self.style.SUCCESS(f"已加载演示数据：{district.name}（{district.code}），种子 {options['seed']}")
        )
        for key, value in result.counts.items():
            self.stdout.write(f"  {COUNT_LABELS.get(key, key)}：{value}")
        if result.sinking_share is not None:
            self.stdout.write(f"  执法人员下沉比例：{result.sinking_share * 100:.2f}%")
        if not accounts:
            self.stdout.write("  未创建演示账号（需要时加 --demo-accounts）")
        if result.matters_note:
            self.stdout.write(f"  {result.matters_note}")
        if result.calendar_note:
            self.stdout.write(f"  {result.calendar_note}")
        self.stdout.write(f"  用时 {result.seconds:.1f} 秒")
