"""Scoring: user and lead scores derived from recorded actions; activity scores reset to zero."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from emulator.core import Emulator
from tests.domains.test_members import call, error, new_user

KINDS = ("identity", "active", "intention")


class World:
    """The default tenant's records, where the other domains keep what users did."""

    def __init__(self, emulator: Emulator) -> None:
        self.records = emulator.tenants.default.records

    def tag(self, user: str, count: int = 1) -> None:
        for tag in self.records.find("tag")[:count]:
            self.records.create("user_tag", {"omni_user_uuid": user, "tag_uuid": tag["uuid"]})

    def register(self, user: str) -> None:
        activity = self.records.find("activity")[0]["entity_uuid"]
        fields = {"target_entity_uuid": activity, "omni_user_uuid": user}
        self.records.create("activity_user", fields)

    def lead(self, user: str | None, **profile: Any) -> str:
        fields = {"name": "线索", "business_type": "bt", **profile}
        if user is not None:
            fields["omni_user_uuid"] = user
        jing_uuid: str = self.records.create("lead", fields)["jing_uuid"]
        return jing_uuid


@pytest.fixture
def world(emulator: Emulator) -> World:
    return World(emulator)


def report(client: TestClient, headers: dict[str, str], user: str) -> None:
    body = {"event": "watch_live", "omni_user_uuid": user, "attributes": {"minutes": 30}}
    assert call(client, headers, "custom_event.report", body)["code"] == 0


def scores(client: TestClient, headers: dict[str, str], owner: str, uuid: str) -> Any:
    """Every score of one user or lead, merged from the three score queries."""
    field = "omni_user_uuids" if owner == "user" else "lead_uuids"
    merged: dict[str, Any] = {}
    for kind in KINDS:
        answer = call(client, headers, f"score.{owner}.{kind}", {field: [uuid]})
        assert answer["code"] == 0, answer
        (row,) = answer["data"]["list"]
        merged |= row
    return merged


def totals(found: Any) -> tuple[int, int, int]:
    return found["identity_score"], found["active_score"], found["intention_score"]


def reset(client: TestClient, headers: dict[str, str], *users: str) -> Any:
    return call(client, headers, "score.user.active.reset", {"omni_user_uuids": list(users)})


def test_a_user_without_actions_scores_zero(client: TestClient, headers: dict[str, str]) -> None:
    user = new_user(client, headers, "13600000001")
    found = scores(client, headers, "user", user)
    assert found == {
        "omni_user_uuid": user,
        "identity_score": 0,
        "identity_grade": "D",
        "active_score": 0,
        "active_level": "低活跃",
        "intention_score": 0,
    }


@pytest.mark.parametrize(
    ("action", "expected"),
    [("tag", (10, 0, 5)), ("register", (0, 10, 10)), ("lead", (20, 0, 20))],
)
def test_each_recorded_action_earns_its_points(
    client: TestClient, headers: dict[str, str], world: World, action: str, expected: Any
) -> None:
    user = new_user(client, headers, "13600000002")
    getattr(world, action)(user)
    assert totals(scores(client, headers, "user", user)) == expected


def test_reported_custom_events_count_toward_activity_and_intention(
    client: TestClient, headers: dict[str, str]
) -> None:
    user = new_user(client, headers, "13600000003")
    report(client, headers, user)
    report(client, headers, user)
    assert totals(scores(client, headers, "user", user)) == (0, 10, 10)


def test_actions_add_up(client: TestClient, headers: dict[str, str], world: World) -> None:
    user = new_user(client, headers, "13600000004")
    world.tag(user, 2)
    world.register(user)
    world.lead(user)
    report(client, headers, user)
    found = scores(client, headers, "user", user)
    assert totals(found) == (40, 15, 45)
    assert found["identity_grade"] == "C"


def test_only_the_users_own_actions_count(
    client: TestClient, headers: dict[str, str], world: World
) -> None:
    user, other = new_user(client, headers, "13600000005"), new_user(client, headers, "13600000006")
    world.tag(other, 3)
    report(client, headers, other)
    assert totals(scores(client, headers, "user", user)) == (0, 0, 0)


def test_unknown_users_are_listed_as_not_found(client: TestClient, headers: dict[str, str]) -> None:
    user = new_user(client, headers, "13600000007")
    body = {"omni_user_uuids": [user, "NoSuchUserNoSuchUser12", user]}
    answer = call(client, headers, "score.user.intention", body)["data"]
    assert answer == {
        "list": [{"omni_user_uuid": user, "intention_score": 0}],
        "not_found": ["NoSuchUserNoSuchUser12"],
    }


def test_a_query_takes_at_most_100_ids(client: TestClient, headers: dict[str, str]) -> None:
    body = {"omni_user_uuids": [f"user{n:018d}" for n in range(101)]}
    assert error(call(client, headers, "score.user.active", body)) == (30006, "$.omni_user_uuids")


def test_identity_and_intention_scores_stop_at_100(
    client: TestClient, headers: dict[str, str], world: World, emulator: Emulator
) -> None:
    user = new_user(client, headers, "13600000008")
    for n in range(12):
        tag = emulator.tenants.default.records.create("tag", {"name": f"兴趣{n}"})
        world.records.create("user_tag", {"omni_user_uuid": user, "tag_uuid": tag["uuid"]})
        world.lead(user)
    found = scores(client, headers, "user", user)
    assert (found["identity_score"], found["intention_score"]) == (100, 100)
    assert found["identity_grade"] == "A"


