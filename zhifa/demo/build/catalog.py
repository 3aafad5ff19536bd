"""The demo's ``catalog`` records: the enforcement-matter catalogue, imported from the CSV the project ships,
with the district's default 处置结果类型 and 常用语 and a few matters' own (the officer's handle form offers them),
the complaint taxonomy (诉求类型) triage routes by, and each matter's first checklist version.

Input: the district and the actor to audit the import under. Output: a note for the load's report (how
many matters, or why none).
"""

from pathlib import Path

from zhifa.catalog.importer import matters_import
from zhifa.catalog.kinds import kinds_install
from zhifa.catalog.models import Matter
from zhifa.catalog.services import handling_defaults_install, matter_handling_add
from zhifa.core.actors import Actor
from zhifa.inspections.services import checklists_sync_from_catalogue
from zhifa.org.models import District

MATTERS_CSV = Path(__file__).resolve().parent.parent.parent / "catalog" / "data" / "matters.csv"


def matters_build(*, district: District, actor: Actor) -> str:
    if not MATTERS_CSV.exists():
        # The catalogue ships as zhifa/catalog/data/matters.csv; without it the demo runs without matters.
        return "未导入执法事项：找不到 zhifa/catalog/data/matters.csv"
    result = matters_import(actor=actor, district=district, path_or_file=MATTERS_CSV)
    handling_defaults_install(actor=actor, district_id=district.pk)
    for code, (phrases, result_types) in MATTER_HANDLING.items():
        matter = Matter.objects.filter(district=district, code=code).first()
        if matter is not None:
            matter_handling_add(actor=actor, matter_id=matter.pk, phrases=phrases, result_types=result_types)
    kinds = kinds_install(actor=actor, district_id=district.pk)
    # Each matter's first checklist version, from the catalogue's 检查要点 (issue 12): the checklists a subject's
    # inspection is generated from.
    checklists = checklists_sync_from_catalogue(actor=actor, district_id=district.pk)
    return (
        f"已导入执法事项 {result.total} 条（新增 {result.created} 条），诉求类型 {kinds} 个，"
        f"检查表 {checklists.created} 份"
    )


# Matters the demo's events are mostly about, with the phrases and results their officers use.
MATTER_HANDLING: dict[str, tuple[list[str], list[tuple[str, str, bool]]]] = {
    "ZJ-SR-001": (
        ["已责令当事人将占道物品搬离，恢复通行。", "当事人拒不整改，已拍照取证并告知将依法处理。"],
        [("seized", "暂扣物品", True)],
    ),
    "ZJ-YY-003": (["已责令停止露天烧烤，烧烤设施已撤离现场。"], []),
    "ZJ-XF-003": (["已责令清理疏散通道内堆放物品，通道已畅通。"], [("sealed", "查封场所", True)]),
}
