"""On-demand events: payloads of the events no API call sends and of the back-office actions on
leads and accounts, built from an app's real state (its latest user, activity, registration,
lead or account), overridden by dotted path, checked by schema; nothing stored changes."""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from emulator import events, spec
from emulator.clock import Clock, Ids
from emulator.envelope import ApiError
from emulator.spec import Json
from emulator.tenants import Tenant
from emulator.validation import require
from emulator.webhooks import stamp

LEAD, ACCOUNT = "lead", "account"
NEEDS = {LEAD: "a lead", ACCOUNT: "an account"}
NOTE = "电话回访: 客户希望下周安排产品演示"  # the default text of object_add_notes


@dataclass(frozen=True, slots=True)
class Source:
    """What a payload is built from: the event, the app's state, time, ids and the overrides."""

    event: str
    tenant: Tenant
    clock: Clock
    ids: Ids
    overrides: Json

    def user(self, needs: str = "a user", having: Callable[[Json], Any] = bool) -> Json:
        """The user the overrides name (extra_data.omni_user_uuid), else the latest one."""
        users = [u for u in self.tenant.users.records() if having(u)]
        return self._pick(users, "omni_user_uuid", needs)

    def activity(self, kind: str | None = None) -> Json:
        """The activity the overrides name (extra_data.entity_uuid), else the latest (of a kind)."""
        found = [a for a in self.tenant.activities.records() if kind in (None, a.get("type"))]
        return self._pick(found, "entity_uuid", f"a {kind} activity" if kind else "an activity")

    def _pick(self, records: list[Json], key: str, needs: str) -> Json:
        wanted = self.overrides.get(f"extra_data.{key}")
        named = [record for record in records if record[key] == wanted]
        return self._last(named or records, needs)

    def kind(self) -> str:
        """The CRM object the overrides name (extra_data.object_name), else the one whose records
        hold the named entity_id, else the event's first (lead)."""
        objects = spec.events().by_name[self.event].get("objects", [LEAD])
        named = self.overrides.get("extra_data.object_name")
        if named in objects:
            return str(named)
        holding = [kind for kind in objects if self._named(self._crm(kind), "entity_id")]
        return str((holding or objects)[0])

    def record(self, kind: str, needs: str = "", having: Callable[[Json], Any] = bool) -> Json:
        """The lead or account the overrides name (extra_data.entity_id), else the latest one
        (having what the event needs)."""
        found = self._crm(kind)
        named = self._named(found, "entity_id")
        return self._last(named or [r for r in found if having(r)], needs or NEEDS[kind])

    def related(self, kind: str, linked: Callable[[Json], Any]) -> Json:
        """The lead or account the overrides name (extra_data.target_entity_id), else the latest
        one linked to the event's record, else the latest one."""
        found = self._crm(kind)
        named = self._named(found, "target_entity_id")
        return self._last(named or [r for r in found if linked(r)] or found, NEEDS[kind])

    def _crm(self, kind: str) -> list[Json]:
        return self.tenant.records.find(kind)  # read only: the payload is built anew

    def _named(self, records: list[Json], key: str) -> list[Json]:
        wanted = self.overrides.get(f"extra_data.{key}")
        return [record for record in records if record["jing_uuid"] == wanted]

    def registration(self) -> tuple[Json, Json]:
        """An activity and its latest registration (the activity the overrides name, if any)."""
        activity = self.activity()
        registered = self.tenant.activities.registrations(activity["entity_uuid"])
        return activity, self._last(registered, "a user registered to an activity")

    def _last(self, found: list[Json], needs: str) -> Json:
        if not found:
            app_id = self.tenant.app_id
            raise ApiError(
                "event_needs_state", event=self.event, needs=needs, app_id=app_id, path="$.app_id"
            )
        return found[-1]


Builder = Callable[[Source], Json]


def _identity(user: Json, kind: str) -> str:
    return next((i["value"] for i in user["identities"] if i["type"] == kind), "")


def _person(user: Json) -> Json:
    """What a form a user submits would hold: name, mobile and email as stored."""
    form = {"name": user["fields"].get("name", "")}
    return form | {kind: _identity(user, kind) for kind in ("mobile", "email")}


