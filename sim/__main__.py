"""``make simulate`` — replay the scenario's day three times (our dispatch, zone round-robin, our dispatch with
predictive positions) and print 1530 compliance side by side; then the same for a second seeded day (the
scenario's seed + 1, the next date) on which the demand model was not fitted — the model of both days is
fitted on the history before the scenario's day (``sim.deployment``). Each run is its own process on its own
fresh SQLite database."""

import argparse
import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DEFAULT_SCENARIO = Path(__file__).parent / "scenarios" / "wulin-day.json"
POLICIES = {
    "ours": "本平台推荐派遣",
    "baseline": "片区轮派（基线）",
    "predictive": "预判布防+推荐派遣",
    "staffed": "预判布防+按测算排班",
}
PARALLEL = 3
SHIFT_NAMES = {"day": "白班", "night": "夜班"}


def second_day(scenario: Any) -> Any:
    """The second seeded day: the next date, the seed + 1 (its reports and draws are all new)."""
    return dataclasses.replace(scenario, seed=scenario.seed + 1, day=scenario.day + dt.timedelta(days=1))


def run_one(scenario_path: Path, policy: str, out: Path, *, is_second_day: bool = False) -> None:
    """Child process: fresh database, demo district, the day, the figures."""
    import io

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    import time_machine
    from django.core.management import call_command
    from django.utils import timezone

    from sim.engine import Simulation, measure
    from sim.scenario import load_scenario

    fitted_on = load_scenario(scenario_path)
    scenario = second_day(fitted_on) if is_second_day else fitted_on
    call_command("migrate", verbosity=0)
    morning = dt.datetime.combine(
        scenario.day - dt.timedelta(days=1), dt.time(6), tzinfo=timezone.get_current_timezone()
    )
    with time_machine.travel(morning, tick=False):
        # The throwaway database of this run (DATABASE_URL set above): its demo accounts go nowhere else.
        call_command("load_demo", verbosity=0, stdout=io.StringIO(), demo_accounts=True, into_named_database=True)
    started = time.perf_counter()
    sim = Simulation(scenario, policy, history_of=fitted_on)
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
        roster={
            shift: {
                "officers": sum(1 for s in sim.officers if s.shift == shift),
                "riding": sum(1 for s in sim.officers if s.shift == shift and s.officer.travel_mode == "riding"),
            }
            for shift in scenario.shifts
        },
        staffing=[
            {
                "from": f"{s.starts_at.astimezone(timezone.get_current_timezone()):%m-%d %H:%M}",
                "to": f"{s.ends_at.astimezone(timezone.get_current_timezone()):%m-%d %H:%M}",
                "on_duty": s.on_duty,
                **s.staffing.as_json(),
            }
            for s in sim.shift_posts
        ],
    )
    out.write_text(json.dumps(figures, ensure_ascii=False, default=str), encoding="utf-8")


def fmt_share(part: dict[str, Any], total: int) -> str:
    return f"{part['share'] * 100:.1f}% ({part['met']}/{total})"


def fmt_seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f} s" if value < 120 else f"{value / 60:.1f} min"


def fmt_spread(part: dict[str, Any]) -> str:
    return f"{fmt_seconds(part['p50'])} / {fmt_seconds(part['p90'])}"


CLOCK_LABELS = (("acknowledge", "响应"), ("arrive", "到场"), ("handle", "处置"))

