"""The district's organisation: geography (street 街道 → zone 片区 → grid 网格), departments, teams, people.

Boundaries are GeoJSON geometries in WGS-84 lon/lat. The demo district's boundaries are approximate, which
``is_approximate`` records and the UI says.
"""

from django.conf import settings
from django.db import models

from zhifa.core.models import BaseModel
from zhifa.org.roles import Role


class District(BaseModel):
    code = models.CharField("行政区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=50)
    agency_name = models.CharField("执法机关名称", max_length=100)
    agency_abbreviation = models.CharField("文号机关代字", max_length=20, help_text="如“杭拱综执”")
    boundary = models.JSONField("边界(GeoJSON, WGS-84)")
    is_approximate = models.BooleanField("边界为示意", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "区"

    def __str__(self) -> str:
        return self.name


class Street(BaseModel):
    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT, related_name="streets")
    code = models.CharField("编码", max_length=20)
    name = models.CharField("名称", max_length=50)
    boundary = models.JSONField("边界(GeoJSON, WGS-84)")
    is_approximate = models.BooleanField("边界为示意", default=True)
    auxiliary_cap = models.PositiveIntegerField("辅助人员编制上限", default=20)

    class Meta:
        verbose_name = verbose_name_plural = "街道"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["district", "code"], name="street_code_unique")]

    def __str__(self) -> str:
        return self.name


