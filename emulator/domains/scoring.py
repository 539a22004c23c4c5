"""Scoring: identity, activity and intention scores of users and leads, from what they did."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from emulator.domains import Call, Handlers
from emulator.spec import Json

if TYPE_CHECKING:
    from collections.abc import Callable

    from emulator.clock import Clock
    from emulator.domains.users import UserStore
    from emulator.engine import Records

# The records of each action a user takes, all keyed by omni_user_uuid.
ACTIONS = {
    "tag": "user_tag",
    "registration": "activity_user",
    "event": "custom_event_record",
    "lead": "lead",
}
# Points each action earns toward each score (docs/ASSUMPTIONS.md, Scoring).
WEIGHTS = {
    "identity_score": {"tag": 10, "lead": 20},
    "active_score": {"registration": 10, "event": 5},
    "intention_score": {"tag": 5, "registration": 10, "event": 5, "lead": 20},
}
CAPS = {"identity_score": 100, "active_score": 100_000, "intention_score": 100}
LEAD_PROFILE = ("mobile", "email", "company_id", "account_id", "owner")
PROFILE_POINTS = 10  # toward a lead's identity score, per profile field filled in
# What each kind of score query answers beside the id.
FIELDS = {
    "identity": ("identity_score", "identity_grade"),
    "active": ("active_score", "active_level", "active_reset_time"),
    "intention": ("intention_score",),
}
LEVELS = ((400, "高活跃"), (200, "中活跃"), (0, "低活跃"))


class ScoreStore:
    """Scores computed on demand from the tenant's records of tags, registrations, custom
    events and leads, on top of any stored `user_score` / `lead_score` record (a starting
    score, e.g. seeded). An activity reset is a `user_score` record's offset and time.
    """

    def __init__(self, records: Records, users: UserStore, clock: Clock) -> None:
        self._records, self._users, self._clock = records, users, clock

    def user(self, omni_user_uuid: str) -> Json | None:
        """A user's three scores with grade and level, or None for an unknown user."""
        if self._users.get(omni_user_uuid) is None:
            return None
        base = self._stored("user_score", omni_user_uuid=omni_user_uuid)
        return _scored({"omni_user_uuid": omni_user_uuid}, base, self._since_reset(omni_user_uuid))

    def lead(self, jing_uuid: str) -> Json | None:
        """A lead's three scores, from its profile and its user's actions; None if unknown."""
        lead = self._records.lookup("lead", jing_uuid)
        if lead is None:
            return None
        earned = dict.fromkeys(WEIGHTS, 0)
        user = lead.get("omni_user_uuid")
        if user and self._users.get(user) is not None:
            earned = self._since_reset(user)
            earned["identity_score"] = WEIGHTS["identity_score"]["tag"] * self._count("tag", user)
        earned["identity_score"] += PROFILE_POINTS * sum(1 for f in LEAD_PROFILE if lead.get(f))
        base = self._stored("lead_score", lead_uuid=jing_uuid)
        return _scored({"lead_uuid": jing_uuid}, base, earned)

    def reset_active(self, omni_user_uuid: str, path: str = "$.omni_user_uuid") -> Json:
        """Clear a user's activity score: later scores count only actions after now."""
        self._users.require(omni_user_uuid, path)
        changes = {
            "active_score": 0,
            "active_offset": self._earned(omni_user_uuid)["active_score"],
            "active_reset_time": self._clock.text(),
        }
        stored = self._stored("user_score", omni_user_uuid=omni_user_uuid)
        if stored:
            return self._records.update("user_score", stored["uuid"], changes)
        return self._records.create("user_score", {"omni_user_uuid": omni_user_uuid, **changes})

    def _since_reset(self, omni_user_uuid: str) -> dict[str, int]:
        earned = self._earned(omni_user_uuid)
        offset = self._stored("user_score", omni_user_uuid=omni_user_uuid).get("active_offset", 0)
        earned["active_score"] = max(0, earned["active_score"] - offset)
        return earned

    def _earned(self, omni_user_uuid: str) -> dict[str, int]:
        """What the user's recorded actions earn toward each score, resets aside."""
        counts = {action: self._count(action, omni_user_uuid) for action in ACTIONS}
        return {
            score: sum(points * counts[action] for action, points in weights.items())
            for score, weights in WEIGHTS.items()
        }

    def _count(self, action: str, omni_user_uuid: str) -> int:
        return len(self._records.find(ACTIONS[action], omni_user_uuid=omni_user_uuid))

    def _stored(self, resource: str, **key: str) -> Json:
        found = self._records.find(resource, **key)
        return found[0] if found else {}


def _scored(key: Json, base: Json, earned: dict[str, int]) -> Json:
    """The scores (stored start plus earned, capped), identity grade and activity level."""
    scores = {name: min(cap, base.get(name, 0) + earned[name]) for name, cap in CAPS.items()}
    reset = {"active_reset_time": base["active_reset_time"]} if "active_reset_time" in base else {}
    return {
        **key,
        **scores,
        "identity_grade": grade(scores["identity_score"]),
        "active_level": level(scores["active_score"]),
        **reset,
    }


def grade(identity_score: int) -> str:
    """The identity grade of a score: D below 25, then C, B, and A from 75."""
    return "DCBA"[min(identity_score // 25, 3)]


def level(active_score: int) -> str:
    """The activity level of a score (低, 中 from 200, 高 from 400)."""
    return next(name for floor, name in LEVELS if active_score >= floor)


def _answer(ids: list[str], score: Callable[[str], Json | None], key: str, kind: str) -> Json:
    """A batch query's answer: each known id's scores of one kind, and the ids not found."""
    found = {uuid: score(uuid) for uuid in dict.fromkeys(ids)}
    rows = [
        {key: row[key], **{name: row[name] for name in FIELDS[kind] if name in row}}
        for row in found.values()
        if row is not None
    ]
    return {"list": rows, "not_found": [uuid for uuid, row in found.items() if row is None]}


def query_user_scores(kind: str, call: Call) -> Json:
    return _answer(call.body["omni_user_uuids"], call.state.scores.user, "omni_user_uuid", kind)


def query_lead_scores(kind: str, call: Call) -> Json:
    return _answer(call.body["lead_uuids"], call.state.scores.lead, "lead_uuid", kind)


def reset_user_active_scores(call: Call) -> Json:
    def reset(index: int, uuid: str) -> Json:
        call.state.scores.reset_active(uuid, f"$.omni_user_uuids[{index}]")
        return {"omni_user_uuid": uuid}

    return call.each(call.body["omni_user_uuids"], reset)


HANDLERS: Handlers = {
    **{f"score.user.{kind}": partial(query_user_scores, kind) for kind in FIELDS},
    **{f"score.lead.{kind}": partial(query_lead_scores, kind) for kind in FIELDS},
    "score.user.active.reset": reset_user_active_scores,
}
