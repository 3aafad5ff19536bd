"""Bulk import of the subject registry: 100,000 generated rows from a CSV through ``subjects_import``."""

import csv
import random
import time
from pathlib import Path

import numpy as np

from bench.district import BenchDistrict, random_points
from bench.results import Measurement
from zhifa.core.actors import SystemActor
from zhifa.core.identifiers import id_check_digit, uscc_check_char
from zhifa.subjects.models import Subject
from zhifa.subjects.services import subjects_import

ROWS = 100_000
TARGET_ROWS_PER_S = 5_000

HEADER = [
    "类型",
    "业态",
    "名称",
    "统一社会信用代码",
    "身份证号码",
    "车牌号",
    "负责人",
    "联系电话",
    "地址",
    "经度",
    "纬度",
]
_BRAND_CHARS = (
    "知味观楼外楼奎元馆新丰小吃老娘舅外婆家绿茶弄堂里金华酥饼张生记胖哥俩大娘水饺杭帮菜阿五黄鱼面"
    "联华世纪华润万家物美便利好又多永辉盒马天猫小店红星美凯龙宝龙中心银泰城万达广场东方明珠德克士"
    "鸿福顺祥瑞丰泰和兴隆盛昌茂源锦华宏达金鑫旺福佳美康乐安平仁和信义诚德"
)
_KIND_WORDS = {
    "餐饮": ["面馆", "小吃店", "餐厅", "火锅店", "烧烤店", "快餐店", "饺子馆", "茶餐厅"],
    "零售商超": ["便利店", "超市", "五金店", "水果店", "烟酒店", "副食店"],
    "娱乐场所": ["KTV", "棋牌室", "酒吧"],
    "住宿": ["宾馆", "酒店", "民宿"],
    "网吧": ["网咖", "网吧"],
    "仓储物流": ["物流有限公司", "仓储中心"],
    "危险化学品经营": ["化工贸易有限公司"],
    "医疗机构": ["诊所", "口腔门诊部"],
    "写字楼企业": ["科技有限公司", "文化传媒有限公司", "贸易有限公司"],
    "物业小区": ["物业管理有限公司"],
    "农贸市场": ["农贸市场", "菜场摊位"],
}
_ROADS = ["莫干山路", "湖墅南路", "上塘路", "丽水路", "大关路", "登云路", "沈半路", "石祥路", "舟山东路", "小河路"]
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def _uscc(prefix: str, n: int) -> str:
    first17 = f"{prefix}330105{n:09d}"
    return first17 + uscc_check_char(first17)


def _id_number(rng: random.Random) -> str:
    first17 = (
        f"330105{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    )
    return first17 + id_check_digit(first17)


def write_subjects_csv(path: Path, bench: BenchDistrict, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    lons, lats = random_points(bench, rows, np.random.default_rng(seed))
    categories = list(_KIND_WORDS)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            roll = rng.random()
            uscc = id_number = plate = ""
            brand = rng.choice(_BRAND_CHARS) + rng.choice(_BRAND_CHARS)
            road = rng.choice(_ROADS)
            if roll < 0.50:
                kind, category = "企业", rng.choice(categories)
                uscc = _uscc("91", i)
            elif roll < 0.85:
                kind, category = "个体工商户", rng.choice(["餐饮", "零售商超", "农贸市场"])
                if rng.random() < 0.5:
                    uscc = _uscc("92", i)
                else:
                    id_number = _id_number(rng)
            elif roll < 0.88:
                kind, category = "建筑工地", "建筑工地"
                uscc = _uscc("91", i)
            elif roll < 0.95:
                kind, category = "流动摊贩", "流动摊贩"
            else:
                kind, category = "车辆", "渣土运输车辆"
                plate = f"浙A{i:05d}"
            if category == "建筑工地":
                name = f"{road}{brand}项目工地"
            elif category == "流动摊贩":
                name = f"{rng.choice(_SURNAMES)}{rng.choice(_GIVEN)}{road}摊点"
            elif category == "渣土运输车辆":
                name = f"{plate}渣土运输车"
            else:
                name = f"{brand}{rng.choice(_KIND_WORDS[category])}（{road}店）"
            person = rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(["", *_GIVEN])
            phone = f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}"
            address = f"{road}{rng.randint(1, 999)}号"
            writer.writerow(
                [
                    kind,
                    category,
                    name,
                    uscc,
                    id_number,
                    plate,
                    person,
                    phone,
                    address,
                    f"{lons[i]:.7f}",
                    f"{lats[i]:.7f}",
                ]
            )


def run(bench: BenchDistrict, workdir: Path) -> list[Measurement]:
    path = workdir / "subjects.csv"
    write_subjects_csv(path, bench, ROWS)
    started = time.perf_counter()
    result = subjects_import(actor=SystemActor("基准测试"), district=bench.district, path_or_file=path)
    elapsed = time.perf_counter() - started
    stored = Subject.objects.filter(district=bench.district).count()
    if result.count != ROWS or stored != ROWS:
        raise RuntimeError(f"imported {result.count}, stored {stored}, expected {ROWS}")
    return [
        Measurement(f"subjects import, {ROWS:,} CSV rows (wall)", elapsed, "s"),
        Measurement("subjects import throughput", ROWS / elapsed, "rows/s", TARGET_ROWS_PER_S),
    ]