class Zone(BaseModel):
    """片区: the unit a zone team answers for (片区化执法)."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    street = models.ForeignKey(Street, verbose_name="街道", on_delete=models.PROTECT, related_name="zones")
    code = models.CharField("编码", max_length=24)
    name = models.CharField("名称", max_length=50)
    boundary = models.JSONField("边界(GeoJSON, WGS-84)")

    class Meta:
        verbose_name = verbose_name_plural = "片区"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["district", "code"], name="zone_code_unique")]

    def __str__(self) -> str:
        return f"{self.street.name}·{self.name}"


class Grid(BaseModel):
    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    street = models.ForeignKey(Street, verbose_name="街道", on_delete=models.PROTECT)
    zone = models.ForeignKey(Zone, verbose_name="片区", on_delete=models.PROTECT, related_name="grids")
    code = models.CharField("编码", max_length=30)
    name = models.CharField("名称", max_length=50)
    boundary = models.JSONField("边界(GeoJSON, WGS-84)")

    class Meta:
        verbose_name = verbose_name_plural = "网格"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["district", "code"], name="grid_code_unique")]

    def __str__(self) -> str:
        return self.name


class DepartmentKind(models.TextChoices):
    COMMAND = "command", "执法指挥中心"
    DEPARTMENT = "department", "区级部门"
    OUTSIDE = "outside", "外部单位"


class Department(BaseModel):
    """A district department or an outside body (utility, telecom).

    ``is_sinking``: one of the six whose officers sink to the streets (综合执法、市场监管、文广旅体、应急管理、
    卫健、规资). ``is_coordinating``: one of the ten that handle work jointly (协同联办). A department can be both.
    """

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    code = models.CharField("编码", max_length=20)
    name = models.CharField("名称", max_length=50)
    short_name = models.CharField("简称", max_length=20)
    kind = models.CharField("类别", max_length=12, choices=DepartmentKind.choices)
    is_sinking = models.BooleanField("人员下沉街道", default=False)
    is_coordinating = models.BooleanField("协同联办部门", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "部门"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["district", "code"], name="department_code_unique")]

    def __str__(self) -> str:
        return self.name


class Team(BaseModel):
    """A street's comprehensive enforcement team (街道综合行政执法队), "1+N+1": leadership group + team + office."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    street = models.OneToOneField(Street, verbose_name="街道", on_delete=models.PROTECT, related_name="team")
    name = models.CharField("名称", max_length=80)
    office_phone = models.CharField("执法办电话", max_length=30, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "街道执法队"

    def __str__(self) -> str:
        return self.name


class TravelMode(models.TextChoices):
    """How an officer gets to an event (派遣推荐's travel time, 预判布防's reach): speeds in settings."""

    RIDING = "riding", "骑行（电动车）"
    WALKING = "walking", "步行"


class Officer(BaseModel):
    """An enforcement officer (执法人员). ``street`` is where they serve now: set means sunk to a street."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="officer",
    )
    name = models.CharField("姓名", max_length=30)
    badge_no = models.CharField("工号", max_length=20)
    certificate_no = models.CharField("执法证号", max_length=30)
    certificate_valid_until = models.DateField("执法证有效期至")
    home_department = models.ForeignKey(Department, verbose_name="所属部门", on_delete=models.PROTECT)
    street = models.ForeignKey(
        Street, verbose_name="服务街道", null=True, blank=True, on_delete=models.PROTECT, related_name="officers"
    )
    zone = models.ForeignKey(Zone, verbose_name="负责片区", null=True, blank=True, on_delete=models.PROTECT)
    phone = models.CharField("手机", max_length=20, blank=True)
    is_active = models.BooleanField("在岗", default=True)
    # Enforcement domains (``zhifa.catalog.models.Domain`` values) the officer's certificate covers.
    certified_domains = models.JSONField("持证执法领域", default=list, blank=True)
    # How the officer gets about on patrol: the recommender's travel time and the standby posts' reach use it.
    travel_mode = models.CharField("出行方式", max_length=10, choices=TravelMode.choices, default=TravelMode.RIDING)

    class Meta:
        verbose_name = verbose_name_plural = "执法人员"
        ordering = ["badge_no"]
        constraints = [
            models.UniqueConstraint(fields=["district", "badge_no"], name="officer_badge_unique"),
            models.UniqueConstraint(fields=["district", "certificate_no"], name="officer_certificate_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.badge_no}）"


class LeadershipRole(models.TextChoices):
    HEAD = "head", "组长"
    DEPUTY = "deputy", "副组长"
    MEMBER = "member", "成员"


class LeadershipMember(BaseModel):
    """A seat in a street team's leadership group (领导小组)."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    team = models.ForeignKey(Team, verbose_name="执法队", on_delete=models.CASCADE, related_name="leadership")
    name = models.CharField("姓名", max_length=30)
    position = models.CharField("职务", max_length=50)
    role = models.CharField("小组职务", max_length=10, choices=LeadershipRole.choices)

    class Meta:
        verbose_name = verbose_name_plural = "领导小组成员"


class AuxiliaryStatus(models.TextChoices):
    ACTIVE = "active", "在岗"
    LEFT = "left", "已离职"


class AuxiliaryStaff(BaseModel):
    """辅助人员: may collect information, support patrols and serve documents under supervision; never
    decides (ZJR 30). Headcount per street is capped by ``Street.auxiliary_cap``."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="auxiliary",
    )
    name = models.CharField("姓名", max_length=30)
    staff_no = models.CharField("编号", max_length=20)
    street = models.ForeignKey(Street, verbose_name="街道", on_delete=models.PROTECT, related_name="auxiliaries")
    duties = models.CharField("岗位职责", max_length=200)
    contract_start_on = models.DateField("合同开始")
    contract_end_on = models.DateField("合同结束")
    status = models.CharField("状态", max_length=10, choices=AuxiliaryStatus.choices, default=AuxiliaryStatus.ACTIVE)

    class Meta:
        verbose_name = verbose_name_plural = "辅助人员"
        ordering = ["staff_no"]
        constraints = [models.UniqueConstraint(fields=["district", "staff_no"], name="auxiliary_no_unique")]

    def __str__(self) -> str:
        return self.name


class AuxiliaryAssessment(BaseModel):
    staff = models.ForeignKey(
        AuxiliaryStaff, verbose_name="辅助人员", on_delete=models.CASCADE, related_name="assessments"
    )
    year = models.PositiveSmallIntegerField("年度")
    score = models.DecimalField("得分", max_digits=5, decimal_places=1)
    grade = models.CharField(
        "等次",
        max_length=10,
        choices=[("优秀", "优秀"), ("合格", "合格"), ("基本合格", "基本合格"), ("不合格", "不合格")],
    )
    note = models.CharField("评语", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "辅助人员考核"
        constraints = [models.UniqueConstraint(fields=["staff", "year"], name="assessment_once_a_year")]


class Profile(BaseModel):
    """A user's post: role and where it applies. Every selector reads scope from here."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="账号", on_delete=models.CASCADE, related_name="profile"
    )
    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    street = models.ForeignKey(Street, verbose_name="街道", null=True, blank=True, on_delete=models.PROTECT)
    department = models.ForeignKey(Department, verbose_name="部门", null=True, blank=True, on_delete=models.PROTECT)
    display_name = models.CharField("姓名", max_length=30)

    class Meta:
        verbose_name = verbose_name_plural = "用户岗位"

    def __str__(self) -> str:
        return f"{self.display_name}（{self.get_role_display()}）"


