"""The command centre says why each officer of a one-click crew is recommended — every officer, in the row,
not in a tooltip for the first one only (issue 16)."""

from typing import Any

from conftest import POINT_IN_A, World
from zhifa.catalog.models import Domain
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.events import services
from zhifa.events.states import EventSource
from zhifa.events.tests.conftest import on_duty, position_of
from zhifa.org.roles import Role
from zhifa.org.tests.factories import OfficerFactory, ProfileFactory, UserFactory


def test_each_officer_of_a_two_officer_crew_has_their_reasons_in_the_row(client_as: Any, world: World) -> None:
    matter = MatterFactory(
        department=world.enforcement_dept,
        name="餐饮油烟直排",
        keywords="油烟",
        domain=Domain.CATERING_FUMES,
        requires_two_officers=True,
    )
    crew = []
    for i, name in enumerate(["<b>甲</b>队员", "乙队员"]):
        user = UserFactory(username=f"crew{i}")
        ProfileFactory(user=user, district=world.district, role=Role.OFFICER, street=world.street_a)
        officer = OfficerFactory(
            district=world.district, user=user, name=name, home_department=world.enforcement_dept, street=world.street_a
        )
        on_duty(officer, domains=[Domain.CATERING_FUMES])
        position_of(officer, lon=POINT_IN_A[0], lat=POINT_IN_A[1] + 0.001 * (i + 1))
        crew.append(officer)
    services.event_intake(
        actor=world.user("dispatcher"),
        district=world.district,
        source=EventSource.HOTLINE,
        description="饭店油烟直排",
        lon=POINT_IN_A[0],
        lat=POINT_IN_A[1],
        matter_code=matter.code,
    )

    body = client_as("dispatcher").get("/command/").content.decode()

    reasons = body[body.index('class="rec-reasons"') :]
    reasons = reasons[: reasons.index("</form>")]
    assert "<b>&lt;b&gt;甲&lt;/b&gt;队员</b>：同街道" in reasons
    assert "<b>乙队员</b>：同街道" in reasons
    assert reasons.count("实时定位") == 2
