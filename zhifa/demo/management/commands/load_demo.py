from typing import Any

from django.core.management.base import BaseCommand, CommandParser

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

    def handle(self, *args: Any, **options: Any) -> None:
        result = demo_load(seed=options["seed"])
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
        if result.matters_note:
            self.stdout.write(f"  {result.matters_note}")
        self.stdout.write(f"  用时 {result.seconds:.1f} 秒")