def _activity(kind: str) -> Builder:
    def build(source: Source) -> Json:
        activity = source.activity(kind)
        created = activity.get("create_time", "")  # activities are records: create_time
        fields = ("entity_uuid", "name")
        return {**{k: activity.get(k, "") for k in fields}, "created_at": created, "type": kind}

    return build


def _template(**extra: Any) -> Builder:
    def build(source: Source) -> Json:
        needs = "a user with a wechat_openid identity"
        user = source.user(needs, lambda u: _identity(u, "wechat_openid"))
        return {
            "omni_user_uuid": user["omni_user_uuid"],
            "wechat_openid": _identity(user, "wechat_openid"),
            "wechat_appid": "wx" + source.ids.hex32()[:16],
            "template_id": source.ids.short(),
            "msg_id": source.ids.digits(10),
            "title": "活动报名成功通知",
            "url": "https://www.example.cn/activity",
            **extra,
        }

    return build


def _tracking(platform: str, event: str, **extra: Any) -> Builder:
    def build(source: Source) -> Json:
        user = source.user()
        session = {"session_id": source.ids.hex32(), "properties": {}}
        identity = {"omni_user_uuid": user["omni_user_uuid"], "platform": platform, "event": event}
        return {**identity, **session, **extra}

    return build


def _score(score_type: str, level: str, after: str, **extra: Any) -> Builder:
    def build(source: Source) -> Json:
        user = source.user()
        scored = {"omni_user_uuid": user["omni_user_uuid"], "score_type": score_type, **extra}
        return {**scored, "mapping_data": {level: [user["fields"].get(level), after]}}

    return build


def _signup(source: Source) -> Json:
    activity, registration = source.registration()
    user = source.tenant.users.get(registration["omni_user_uuid"])
    return {
        "entity_uuid": activity["entity_uuid"],
        "activity_name": activity.get("name", ""),
        "activity_type": activity.get("type", ""),
        "omni_user_uuid": registration["omni_user_uuid"],
        "jing_uuid": registration["jing_uuid"],
        "form_data": _person(user) if user else {},
    }


def _cta(source: Source) -> Json:
    user = source.user()
    return {
        "cta_uuid": source.ids.short(),
        "cta_name": "产品试用申请",
        "omni_user_uuid": user["omni_user_uuid"],
        "page_url": "https://www.example.cn/trial",
        "form_data": _person(user),
    }


def _privacy(source: Source) -> Json:
    user = source.user()
    policy = {"privacy_uuid": source.ids.short(), "privacy_name": "隐私政策", "version": "1.0"}
    return {"omni_user_uuid": user["omni_user_uuid"], **policy}


MP_PAGE = "pages/store/detail/detail"  # the vendor's example of a mini-program page
BUILDERS: dict[str, Builder] = {
    **{
        f"activity_{kind}_{action}": _activity(kind)
        for kind in ("live", "meeting")
        for action in ("create", "update", "delete")
    },
    "template_send": _template(),
    "template_click": _template(),
    "template_send_success": _template(status="success"),
    "template_send_error": _template(
        status="error", error_code=43004, error_msg="require subscribe"
    ),
    "pageView": _tracking(
        "h5", "pageView", page_url="https://www.example.cn/", page_title="首页", referrer=""
    ),
    "customEvent": _tracking("h5", "customEvent", event_name="RemoveFromCart"),
    "tracking_pageview": _tracking("miniprogram", "tracking_pageview", page_path=MP_PAGE),
    "tracking_customevent": _tracking(
        "miniprogram", "tracking_customevent", event_name="RemoveFromCart", page_path=MP_PAGE
    ),
    "tracking_vst": _tracking("miniprogram", "tracking_vst", page_path=MP_PAGE, scene=1001),
    "tracking_cls": _tracking("miniprogram", "tracking_cls", page_path=MP_PAGE, duration=60),
    "custom_field_update": _score("identity", "identity_grade", "A"),
    "total_update": _score("active", "active_level", "L1", total_score=10),
    "activity_signup": _signup,
    "cta_submit": _cta,
    "privacy_authorized": _privacy,
}


# Back-office actions on leads and accounts: the chains of events.py, from stored records


