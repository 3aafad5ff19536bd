from pathlib import Path
from typing import Any

import pytest

from zhifa.core.models import AuditEntry
from zhifa.documents.models import Document, DocumentSequence, NumberRange
from zhifa.org.roles import Role
from zhifa.org.tests.factories import ProfileFactory, UserFactory


@pytest.fixture
def admin_user(world: Any) -> Any:
    """The district's system administrator (系统管理员), who allots pre-numbered ranges."""
    user = UserFactory(username="sysadmin")
    ProfileFactory(user=user, district=world.district, role=Role.ADMIN, display_name="管理员")
    return user


def footprint(media_root: Path) -> tuple[int, int, int, list[tuple[str, int]], int]:
    """Everything an issue writes: documents, ranges' positions, audit entries, sequences, files on disk."""
    files = sum(1 for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else 0
    return (
        Document.objects.count(),
        NumberRange.objects.filter(next_number__gt=0).count(),
        AuditEntry.objects.count(),
        list(DocumentSequence.objects.order_by("pk").values_list("kind", "last_number")),
        files,
    )
