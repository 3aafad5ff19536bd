"""The demo's ``catalog`` records: the enforcement-matter catalogue, imported from the CSV the project ships.

Input: the district and the actor to audit the import under. Output: a note for the load's report (how
many matters, or why none).
"""

from pathlib import Path

from zhifa.catalog.importer import matters_import
from zhifa.core.actors import Actor
from zhifa.org.models import District

MATTERS_CSV = Path(__file__).resolve().parent.parent.parent / "catalog" / "data" / "matters.csv"


def matters_build(*, district: District, actor: Actor) -> str:
    if not MATTERS_CSV.exists():
        # The catalogue ships as zhifa/catalog/data/matters.csv; without it the demo runs without matters.
        return "未导入执法事项：找不到 zhifa/catalog/data/matters.csv"
    result = matters_import(actor=actor, district=district, path_or_file=MATTERS_CSV)
    return f"已导入执法事项 {result.total} 条（新增 {result.created} 条）"
