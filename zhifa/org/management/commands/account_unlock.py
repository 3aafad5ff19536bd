from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zhifa.core.actors import SystemActor
from zhifa.org.accounts import login_unlock


class Command(BaseCommand):
    help = "解除登录锁定：按用户名或客户端地址解锁（登录失败次数过多而锁定的）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("key", help="被锁定的用户名或客户端 IP 地址")

    def handle(self, *args: Any, **options: Any) -> None:
        # Run by an operator at the server: the audit entry names the command, as the system's other
        # unattended writes name 系统.
        lifted = login_unlock(actor=SystemActor("管理命令 account_unlock"), key=options["key"])
        if lifted:
            self.stdout.write(self.style.SUCCESS(f"已解锁 {options['key']}（{lifted} 项锁定）。"))
        else:
            self.stdout.write(f"{options['key']} 当前没有锁定，未做任何改动。")
