import unicodedata
from typing import Any

from django.core.management.base import BaseCommand

from zhifa.demo.services import demo_login_rows


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "列出演示账号：用户名、角色、范围、密码和特权账号的身份验证器密钥（仅供演示，切勿用于生产）。"

    def handle(self, *args: Any, **options: Any) -> None:
        rows = demo_login_rows()
        if not rows:
            self.stdout.write("尚无演示账号：先运行 manage.py load_demo。")
            return
        table = [("用户名", "角色", "范围", "密码", "身份验证器密钥")] + [
            (r.username, r.role, r.scope, r.password, r.totp_secret) for r in rows
        ]
        widths = [max(_width(row[i]) for row in table) for i in range(5)]
        for n, row in enumerate(table):
            self.stdout.write("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
            if n == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        self.stdout.write(
            "另有：每名执法队员的手机账号（工号小写，如 zhzf002）、各街道调度员（diaodu_街道编码，如 diaodu_330105001）、"
            "各协同部门联络员（lianluo_部门编码，如 lianluo_ga）。"
        )
        self.stdout.write("以上账号共用演示密码，仅供演示，切勿用于生产环境。")
        self.stdout.write(
            "管理员、领导、法制审核员登录后还须输入六位验证码：把“身份验证器密钥”加入手机身份验证器（TOTP，30 秒）即可。"
        )