class AuxiliaryStatusChange(models.Model):
    """Append-only transition row of the auxiliary workflow (``zhifa.org.states.AUXILIARY_WORKFLOW``)."""

    staff = models.ForeignKey(
        AuxiliaryStaff, verbose_name="辅助人员", on_delete=models.PROTECT, related_name="status_changes"
    )
    action = models.CharField("动作", max_length=20)
    from_status = models.CharField("原状态", max_length=10, choices=AuxiliaryStatus.choices)
    to_status = models.CharField("新状态", max_length=10, choices=AuxiliaryStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.PROTECT)
    reason = models.TextField("理由", blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "辅助人员状态变更"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.staff} {self.from_status}→{self.to_status}"


class DutyShiftSource(models.TextChoices):
    """Where a shift came from: regenerating a month replaces only ``generated`` shifts that nobody touched
    (``zhifa.org.rosters``)."""

    GENERATED = "generated", "按模式生成"
    MANUAL = "manual", "手工排班"
    SWAP = "swap", "换班"


class DutyShift(models.Model):
    """One officer's shift on the duty roster (排班): dispatch recommends only officers on duty now.

    A shift removed by hand or by approved leave is kept with ``removed_at`` set (it is the roster's history,
    and it tells a regeneration that the day was edited by hand); ``zhifa.org.roster_selectors.shifts_on_duty_at``
    is the one place that decides who is on duty at a minute."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.CASCADE, related_name="shifts")
    starts_at = models.DateTimeField("开始")
    ends_at = models.DateTimeField("结束")
    # The roster the shift belongs to: the officer's street, or (street empty) their department's.
    street = models.ForeignKey(Street, verbose_name="街道", null=True, blank=True, on_delete=models.PROTECT)
    code = models.CharField("班次代码", max_length=8, blank=True)
    name = models.CharField("班次名称", max_length=20, blank=True)
    source = models.CharField("来源", max_length=10, choices=DutyShiftSource.choices, default=DutyShiftSource.MANUAL)
    pattern = models.ForeignKey(
        "ShiftPattern", verbose_name="排班模式", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField("备注", max_length=200, blank=True)
    removed_at = models.DateTimeField("撤销时间", null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="撤销人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    removal_reason = models.CharField("撤销原因", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "排班"
        indexes = [
            models.Index(fields=["district", "starts_at", "ends_at"], name="shift_window_idx"),
            models.Index(fields=["officer", "starts_at"], name="shift_officer_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.officer} {self.starts_at:%m-%d %H:%M}–{self.ends_at:%H:%M}"


class LoginFailure(models.Model):
    """One refused sign-in: the name tried (whether or not such an account exists, so that locking tells
    nothing about which names exist) and the client's address. ``zhifa.org.accounts`` counts these per name
    and per address inside ZHIFA_LOGIN_WINDOW_S; the password is never stored. Only a counter: rows older than the
    window are deleted as new failures come (the failures themselves stay in the audit trail)."""

    username = models.CharField("尝试的用户名", max_length=150)
    ip = models.GenericIPAddressField("客户端地址", null=True, blank=True)
    failed_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "登录失败记录"
        indexes = [
            models.Index(fields=["username", "failed_at"], name="org_loginfail_user_at"),
            models.Index(fields=["ip", "failed_at"], name="org_loginfail_ip_at"),
            models.Index(fields=["failed_at"], name="org_loginfail_at"),  # the prune of the window's past
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.ip or ''}"


class LoginLockKind(models.TextChoices):
    USERNAME = "username", "用户名"
    IP = "ip", "客户端地址"


class LoginLock(models.Model):
    """A lock on a user name or a client address after too many failed sign-ins (等保三级 登录失败处理).

    Active while ``unlocked_at`` is empty and ``locked_until`` is empty (until an administrator unlocks
    it) or still ahead. Rows stay after unlocking: they are the lock's history."""

    kind = models.CharField("类型", max_length=10, choices=LoginLockKind.choices)
    key = models.CharField("用户名或地址", max_length=150)
    locked_at = models.DateTimeField("锁定时间")
    locked_until = models.DateTimeField("自动解锁时间", null=True, blank=True)
    unlocked_at = models.DateTimeField("解锁时间", null=True, blank=True)
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="解锁人", null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = verbose_name_plural = "登录锁定"
        indexes = [models.Index(fields=["kind", "key", "locked_at"], name="org_loginlock_key_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"


class PasswordRecord(models.Model):
    """A password an account has had (its hash only) and when it was set: the history that a new password
    may not repeat, and the age that expiry counts from (zhifa.org.password_rules)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="账号", on_delete=models.CASCADE, related_name="password_records"
    )
    password = models.CharField("密码摘要", max_length=128)
    set_at = models.DateTimeField("设置时间")
    # Set by an administrator (a new account's initial password, a reset): good for one sign-in, after
    # which the holder must choose their own (zhifa.org.accounts.password_expired).
    is_one_time = models.BooleanField("一次性密码", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "密码历史"
        indexes = [models.Index(fields=["user", "set_at"], name="org_pwrecord_user_at")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.set_at:%Y-%m-%d}"


# --- duty rosters (排班, issue 14 part 5): patterns, leave and swap requests, the no-cover alert's record -----

REST_CODE = "休"


class ShiftPattern(BaseModel):
    """排班模式: a street's (or, for officers not sunk to a street, a department's) named shifts and rotation.

    ``cycle`` is one code a day (a ``ShiftDefinition`` code, or ``REST_CODE`` for a rest day), repeating from
    ``anchor_on``. The scope's active officers, in badge order, fall into ``group_count`` groups; group k runs
    the cycle ``k × len(cycle) / group_count`` days ahead, so e.g. ``白白夜夜休休`` with 3 groups has one group on
    days, one on nights and one resting every day. On a rest day of the working-day calendar (weekend or
    statutory holiday; a 调休 Saturday is a working day) only the shifts in ``rest_day_codes`` run — the
    pattern's holiday staffing; a round-the-clock pattern lists all its codes."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    street = models.ForeignKey(
        Street, verbose_name="街道", null=True, blank=True, on_delete=models.PROTECT, related_name="shift_patterns"
    )
    department = models.ForeignKey(Department, verbose_name="部门", null=True, blank=True, on_delete=models.PROTECT)
    name = models.CharField("名称", max_length=30)
    cycle = models.JSONField("轮换周期", help_text="每天一个班次代码，“休”为休息")
    group_count = models.PositiveSmallIntegerField("轮换组数", default=1)
    anchor_on = models.DateField("周期起始日")
    rest_day_codes = models.JSONField("休息日照常运行的班次", default=list, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "排班模式"
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(street__isnull=False, department__isnull=True)
                | models.Q(street__isnull=True, department__isnull=False),
                name="pattern_street_or_department",
            ),
            models.UniqueConstraint(fields=["district", "name"], name="pattern_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class ShiftDefinition(models.Model):
    """A named shift of a pattern (早 08:00 for 8 h, 夜 20:00 for 12 h …); a shift may cross midnight."""

    pattern = models.ForeignKey(ShiftPattern, verbose_name="排班模式", on_delete=models.CASCADE, related_name="shifts")
    code = models.CharField("代码", max_length=8)
    name = models.CharField("名称", max_length=20)
    start_time = models.TimeField("开始时刻")
    duration_minutes = models.PositiveSmallIntegerField("时长(分钟)")

    class Meta:
        verbose_name = verbose_name_plural = "班次"
        ordering = ["start_time", "code"]
        constraints = [
            models.UniqueConstraint(fields=["pattern", "code"], name="shift_definition_code_unique"),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=1, duration_minutes__lte=24 * 60),
                name="shift_definition_duration",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RosterRequestKind(models.TextChoices):
    LEAVE = "leave", "请假"
    SWAP = "swap", "换班"


class RosterRequestStatus(models.TextChoices):
    """See ``zhifa.org.roster_states``: pending until the street's (or the district's) dispatcher decides."""

    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "未批准"
    WITHDRAWN = "withdrawn", "已撤回"


class RosterRequest(BaseModel):
    """An officer's request for leave (请假: ``starts_on``–``ends_on``) or a swap (换班: ``shift`` for the colleague's
    ``other_shift``), asked by the officer or by the street dispatcher for them."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    kind = models.CharField("类型", max_length=10, choices=RosterRequestKind.choices)
    status = models.CharField(
        "状态", max_length=10, choices=RosterRequestStatus.choices, default=RosterRequestStatus.PENDING
    )
    officer = models.ForeignKey(
        Officer, verbose_name="申请人", on_delete=models.PROTECT, related_name="roster_requests"
    )
    street = models.ForeignKey(Street, verbose_name="街道", null=True, blank=True, on_delete=models.PROTECT)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提交人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField("开始日期", null=True, blank=True)
    ends_on = models.DateField("结束日期", null=True, blank=True)
    shift = models.ForeignKey(
        DutyShift, verbose_name="本人班次", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    other_shift = models.ForeignKey(
        DutyShift, verbose_name="对方班次", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField("事由", max_length=200)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_reason = models.CharField("审批意见", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "请假换班申请"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.officer} {self.get_kind_display()}"


class RosterRequestChange(models.Model):
    """Append-only transition row of the leave and swap workflows (``zhifa.org.roster_states``)."""

    request = models.ForeignKey(RosterRequest, verbose_name="申请", on_delete=models.PROTECT, related_name="changes")
    action = models.CharField("动作", max_length=20)
    from_status = models.CharField("原状态", max_length=10, choices=RosterRequestStatus.choices)
    to_status = models.CharField("新状态", max_length=10, choices=RosterRequestStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.PROTECT)
    reason = models.CharField("理由", max_length=200, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "请假换班审批记录"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.from_status}→{self.to_status}"


class RosterGap(models.Model):
    """A zone found with nobody on duty for a coming shift (无人值守预警): one row per zone and shift start, so
    the worker notifies once however often it looks."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    zone = models.ForeignKey(Zone, verbose_name="片区", on_delete=models.CASCADE)
    starts_at = models.DateTimeField("班次开始")
    ends_at = models.DateTimeField("班次结束")
    shift_name = models.CharField("班次", max_length=20)
    found_at = models.DateTimeField("发现时间")

    class Meta:
        verbose_name = verbose_name_plural = "无人值守预警"
        constraints = [models.UniqueConstraint(fields=["zone", "starts_at"], name="roster_gap_once")]

    def __str__(self) -> str:
        return f"{self.zone} {self.starts_at:%m-%d %H:%M}"