# What the two groups of 1530 rows measure (``sim.engine.summarise``), printed under the table.
NOTES = (
    "时限：每个事件按其时限规则（默认全天候 响应1/到场5/处置30分钟），各组用同一时限、同一计时方式。",
    "预判布防：派遣与本平台推荐相同；另按当日之前28天的历史（各日独立种子，不含仿真日）拟合网格×周内小时的预期事件量，"
    "每个班次用 OR-Tools 求建议点位（5分钟覆盖），队员上班即在点位、每次处置完毕返回点位。",
    "按测算排班：与预判布防相同，只是各班次按部署页面的人力测算（该班次最忙时段所需骑行人数）增配骑行队员，"
    "原情景的队员不变；同一天、同样的上报与抽样，用来检验“按测算配足人手”能否达到目标，代价见在岗人数。",
    "自派遣：服务在派遣时起算三个时限（event_dispatch，改派时 event_redispatch 重新起算）；"
    "本组按首次派遣起算、改派不重新起算，完成时间取该步骤首次完成，分母为已派遣事件。",
    "自上报：自事件上报时间（reported_at；热线受理时即完成研判）起算，分母为未合并的全部事件，"
    "从未派遣或该步骤从未完成的计为未达标；本平台在推荐无人时等待、基线任务排在忙碌队员之后，两者都计入。",
    "p50/p90 为自然时长；自上报的分位数把未完成的事件算作最长，落在其上时显示“—”。",
    "邻街人员：推荐扩展到邻近街道时本平台照派（超时改派两种方式都会）；仿真不回放邻近街道自己的事件，"
    "其人员只为本街道忙碌，所以另列借用的人次。",
)


