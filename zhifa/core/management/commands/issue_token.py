from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhifa.core.actors import SystemActor
from zhifa.core.tokens import api_token_issue


class Command(BaseCommand):
    help = "为账号签发接口令牌（只显示一次）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="接口调用")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"账号不存在：{options['username']}")
        _, key = api_token_issue(actor=SystemActor("命令行"), user=user, name=options["name"])
        self.stdout.write(key)
