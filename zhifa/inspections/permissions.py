"""Who may read and make inspection plans and checklists (small pure predicates on a jurisdiction).

- Plans: the district-wide roles read every department's plans; a department liaison reads its own
  department's. The administrator and the command centre make and draw plans for any department of the
  district, a liaison for its own department only. Street roles and business owners see none.
- Checklists: the catalogue's editors (administrator, command centre) write versions of any matter; a
  liaison those of its department's matters. Whoever may see a subject may read its generated checklist.
- Conflicts of interest: recorded by those who make plans, for officers of a department they plan for.
"""

from zhifa.org.jurisdiction import Jurisdiction
from zhifa.org.roles import Role

PLAN_MAKERS = {Role.ADMIN, Role.DISPATCHER}


def can_read_department_plans(j: Jurisdiction, department_id: int) -> bool:
    if j.is_district_wide:
        return True
    return j.is_department_scoped and j.department_id == department_id


def can_make_plans(j: Jurisdiction, department_id: int) -> bool:
    if j.role in PLAN_MAKERS:
        return True
    return j.is_department_scoped and j.department_id == department_id


def can_write_checklist(j: Jurisdiction, department_id: int) -> bool:
    return can_make_plans(j, department_id)