def report(scenario_name: str, results: dict[str, dict[str, Any]]) -> str:
    cols = [POLICIES[p] for p in results]
    runs = list(results.values())
    staffing_notes: list[str] = []
    rows: list[tuple[str, list[str]]] = [
        ("上报事件 / 合并重复", [f"{r['events']} / {r['merged']}" for r in runs]),
        ("已派遣事件", [str(r["dispatched"]) for r in runs]),
        (
            "各班次在岗队员（其中骑行）",
            [
                "，".join(f"{SHIFT_NAMES.get(k, k)} {v['officers']}（{v['riding']}）" for k, v in r["roster"].items())
                for r in runs
            ],
        ),
        ("【自派遣起算】", ["" for _ in runs]),
    ]
    for clock, label in CLOCK_LABELS:
        rows.append((f"{label} ≤ 时限", [fmt_share(r[clock], r["dispatched"]) for r in runs]))
    for clock, label in CLOCK_LABELS:
        rows.append((f"{label} p50 / p90", [fmt_spread(r[clock]) for r in runs]))
    rows.append(("【自上报起算】", ["" for _ in runs]))
    rows.append(("上报→派遣 p50 / p90", [fmt_spread(r["from_report"]["dispatch"]) for r in runs]))
    rows.append(
        (
            "派遣前等待的事件（最长）",
            [
                f"{r['from_report']['dispatch']['waited']}（{fmt_seconds(r['from_report']['dispatch']['longest'])}）"
                for r in runs
            ],
        )
    )
    for clock, label in CLOCK_LABELS:
        rows.append((f"上报→{label} ≤ 时限", [fmt_share(r["from_report"][clock], r["accepted"]) for r in runs]))
    for clock, label in CLOCK_LABELS:
        rows.append((f"上报→{label} p50 / p90", [fmt_spread(r["from_report"][clock]) for r in runs]))
    rows += [
        ("【其他】", ["" for _ in runs]),
        ("超时升级 L1/L2/L3", ["/".join(str(r["escalations"][k]) for k in ("1", "2", "3")) for r in runs]),
        ("超时改派收回的任务", [str(r["taken_away"]) for r in runs]),
        (
            "邻街人员出勤 调度 / 超时改派（人数）",
            [
                f"{r['outside']['by_dispatcher']} / {r['outside']['by_watcher']}（{r['outside']['officers']}）"
                for r in runs
            ],
        ),
        ("无人可派的等待次数", [str(r["waits"]) for r in runs]),
        ("被拒绝的操作", [str(r["skipped"]) for r in runs]),
        ("仿真用时", [f"{r['seconds']:.1f} s" for r in runs]),
    ]
    for r in runs:
        if r["policy"] != "predictive":  # the same model for "staffed", which only changes the roster
            continue
        for s in r.get("staffing", []):
            if s["peak_hour"] is None:
                continue
            peak = f"{s['peak']} 人" if s["peak"] is not None else "超过上限"
            staffing_notes.append(
                f"  班次 {s['from']}–{s['to']}：在岗 {s['on_duty']} 人；按模型，预期事件的 {round(s['target'] * 100)}% "
                f"有空闲队员在时限内可达，全班平均需约 {s['shift']} 人，最忙时段 {s['peak_hour'][11:16]} 起"
                f"（预期 {s['peak_expected']:.1f} 件/小时）需约 {peak}。"
            )
    width = max(len(label) for label, _ in rows) + 2
    colw = [max(len(c), *(len(v[i]) for _, v in rows)) + 2 for i, c in enumerate(cols)]
    lines = [f"1530 达标情况 — {scenario_name}", ""]
    lines.append("指标".ljust(width) + "".join(c.ljust(w) for c, w in zip(cols, colw, strict=True)))
    lines.append("-" * (width + sum(colw)))
    for label, values in rows:
        lines.append(label.ljust(width) + "".join(v.ljust(w) for v, w in zip(values, colw, strict=True)))
    lines.append("")
    lines.extend(NOTES)
    if staffing_notes:
        lines.append("人力测算（预判布防，与部署页面相同的计算；步行队员按骑行计）：")
        lines.extend(staffing_notes)
    if any(r["errors"] for r in runs):
        lines.append("")
        for r in runs:
            for err in r["errors"][:5]:
                lines.append(f"  [{POLICIES[r['policy']]}] {err}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="Replay a street's day and compare dispatch policies.")
    parser.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO)
    parser.add_argument("--policy", choices=list(POLICIES))
    parser.add_argument("--json", type=Path, help="also write the figures here, with each wait for a free officer")
    parser.add_argument("--second-day", action="store_true", help="(with --policy) run the second seeded day")
    parser.add_argument("--first-day-only", action="store_true", help="skip the second seeded day")
    args = parser.parse_args()
    if args.policy:
        run_one(args.scenario, args.policy, args.json, is_second_day=args.second_day)
        return
    from sim.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    days = [False] if args.first_day_only else [False, True]
    results: dict[bool, dict[str, dict[str, Any]]] = {day: {} for day in days}
    with tempfile.TemporaryDirectory(prefix="zhifa-sim-") as tmp:
        runs: list[tuple[bool, str, Path, subprocess.Popen[bytes]]] = []
        pending = [(day, policy) for day in days for policy in POLICIES]
        while pending or runs:
            while pending and len(runs) < PARALLEL:
                day, policy = pending.pop(0)
                name = f"{policy}{'-2' if day else ''}"
                out = Path(tmp) / f"{name}.json"
                env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/{name}.sqlite3", "ZHIFA_VAR_DIR": tmp}
                cmd = [sys.executable, "-m", "sim", "--scenario", str(args.scenario), "--policy", policy]
                cmd += ["--json", str(out)] + (["--second-day"] if day else [])
                runs.append((day, policy, out, subprocess.Popen(cmd, env=env)))
            day, policy, out, proc = runs.pop(0)
            if proc.wait() != 0:
                raise SystemExit(f"仿真失败：{policy}")
            results[day][policy] = json.loads(out.read_text(encoding="utf-8"))
    if args.json:
        args.json.write_text(
            json.dumps({("day2" if k else "day1"): v for k, v in results.items()}, ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
    for day in days:
        name = scenario.name
        if day:
            other = second_day(scenario)
            name += f" — 第二个种子日（{other.day.isoformat()}，种子 {other.seed}，模型未见过）"
        else:
            name += f"（{scenario.day.isoformat()}，种子 {scenario.seed}）"
        print(report(name, results[day]))
        print()


if __name__ == "__main__":
    main()
