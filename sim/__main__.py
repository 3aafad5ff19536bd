"""``make simulate`` — replay the scenario's day twice (our dispatch, zone round-robin) and print 1530
compliance side by side. Each policy runs in its own process on its own fresh SQLite database."""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DEFAULT_SCENARIO = Path(__file__).parent / "scenarios" / "wulin-day.json"
POLICIES = {"ours": "本平台推荐派遣", "baseline": "片区轮派（基线）"}


def run_one(scenario_path: Path, policy: str, out: Path) -> None:
    """Child process: fresh database, demo district, the day, the figures."""
    import datetime as dt
    import io

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    import time_machine
    from django.core.management import call_command
    from django.utils import timezone

    from sim.engine import Simulation, measure
    from sim.scenario import load_scenario

    scenario = load_scenario(scenario_path)
    call_command("migrate", verbosity=0)
    morning = dt.datetime.combine(
        scenario.day - dt.timedelta(days=1), dt.time(6), tzinfo=timezone.get_current_timezone()
    )
    with time_machine.travel(morning, tick=False):
        call_command("load_demo", verbosity=0, stdout=io.StringIO())
    started = time.perf_counter()
    sim = Simulation(scenario, policy)
    with time_machine.travel(morning, tick=False):
        sim.prepare()
    day = sim.run()
    figures = measure(scenario)
    figures.update(
        policy=policy,
        events=day.events,
        merged=day.merged,
        waits=day.waits,
        taken_away=day.taken_away,
        skipped=day.skipped_actions,
        wait_log=day.wait_log,
        errors=day.errors,
        seconds=time.perf_counter() - started,
    )
    out.write_text(json.dumps(figures, ensure_ascii=False, default=str), encoding="utf-8")


def fmt_share(part: dict[str, Any], total: int) -> str:
    return f"{part['share'] * 100:.1f}% ({part['met']}/{total})"


def fmt_seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f} s" if value < 120 else f"{value / 60:.1f} min"


def report(scenario_name: str, results: dict[str, dict[str, Any]]) -> str:
    cols = [POLICIES[p] for p in results]
    rows: list[tuple[str, list[str]]] = []
    first = next(iter(results.values()))
    rows.append(("上报事件 / 合并重复", [f"{r['events']} / {r['merged']}" for r in results.values()]))
    rows.append(("已派遣事件", [str(r["dispatched"]) for r in results.values()]))
    for clock, label in (("respond", "响应 ≤ 时限"), ("arrive", "到场 ≤ 时限"), ("feedback", "反馈 ≤ 时限")):
        rows.append((label, [fmt_share(r[clock], r["dispatched"]) for r in results.values()]))
    for clock, label in (("respond", "响应"), ("arrive", "到场"), ("feedback", "反馈")):
        rows.append(
            (
                f"{label} p50 / p90",
                [f"{fmt_seconds(r[clock]['p50'])} / {fmt_seconds(r[clock]['p90'])}" for r in results.values()],
            )
        )
    rows.append(
        (
            "超时升级 L1/L2/L3",
            ["/".join(r["escalations"][k].__str__() for k in ("1", "2", "3")) for r in results.values()],
        )
    )
    rows.append(("超时改派收回的任务", [str(r["taken_away"]) for r in results.values()]))
    rows.append(("无人可派的等待次数", [str(r["waits"]) for r in results.values()]))
    rows.append(("被拒绝的操作", [str(r["skipped"]) for r in results.values()]))
    rows.append(("仿真用时", [f"{r['seconds']:.1f} s" for r in results.values()]))
    width = max(len(label) for label, _ in rows) + 2
    colw = [max(len(c), *(len(v[i]) for _, v in rows)) + 2 for i, c in enumerate(cols)]
    lines = [f"1530 达标情况 — {scenario_name}（时限自首次派遣起算；默认 1/5/30 分钟）", ""]
    lines.append("指标".ljust(width) + "".join(c.ljust(w) for c, w in zip(cols, colw, strict=True)))
    lines.append("-" * (width + sum(colw)))
    for label, values in rows:
        lines.append(label.ljust(width) + "".join(v.ljust(w) for v, w in zip(values, colw, strict=True)))
    if any(r["errors"] for r in results.values()):
        lines.append("")
        for r in results.values():
            for err in r["errors"][:5]:
                lines.append(f"  [{POLICIES[r['policy']]}] {err}")
    del first
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="Replay a street's day and compare dispatch policies.")
    parser.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO)
    parser.add_argument("--policy", choices=list(POLICIES))
    parser.add_argument("--json", type=Path, help="also write the figures here, with each wait for a free officer")
    args = parser.parse_args()
    if args.policy:
        run_one(args.scenario, args.policy, args.json)
        return
    from sim.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="zhifa-sim-") as tmp:
        for policy in POLICIES:
            out = Path(tmp) / f"{policy}.json"
            env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/{policy}.sqlite3", "ZHIFA_VAR_DIR": tmp}
            cmd = [
                sys.executable,
                "-m",
                "sim",
                "--scenario",
                str(args.scenario),
                "--policy",
                policy,
                "--json",
                str(out),
            ]
            subprocess.run(cmd, check=True, env=env)
            results[policy] = json.loads(out.read_text(encoding="utf-8"))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(report(scenario.name, results))


if __name__ == "__main__":
    main()
