"""``joint_inspections_build``: the demo district's 综合查一次 (issue 12 parts 3 and 5).

Three departments (综合执法, 市场监管, 应急管理) each make a plan for the month from three days before the load
and draw it (双随机, a fixed public value per department: no generator is drawn from, so the steps before keep
their draws); the month's pending checks are merged into visits — a subject drawn by two or three of them is
one joint visit. With the demo accounts, the first joint visit one of whose officers has a phone account is
walked through the services to its signed record (start at the site, every item ticked, a finding, the party's
signature), so the record page, its QR code and the public 亮码检查 page have something to show; so are a few
more visits (``WALKED``), and each finding is ordered rectified (责令改正), so the rectification pages, the three
colours and the inspection report have records to read. The colours are then computed for the district.
"""

import datetime as dt
import io
from decimal import Decimal

from django.db.models import Q
from PIL import Image, ImageDraw

from zhifa.core.actors import Actor
from zhifa.core.errors import DomainError
from zhifa.inspections import colours, rectification, visit_services
from zhifa.inspections.models import JointInspection
from zhifa.inspections.services import plan_create, plan_draw
from zhifa.org.models import Department, District, Officer
from zhifa.org.roles import Role

# (department code, share of its subjects drawn): small shares of a large district, large enough that some
# subjects are drawn by two departments.
PLANS = [("ZHZF", Decimal("0.04")), ("SCJG", Decimal("0.08")), ("YJGL", Decimal("0.08"))]
PLAN_DAYS = 30
WALKED = 6  # visits walked to their signed record with the demo accounts, the first a joint one


def _signature_png() -> bytes:
    image = Image.new("RGBA", (480, 180), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(30, 120), (120, 40), (200, 130), (300, 50), (440, 110)], fill="black", width=5)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def joint_inspections_build(*, district: District, today: dt.date, actor: Actor, walk: bool) -> int:
    """The plans, their draws and the merged visits; returns how many visits were made."""
    starts, ends = today - dt.timedelta(days=3), today + dt.timedelta(days=PLAN_DAYS - 4)
    for code, ratio in PLANS:
        department = Department.objects.filter(district=district, code=code).first()
        if department is None:
            continue
        plan = plan_create(
            actor=actor,
            department_id=department.pk,
            name=f"{department.short_name}{starts:%Y年%m月}双随机抽查",
            starts_on=starts,
            ends_on=ends,
            target_ratio=ratio,
        )
        try:
            plan_draw(actor=actor, plan_id=plan.pk, public_value=f"demo-{code}-{starts:%Y%m%d}")
        except DomainError:
            continue  # a department without subjects or officers to draw: its plan stays undrawn
    try:
        merged = visit_services.inspections_merge(actor=actor, district_id=district.pk, starts_on=starts, ends_on=ends)
    except DomainError:
        return 0
    if walk:
        joint_first = sorted(merged.inspections, key=lambda v: (v.departments.count() < 2, v.pk))
        walked = 0
        for visit in joint_first:
            # Every third finding 较大, the rest 一般 (a 重大 one would hand a case lead to the cases app).
            if _walk_one(visit, severity="major" if walked % 3 == 2 else "general"):
                walked += 1
            if walked >= WALKED:
                break
    colours.colours_refresh(district_id=district.pk, on=today)
    return merged.visits


def _walk_one(visit: JointInspection, *, severity: str) -> bool:
    """One visit walked by one of its officers with a phone account to its signed record, its finding ordered
    rectified; False when none of its officers has an account. The officers are drawn from the whole district,
    so the one who walks it may be of another street: the order is then issued by an officer of the visit's
    street, who may order in it (an officer may order rectification only in his own street, or anywhere if of
    none); False when its street has no such officer."""
    phones = visit.officers.filter(user__isnull=False, user__profile__role=Role.OFFICER, is_active=True)
    in_street = Q(user__profile__street__isnull=True) | Q(user__profile__street_id=visit.street_id)
    officer = phones.filter(in_street).select_related("user").order_by("pk").first()
    issuer = officer
    if officer is None:
        officer = phones.select_related("user").order_by("pk").first()
        issuer = (
            Officer.objects.filter(
                district_id=visit.district_id, is_active=True, user__profile__role=Role.OFFICER, user__isnull=False
            )
            .filter(in_street)
            .select_related("user")
            .order_by("pk")
            .first()
        )
    if officer is None or officer.user is None or issuer is None or issuer.user is None:
        return False
    user = officer.user
    subject = visit.subject
    visit_services.inspection_start(actor=user, inspection_id=visit.pk, lon=subject.lon, lat=subject.lat)
    items = visit_services.visit_items(visit)
    for position, item in enumerate(items):
        outcome = "fail" if position == 0 and not item.requires_photo else "pass"
        if item.requires_photo:
            outcome = "na"
        visit_services.item_tick(actor=user, inspection_id=visit.pk, item_id=item.pk, outcome=outcome)
    finding = None
    if items:
        finding = visit_services.finding_add(
            actor=user,
            inspection_id=visit.pk,
            severity=severity,
            description=f"{items[0].text[:40]}：现场不符合要求，已当场指出",
            item_id=items[0].pk,
        )
    visit_services.party_sign(
        actor=user,
        inspection_id=visit.pk,
        party_name=subject.responsible_person or "负责人",
        signature_png=_signature_png(),
    )
    visit_services.inspection_close(actor=user, inspection_id=visit.pk)
    if finding is not None:
        rectification.order_issue(actor=issuer.user, finding_id=finding.pk)
    return True
