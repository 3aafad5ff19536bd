"""Demo accounts (published password, a superuser among them) only with an explicit flag, and never into a
database named by DATABASE_URL unless told that too (issue 9)."""

import subprocess
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from zhifa.core.models import AuditEntry
from zhifa.org.models import District, Profile

REPO = Path(__file__).resolve().parents[3]


def test_demo_accounts_into_a_database_named_by_database_url_are_refused(db: None, monkeypatch: Any) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://zhifa@db.example/zhifa_prod")
    with pytest.raises(CommandError) as refused:
        call_command("load_demo", "--demo-accounts", stdout=StringIO())
    assert "演示账号共用公开的密码，不会写入用户指定的数据库，未做任何改动。" in str(refused.value)
    assert (District.objects.count(), get_user_model().objects.count(), AuditEntry.objects.count()) == (0, 0, 0)


def test_without_the_flag_the_demo_data_comes_without_any_account(db: None, monkeypatch: Any) -> None:
    # Given a database named by DATABASE_URL (data may go there; accounts may not)
    monkeypatch.setenv("DATABASE_URL", "postgres://zhifa@db.example/zhifa_prod")
    out = StringIO()

    # When the demo is loaded without --demo-accounts
    call_command("load_demo", stdout=out)

    # Then the district is there and no account of any kind
    assert District.objects.count() == 1
    assert (get_user_model().objects.count(), Profile.objects.count()) == (0, 0)
    assert "未创建演示账号（需要时加 --demo-accounts）" in out.getvalue()
    assert AuditEntry.objects.get(action="demo.load").after["accounts"] is False
    logins = StringIO()
    call_command("demo_logins", stdout=logins)
    assert logins.getvalue() == "尚无演示账号：先运行 manage.py load_demo。\n"


def test_make_run_asks_for_the_demo_accounts_explicitly() -> None:
    dry = subprocess.run(["make", "-n", "demo"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert ".venv/bin/python manage.py load_demo --demo-accounts" in dry.splitlines()
