"""Who may write the subject registry. Pure predicates over a ``Jurisdiction``; services enforce them.

Auxiliary staff (辅助人员) "may collect information … never decide" (ZJR 30). Registering a shop they found
on patrol, or correcting its phone number, is collecting information, so an auxiliary may create and update
subjects in their own street. Taking a subject off the register (``is_active``) is a decision about its legal
status, and so is a bulk import of the register, so both stay with officers and dispatchers.
"""

from zhifa.org.jurisdiction import Jurisdiction
from zhifa.org.roles import Role


def can_record_subject(j: Jurisdiction) -> bool:
    return j.can_edit_master_data or j.role == Role.AUXILIARY


def can_change_subject_status(j: Jurisdiction) -> bool:
    return j.can_edit_master_data


def can_import_subjects(j: Jurisdiction) -> bool:
    return j.can_edit_master_data


def covers_street(j: Jurisdiction, street_id: int) -> bool:
    """Whether a place in ``street_id`` lies inside the user's territory (district-wide roles: everywhere)."""
    return not j.is_street_scoped or j.street_id == street_id
