"""Deterministic made-up names and identifiers for the demo district.

Every function takes the caller's ``random.Random`` so that one seed reproduces the whole district. The
identifiers are well-formed (check characters per GB 32100-2015 and GB 11643-1999) but invented: any
resemblance to a real registration is chance.
"""

import datetime as dt
import random
from collections.abc import Callable

from zhifa.core.identifiers import USCC_ALPHABET, id_check_digit, uscc_check_char

DISTRICT_AREA_CODE = "330105"

# Common surnames, roughly in Zhejiang's order of frequency, repeated by weight.
SURNAMES = (
    "王" * 8
    + "陈" * 8
    + "张" * 6
    + "李" * 6
    + "徐" * 5
    + "吴" * 5
    + "周" * 5
    + "沈" * 4
    + "朱" * 4
    + "胡" * 4
    + "杨" * 3
    + "金" * 3
    + "钱" * 3
    + "俞" * 3
    + "蒋" * 3
    + "叶" * 3
    + "方" * 3
    + "汪" * 3
    + "孙" * 3
    + "黄" * 3
    + "郑" * 2
    + "潘" * 2
    + "章" * 2
    + "楼" * 2
    + "何" * 2
    + "赵" * 2
    + "刘" * 2
    + "邵" * 2
    + "应" * 2
    + "施" * 2
    + "毛"
    + "姚"
    + "戴"
    + "许"
    + "丁"
    + "冯"
    + "高"
    + "林"
    + "罗"
    + "陆"
    + "韩"
    + "傅"
    + "曹"
    + "袁"
    + "严"
    + "华"
    + "顾"
    + "孔"
    + "董"
    + "范"
    + "邱"
    + "骆"
    + "柴"
    + "裘"
    + "倪"
    + "虞"
    + "屠"
    + "葛"
    + "卢"
    + "程"
)
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红兵文斌辉鹏飞宇浩然晨晓燕雪梅丹玲萍倩婷颖"
    "俊峰林海波亮凯毅琳佳欣怡睿哲彬坤鑫蕾露瑶倩慧卫东新民永庆春立群跃进荣家豪嘉懿子涵梓轩一诺雨彤思远"
)


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN_CHARS) + (rng.choice(GIVEN_CHARS) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def mobile(rng: random.Random) -> str:
    return rng.choice(["13", "15", "17", "18", "19"]) + "".join(rng.choice("0123456789") for _ in range(9))


def landline(rng: random.Random) -> str:
    return "0571-8" + "".join(rng.choice("0123456789") for _ in range(7))


class UniqueIds:
    """Issues identifiers that are unique within one load (the database enforces USCC and plate)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.issued: set[str] = set()

    def _fresh(self, make: Callable[[], str]) -> str:
        while True:
            value = make()
            if value not in self.issued:
                self.issued.add(value)
                return value

    def uscc(self, category: str = "1") -> str:
        """A USCC registered with market regulation (登记管理部门 9): category 1 = company, 2 = individual
        trader; area code 330105; the organisation code uses the "MA" prefix issued since 2015."""

        def make() -> str:
            org = "MA2" + "".join(self.rng.choice(USCC_ALPHABET) for _ in range(6))
            first17 = "9" + category + DISTRICT_AREA_CODE + org
            return first17 + uscc_check_char(first17)

        return self._fresh(make)

    def id_number(self, *, born_from: int = 1960, born_to: int = 2000) -> str:
        """A resident ID number: mostly Hangzhou area codes, some from the provinces many traders come from."""
        areas = ["330105", "330103", "330106", "330102", "330104", "330110", "330182", "341222", "362321", "412726"]

        def make() -> str:
            area = self.rng.choice(areas)
            born = dt.date(born_from, 1, 1) + dt.timedelta(days=self.rng.randrange((born_to - born_from) * 365))
            first17 = area + born.strftime("%Y%m%d") + f"{self.rng.randrange(1000):03d}"
            return first17 + id_check_digit(first17)

        return self._fresh(make)

    def plate(self) -> str:
        """A Hangzhou (浙A) plate, stored the way ``zhifa.subjects.rules`` normalises plates (no "·");
        letters skip I and O as plates do."""
        letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"

        def make() -> str:
            tail = [self.rng.choice("0123456789") for _ in range(5)]
            tail[self.rng.randrange(2)] = self.rng.choice(letters)
            return "浙A" + "".join(tail)

        return self._fresh(make)

    def number(self, prefix: str, digits: int) -> str:
        return self._fresh(lambda: prefix + "".join(self.rng.choice("0123456789") for _ in range(digits)))


# Trade names (字号): two characters, the way small shops and companies are called.
BRANDS = [
    "知味",
    "楼外",
    "湖畔",
    "运河",
    "桥西",
    "大兜",
    "香积",
    "武林",
    "老杭",
    "江南",
    "钱塘",
    "西溪",
    "吴越",
    "味道",
    "外婆",
    "阿婆",
    "小胖",
    "阿强",
    "金牌",
    "鲜鲜",
    "福满",
    "聚贤",
    "和顺",
    "兴隆",
    "悦来",
    "同福",
    "隆兴",
    "鸿福",
    "好运",
    "新丰",
    "惠民",
    "万家",
    "百味",
    "一品",
    "御膳",
    "渔家",
    "山野",
    "川湘",
    "湘味",
    "兰州",
    "沙县",
    "东北",
    "重庆",
    "宏达",
    "恒信",
    "永盛",
    "鼎丰",
    "华源",
    "瑞丰",
    "嘉禾",
    "金鼎",
    "天成",
    "博远",
    "鑫茂",
    "众诚",
    "祥和",
    "锦程",
    "德润",
    "汇通",
    "昌隆",
    "佳和",
    "立信",
    "优品",
    "智联",
    "云帆",
    "启航",
    "新程",
    "匠心",
    "青禾",
    "半山",
    "拱宸",
    "皋亭",
    "艮山",
    "朝晖",
    "潮王",
    "文晖",
    "德胜",
    "东新",
    "和睦",
    "大关",
    "小河",
    "长庆",
    "红星",
    "光明",
    "春晓",
    "晨光",
    "蓝天",
    "绿源",
    "东方",
    "南山",
    "北辰",
    "星河",
    "银河",
    "紫金",
    "翠苑",
    "丽都",
    "美达",
    "康宁",
    "安泰",
    "信达",
    "广源",
    "泰和",
]

CATERING_SHOPS = [
    "小吃店",
    "面馆",
    "饭店",
    "小馆",
    "餐厅",
    "快餐店",
    "火锅店",
    "烧烤店",
    "奶茶店",
    "包子铺",
    "馄饨店",
    "川菜馆",
    "湘菜馆",
    "烤肉店",
    "咖啡馆",
    "烘焙坊",
    "酒楼",
    "私房菜馆",
    "粥铺",
    "麻辣烫店",
]
RETAIL_SHOPS = [
    "便利店",
    "超市",
    "水果店",
    "五金店",
    "烟酒店",
    "服装店",
    "药房",
    "手机店",
    "眼镜店",
    "花店",
    "母婴店",
    "文具店",
    "食品店",
    "茶叶店",
    "粮油店",
]
ENTERTAINMENT_SHOPS = ["KTV", "量贩式KTV", "棋牌室", "酒吧", "游艺厅", "剧本杀馆", "台球俱乐部", "电竞馆"]
LODGING_SHOPS = ["酒店", "宾馆", "精品酒店", "快捷酒店", "民宿", "酒店式公寓", "商务宾馆"]
INTERNET_SHOPS = ["网咖", "网吧", "电竞网咖"]
MEDICAL_SHOPS = ["诊所", "口腔门诊部", "中医诊所", "社区卫生服务站", "医疗美容诊所", "门诊部"]
ESTATE_SUFFIXES = ["苑", "园", "公寓", "家园", "花园", "新村", "府", "名邸", "雅苑", "嘉园"]
OFFICE_KINDS = [
    "科技有限公司",
    "网络科技有限公司",
    "文化传媒有限公司",
    "贸易有限公司",
    "信息技术有限公司",
    "咨询有限公司",
    "教育科技有限公司",
    "广告有限公司",
    "设计有限公司",
    "电子商务有限公司",
]
BUILDER_KINDS = ["建设有限公司", "建设集团有限公司", "建工集团有限公司", "建筑工程有限公司", "市政工程有限公司"]
PROJECT_KINDS = [
    "安置房",
    "商品住宅",
    "学校",
    "商业综合体",
    "地铁站",
    "道路改造",
    "城中村改造",
    "社区服务中心",
    "人才公寓",
    "养老院",
]
VENDOR_GOODS = [
    "水果",
    "蔬菜",
    "早点",
    "烤红薯",
    "小龙虾",
    "糖炒栗子",
    "鲜花",
    "臭豆腐",
    "煎饼",
    "玉米",
    "袜子",
    "手机贴膜",
]

CATERING_COMPANY_SUFFIXES = ["餐饮管理有限公司", "餐饮有限公司", *[f"{shop}有限公司" for shop in CATERING_SHOPS]]
MUCK_COMPANY_SUFFIXES = ["土石方工程有限公司", "渣土运输有限公司", "运输有限公司"]

# Individual traders (个体工商户) are named 拱墅区 + trade name + kind of shop.
TRADER_SHOPS: dict[str, list[str]] = {
    "retail": RETAIL_SHOPS,
    "lodging": ["民宿", "旅馆", "家庭旅馆"],
    "entertainment": ["棋牌室", "台球室", "桌游吧"],
    "internet_cafe": ["网吧", "网咖"],
}
# Companies: (prefixes, suffixes) around the trade name, by business category (业态).
COMPANY_NAMES: dict[str, tuple[list[str], list[str]]] = {
    "retail": (["杭州"], ["商贸有限公司", "超市有限公司", "便利店有限公司", "贸易有限公司"]),
    "office": (["杭州", "杭州", "浙江"], OFFICE_KINDS),
    # A residential estate is regulated through its property manager's project office.
    "property": (["杭州"], [f"物业服务有限公司{b}{e}项目部" for b in BRANDS[:40] for e in ESTATE_SUFFIXES]),
    "lodging": (["杭州"], [f"{shop}有限公司" for shop in LODGING_SHOPS]),
    "medical": (["杭州拱墅"], MEDICAL_SHOPS),
    "entertainment": (["杭州"], [f"{shop}娱乐有限公司" for shop in ENTERTAINMENT_SHOPS]),
    "warehouse": (["杭州"], ["物流有限公司", "仓储有限公司", "供应链管理有限公司"]),
    "internet_cafe": (["杭州"], [f"{shop}有限公司" for shop in INTERNET_SHOPS]),
    "hazardous_chemicals": (["杭州"], ["化工有限公司", "气体有限公司", "化学品贸易有限公司", "油品销售有限公司"]),
}

# Real roads of Gongshu, by street (街道): addresses use the roads of the street a point falls in.
ROADS_BY_STREET: dict[str, list[str]] = {
    "武林街道": ["武林路", "体育场路", "延安路", "凤起路", "环城西路", "孩儿巷"],
    "天水街道": ["中山北路", "延安路", "凤起路", "体育场路", "天水桥"],
    "朝晖街道": ["朝晖路", "潮王路", "中山北路", "上塘路", "香积寺路"],
    "潮鸣街道": ["建国北路", "凤起东路", "东清巷", "环城北路", "潮鸣寺巷"],
    "长庆街道": ["环城北路", "武林路", "长庆街", "中河北路", "耶稣堂弄"],
    "石桥街道": ["石桥路", "华丰路", "石祥路", "杭玻街", "永华街"],
    "东新街道": ["东新路", "香积寺东路", "德胜路", "新天地街", "东文路"],
    "文晖街道": ["文晖路", "中山北路", "朝晖路", "潮王路", "西文街"],
    "米市巷街道": ["米市巷", "湖墅南路", "环城北路", "新市街", "中山北路"],
    "湖墅街道": ["湖墅南路", "大兜路", "信义坊", "卖鱼桥", "湖墅北路"],
    "小河街道": ["小河路", "湖州街", "长征桥路", "登云路", "红建河路"],
    "和睦街道": ["和睦路", "莫干山路", "登云路", "丰潭路", "和睦新村路"],
    "大关街道": ["大关路", "上塘路", "东新路", "香积寺路", "大关西路"],
    "上塘街道": ["上塘路", "蔡马路", "长浜路", "假山路", "瓜山北路"],
    "拱宸桥街道": ["桥西直街", "丽水路", "湖州街", "小河路", "莫干山路"],
    "祥符街道": ["祥园路", "莫干山路", "花园岗街", "古运路", "勤丰路"],
    "康桥街道": ["康桥路", "康中路", "康园路", "康惠路", "石祥西路"],
    "半山街道": ["半山路", "石祥路", "临半路", "半山桥路", "老余杭路"],
}
FALLBACK_ROADS = ["湖墅南路", "莫干山路", "上塘路", "中山北路", "大关路", "丽水路", "石祥路", "登云路"]


def short_street(street_name: str) -> str:
    return street_name.removesuffix("街道")


def random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max(1, (end - start).days)))


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
