"""Every write to the subject registry (STYLE.md: services write, selectors read)."""

from zhifa.subjects.services.bulk_import import COLUMN_ALIASES, ImportResult, subjects_import
from zhifa.subjects.services.registry import subject_create, subject_update

__all__ = ["COLUMN_ALIASES", "ImportResult", "subject_create", "subject_update", "subjects_import"]
