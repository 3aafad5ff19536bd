"""No secret key in the repository: production (no ZHIFA_DEV, no debug, not tests) refuses to start without
ZHIFA_SECRET_KEY; development makes a random one once; ``check --deploy`` flags a weak or development key."""

import os
import stat
import subprocess
import sys
from pathlib import Path

from zhifa.org.secret_key import development_secret_key

REPO = Path(__file__).resolve().parents[3]
STRONG = "k" * 10 + "Qx7!pZr2Lm9Vw4Ty6Bn8Hc3Jd5Fg1Ks0Ae-Ui_Oo+Pq=Rs*Tt&Uv"


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """A fresh process as an operator would start it: none of the development switches, its own VAR_DIR."""
    clean = {k: v for k, v in os.environ.items() if k not in {"ZHIFA_DEV", "ZHIFA_DEBUG", "ZHIFA_SECRET_KEY"}}
    # The audit chain's key (another setting, checked alike) is given so only the secret key is missing.
    clean.update(ZHIFA_VAR_DIR=str(tmp_path), ZHIFA_AUDIT_KEY="audit-" + "a1B2c3D4" * 6, **env)
    return subprocess.run([sys.executable, *args], cwd=REPO, env=clean, capture_output=True, text=True, timeout=120)


def test_manage_py_check_refuses_production_without_a_key(tmp_path: Path) -> None:
    result = run(["manage.py", "check"], tmp_path)
    assert result.returncode == 1
    assert "(zhifa.E001) 未设置 ZHIFA_SECRET_KEY：生产模式下拒绝启动。" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_the_server_refuses_to_start_without_a_key(tmp_path: Path) -> None:
    result = run(["-c", "import config.asgi"], tmp_path)
    assert result.returncode == 1
    assert "django.core.exceptions.ImproperlyConfigured: 未设置 ZHIFA_SECRET_KEY" in result.stderr


def test_with_a_key_production_starts(tmp_path: Path) -> None:
    result = run(["manage.py", "check"], tmp_path, ZHIFA_SECRET_KEY=STRONG)
    assert (result.returncode, result.stdout.strip()) == (0, "System check identified no issues (0 silenced).")


def test_check_deploy_flags_a_weak_key(tmp_path: Path) -> None:
    result = run(["manage.py", "check", "--deploy"], tmp_path, ZHIFA_SECRET_KEY="short-key")
    assert "(security.W009)" in result.stderr
    strong = run(["manage.py", "check", "--deploy"], tmp_path, ZHIFA_SECRET_KEY=STRONG)
    assert "security.W009" not in strong.stderr


def test_check_deploy_flags_the_development_key(tmp_path: Path) -> None:
    result = run(["manage.py", "check", "--deploy"], tmp_path, ZHIFA_DEV="1")
    assert "(zhifa.W001) SECRET_KEY 是开发用的自动生成密钥" in result.stderr
    assert "security.W009" not in result.stderr


def test_development_makes_one_random_key_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "secret_key"
    first = development_secret_key(path)
    again = development_secret_key(path)
    other = development_secret_key(tmp_path / "other_key")
    assert first == again != other
    assert len(first) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other_key", "secret_key"]


def test_the_repository_holds_no_fallback_key() -> None:
    assert "zhifa-development-key" not in (REPO / "config" / "settings.py").read_text()
