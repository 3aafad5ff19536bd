"""Who may do what to a case. Pure predicates over a ``Jurisdiction``; the services enforce them.

- Seeing a case: the district-wide posts (administrator, command centre, leaders, legal reviewers) every case of
  the district; street posts (street dispatcher, officer, auxiliary) the cases of their street.
- Handling (登记线索, 提请立案, 调查取证, 调查终结, 事先告知, 录入当事人陈述, 送达, 催告): officers and street dispatchers of the
  case's street, the command centre and the administrator.
- Serving a document and collecting information: auxiliary staff too — they collect and serve under supervision,
  and never decide (ZJR 30).
- Approving (批准立案, 不予立案, 撤案, 移送, 作出决定, 申请强制执行, 结案, 回避): the agency's head and deputies (the
  leader's post) and the administrator.
- Legal review (法制审核, APL 58): the legal reviewer.
"""

from zhifa.org.jurisdiction import Jurisdiction
from zhifa.org.roles import Role

HANDLING_ROLES = frozenset({Role.ADMIN, Role.DISPATCHER, Role.STREET_DISPATCHER, Role.OFFICER})
SERVING_ROLES = HANDLING_ROLES | {Role.AUXILIARY}
APPROVING_ROLES = frozenset({Role.ADMIN, Role.LEADER})
REVIEWING_ROLES = frozenset({Role.LEGAL_REVIEWER})
CASE_VIEWING_ROLES = frozenset(
    {
        Role.ADMIN,
        Role.DISPATCHER,
        Role.LEADER,
        Role.LEGAL_REVIEWER,
        Role.STREET_DISPATCHER,
        Role.OFFICER,
        Role.AUXILIARY,
    }
)


def can_see_cases(j: Jurisdiction) -> bool:
    return j.role in CASE_VIEWING_ROLES


def covers_case_street(j: Jurisdiction, street_id: int) -> bool:
    return not j.is_street_scoped or j.street_id == street_id


def can_handle_cases(j: Jurisdiction) -> bool:
    return j.role in HANDLING_ROLES


def can_serve_documents(j: Jurisdiction) -> bool:
    return j.role in SERVING_ROLES


def can_approve_cases(j: Jurisdiction) -> bool:
    return j.role in APPROVING_ROLES


def can_review_cases(j: Jurisdiction) -> bool:
    return j.role in REVIEWING_ROLES