def test_a_stored_score_record_is_the_starting_score(
    client: TestClient, headers: dict[str, str], world: World
) -> None:
    user = new_user(client, headers, "13600000009")
    start = {"identity_score": 30, "active_score": 250, "intention_score": 12}
    world.records.create("user_score", {"omni_user_uuid": user, **start})
    world.tag(user)
    found = scores(client, headers, "user", user)
    assert totals(found) == (40, 250, 17)
    assert found["active_level"] == "中活跃"


@pytest.mark.parametrize(
    ("identity", "grade", "active", "level"),
    [
        (24, "D", 199, "低活跃"),
        (25, "C", 200, "中活跃"),
        (50, "B", 399, "中活跃"),
        (75, "A", 400, "高活跃"),
    ],
)
def test_grade_and_level_follow_the_scores(
    client: TestClient,
    headers: dict[str, str],
    world: World,
    *,
    identity: int,
    grade: str,
    active: int,
    level: str,
) -> None:
    user = new_user(client, headers, "13600000010")
    start = {"identity_score": identity, "active_score": active}
    world.records.create("user_score", {"omni_user_uuid": user, **start})
    found = scores(client, headers, "user", user)
    assert (found["identity_grade"], found["active_level"]) == (grade, level)


def test_a_reset_clears_the_activity_score_and_only_later_actions_count(
    client: TestClient, headers: dict[str, str], world: World, emulator: Emulator
) -> None:
    user = new_user(client, headers, "13600000011")
    world.register(user)
    world.tag(user)
    report(client, headers, user)
    assert totals(scores(client, headers, "user", user)) == (10, 15, 20)
    answer = reset(client, headers, user)["data"]
    assert answer == {"success": [{"index": 0, "omni_user_uuid": user}], "failure": []}
    assert totals(scores(client, headers, "user", user)) == (10, 0, 20)
    report(client, headers, user)  # in the same second as the reset: it still counts
    found = scores(client, headers, "user", user)
    assert totals(found) == (10, 5, 25)
    assert found["active_reset_time"] == emulator.clock.text()


def test_a_reset_clears_a_stored_starting_activity_score(
    client: TestClient, headers: dict[str, str], world: World
) -> None:
    user = new_user(client, headers, "13600000012")
    world.records.create("user_score", {"omni_user_uuid": user, "active_score": 480})
    reset(client, headers, user)
    assert scores(client, headers, "user", user)["active_score"] == 0
    assert len(world.records.find("user_score", omni_user_uuid=user)) == 1


def test_a_second_reset_clears_what_came_after_the_first(
    client: TestClient, headers: dict[str, str], world: World
) -> None:
    user = new_user(client, headers, "13600000013")
    report(client, headers, user)
    reset(client, headers, user)
    world.register(user)
    assert scores(client, headers, "user", user)["active_score"] == 10
    reset(client, headers, user)
    assert scores(client, headers, "user", user)["active_score"] == 0


def test_a_reset_fails_unknown_users_one_by_one(
    client: TestClient, headers: dict[str, str]
) -> None:
    user = new_user(client, headers, "13600000014")
    answer = reset(client, headers, "NoSuchUserNoSuchUser12", user)["data"]
    assert answer["success"] == [{"index": 1, "omni_user_uuid": user}]
    (failure,) = answer["failure"]
    assert (failure["index"], failure["code"]) == (0, 40030)
    assert failure["path"] == "$.omni_user_uuids[0]"


def test_a_lead_scores_its_profile_and_its_users_actions(
    client: TestClient, headers: dict[str, str], world: World
) -> None:
    user = new_user(client, headers, "13600000015")
    world.tag(user, 2)
    world.register(user)
    report(client, headers, user)
    lead = world.lead(user, mobile="13600000015", email="a@example.cn", owner="emp")
    found = scores(client, headers, "lead", lead)
    assert found["lead_uuid"] == lead
    assert totals(found) == (50, 15, 45)
    assert found["identity_grade"] == "B"


def test_a_lead_without_a_user_scores_its_profile_only(
    client: TestClient, headers: dict[str, str], world: World
) -> None:
    lead = world.lead(None, mobile="13600000016", company_id="示例科技")
    assert totals(scores(client, headers, "lead", lead)) == (20, 0, 0)


def test_a_leads_activity_follows_its_users_reset(
    client: TestClient, headers: dict[str, str], world: World
) -> None:
    user = new_user(client, headers, "13600000017")
    lead = world.lead(user)
    world.register(user)
    assert scores(client, headers, "lead", lead)["active_score"] == 10
    reset(client, headers, user)
    assert scores(client, headers, "lead", lead)["active_score"] == 0


def test_a_stored_lead_score_is_the_starting_score(
    client: TestClient, headers: dict[str, str], world: World
) -> None:
    lead = world.lead(None, mobile="13600000018")
    start = {"lead_uuid": lead, "identity_score": 35, "active_score": 7, "intention_score": 60}
    world.records.create("lead_score", start)
    assert totals(scores(client, headers, "lead", lead)) == (45, 7, 60)


def test_unknown_leads_are_listed_as_not_found(client: TestClient, headers: dict[str, str]) -> None:
    body = {"lead_uuids": ["NoSuchLeadNoSuchLead12"]}
    answer = call(client, headers, "score.lead.identity", body)["data"]
    assert answer == {"list": [], "not_found": ["NoSuchLeadNoSuchLead12"]}