def _voids(source: Source) -> events.Chain:
    kind, at = source.kind(), source.clock.text()
    voided = events.lead_voided if kind == LEAD else events.account_voided
    return voided(source.record(kind), at)


def _relation(source: Source) -> events.Chain:
    """A lead with its account (else the latest), or an account with a lead of it (else the
    latest lead)."""
    at = source.clock.text()
    if source.kind() == ACCOUNT:
        account = source.record(ACCOUNT)
        lead = source.related(LEAD, lambda r: r.get("account_id") == account["jing_uuid"])
        return events.account_related(account, lead, at)
    lead = source.record(LEAD)
    account = source.related(ACCOUNT, lambda r: r["jing_uuid"] == lead.get("account_id"))
    return events.lead_related(lead, account, at)


def _restore(source: Source) -> events.Chain:
    return events.lead_restored(source.record(LEAD), source.clock.text())


def _notes(source: Source) -> events.Chain:
    return events.lead_notes_added(source.record(LEAD), NOTE, source.clock.text())


def _life_cycle(source: Source) -> events.Chain:
    """A lead reaching its stage from an unknown one (only the current stage is stored)."""
    return events.lead_life_cycle_changed(source.record(LEAD), None, source.clock.text())


def _pool(source: Source) -> events.Chain:
    """A lead in a pool, moved there from none (an owned lead released), as far as is stored."""
    lead = source.record(LEAD, "a lead in a pool", lambda r: r.get("lead_pool"))
    return events.lead_pool_changed(lead, None, source.clock.text())


CRM_BUILDERS: dict[str, Callable[[Source], events.Chain]] = {
    "object_voids": _voids,
    "object_restore": _restore,
    "object_add_notes": _notes,
    "object_relation": _relation,
    "object_update_life_cycle": _life_cycle,
    "object_change_lead_pool": _pool,
}


def build(source: Source) -> Json:
    """The payload of an on-demand event from the app's state, the overrides applied, checked
    against the event's schema."""
    built = _payload(source, _on_demand(source.event))
    payload = stamp(source.tenant.app_id, deepcopy(built))  # overrides change this copy only
    for dotted, value in source.overrides.items():
        _override(payload, dotted, value, source.event)
    require("invalid_event_payload", spec.event_schema(source.event), payload, event=source.event)
    return payload


def _payload(source: Source, entry: Json) -> Json:
    """The event's payload: a CRM chain's one event, else the inferred envelope of its fields."""
    crm = CRM_BUILDERS.get(source.event)
    if crm is not None:
        [(_, payload)] = crm(source)
        return payload
    category = entry["category"].lower().replace(" ", "_")
    extra = BUILDERS[source.event](source)
    return events.event(category, source.event, source.clock.text(), extra)[1]


def _on_demand(event: str) -> Json:
    entry = spec.events().by_name.get(event)
    if entry is None:
        raise ApiError("unknown_event", event=event, path="$.event")
    trigger = entry["trigger"]
    if event not in spec.events().triggerable():
        reason = (
            f"the API sends it ({', '.join(trigger)})"
            if trigger
            else "it follows a back-office action no operation performs"
        )
        raise ApiError("event_not_on_demand", event=event, reason=reason, path="$.event")
    return entry


def _override(payload: Json, dotted: str, value: Any, event: str) -> None:
    """Set one field by dotted path (list items by index), creating objects on the way."""
    node: Any = payload
    keys = dotted.split(".")
    for depth, key in enumerate(keys):
        slot = _slot(node, key)
        if slot is None:
            path = "$." + ".".join(keys[:depth]) if depth else "$"
            reason = f"holds {type(node).__name__} {node!r}, not an object with {key!r}"
            raise ApiError("invalid_event_payload", event=event, path=path, reason=reason)
        if depth == len(keys) - 1:
            node[slot] = value
        elif isinstance(node, dict):
            node.setdefault(slot, {})
        node = node[slot]


def _slot(node: Any, key: str) -> str | int | None:
    """Where key is in node: an object's field, a list's index, or nowhere (None)."""
    if isinstance(node, list) and key.isdigit() and int(key) < len(node):
        return int(key)
    return key if isinstance(node, dict) else None
