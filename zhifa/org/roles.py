"""The roles a user can hold (one per account) and what each may do.

Scope (``zhifa.org.jurisdiction``): the command centre and leaders see the whole district; officers,
auxiliaries and street dispatchers see their street; a department liaison sees its department's matters.
Auxiliary staff may collect information and serve documents, never decide (ZJR 30).
"""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "系统管理员"
    DISPATCHER = "dispatcher", "指挥中心调度员"
    LEADER = "leader", "领导"
    STREET_DISPATCHER = "street_dispatcher", "街道调度员"
    OFFICER = "officer", "执法队员"
    AUXILIARY = "auxiliary", "辅助人员"
    LIAISON = "liaison", "部门联络员"
    LEGAL_REVIEWER = "legal_reviewer", "法制审核员"
    BUSINESS_OWNER = "business_owner", "经营主体"


DISTRICT_WIDE_ROLES = {Role.ADMIN, Role.DISPATCHER, Role.LEADER, Role.LEGAL_REVIEWER}
STREET_ROLES = {Role.STREET_DISPATCHER, Role.OFFICER, Role.AUXILIARY}
# Who may change master data (subjects, catalogue, staff) inside their scope.
MASTER_DATA_EDITORS = {Role.ADMIN, Role.DISPATCHER, Role.STREET_DISPATCHER, Role.OFFICER}
# Who may decide (approve, penalise, close): never an auxiliary (ZJR 30), never a business owner.
DECIDING_ROLES = {Role.ADMIN, Role.DISPATCHER, Role.LEADER, Role.STREET_DISPATCHER, Role.OFFICER, Role.LEGAL_REVIEWER}
# Who must pass a second factor (TOTP) after the password (等保三级 身份鉴别: two factors for privileged users):
# administrators (and every staff/superuser account, zhifa.org.accounts.second_factor_required), leaders and
# legal reviewers — the roles that see the whole district and approve decisions.
SECOND_FACTOR_ROLES = {Role.ADMIN, Role.LEADER, Role.LEGAL_REVIEWER}
