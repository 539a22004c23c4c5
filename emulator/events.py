"""Webhook payloads of state changes: pure functions from records to chains of events.

Each builder returns [(event name, payload), ...] in the order the vendor sends the chain; the
payload is complete but for `mid`, the tenant id the publisher adds (webhooks.stamp). Records are
the JSON the stores hold. The event time is the record's update time (`update_time`,
`updated_at`, else its creation time) unless `at` ("YYYY-MM-DD HH:MM:SS") is given. CRM records
(leads, accounts) carry their id in `jing_uuid`, `business_type`, `owner` and their fields at the
top level; leads add `life_status`, `lead_pool`, `omni_user_uuid` (the lead's user) and
`collaborators`; a lead's source is its user's `source_data`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from emulator import spec
from emulator.clock import epoch
from emulator.spec import Json

Event = tuple[str, Json]
Chain = list[Event]
TIME_KEYS = ("update_time", "updated_at", "create_time", "created_at")
# Keys of a CRM record that are not fields, so never in mapping_data.
RECORD_KEYS = frozenset(
    {"jing_uuid", "create_time", "update_time", "omni_user_uuid", "source_data", "collaborators"}
)
STATUS_KEYS = (
    "ems_approvestatus",
    "ems_approvetimestamp",
    "ems_signinstatus",
    "ems_signintimestamp",
)
EMPTY_TEXT = "-"  # the account object_update sample labels an empty value so
# An API call has no back-office operator: the description page's sample of operator_type 0.
NO_OPERATOR: Json = {
    "operator_type": 0,
    "operator_id": 0,
    "omni_user_uuid": "",
    "is_follow_up": 0,
    "notes": "",
    "login_platform": "",
    "login_source_value": "",
    "login_source_type": "",
    "login_environment": "",
    "timeline_data": {
        "login_platform": "",
        "login_environment": "",
        "login_source_type": "",
        "login_source_name": "",
    },
}
# Scene types 1 (auto-assign), 5 (auto reclaim) and 6 (dedupe merge) happen without a person.
AUTOMATIC_SCENES = (1, 5, 6)


def event(category: str, name: str, at: str, extra: Json) -> Event:
    """An event in the envelope inferred for non-CRM events (schemas/common/webhooks)."""
    payload = {"event_category": category, "event_type": name, "create_time": epoch(at)}
    return name, {**payload, "extra_data": {**extra, "created_timestamp": at}}


def _when(record: Json, at: str | None = None) -> str:
    return at or next(str(record[key]) for key in TIME_KEYS if record.get(key))


def _changes(
    before: Mapping[str, Any], after: Mapping[str, Any], keys: Iterable[str] | None = None
) -> Json:
    """[before, after] per key whose value changed (by default, any key of either)."""
    keys = dict.fromkeys([*before, *after]) if keys is None else keys
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def _text(value: Any) -> str:
    if value is None or value == "" or value == []:
        return EMPTY_TEXT
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


# Users


def user_created(user: Json) -> Chain:
    """add_omni_user_success for a new user: its id, identities and custom fields."""
    extra = {
        "omni_user_uuid": user["omni_user_uuid"],
        "identities": [dict(identity) for identity in user["identities"]],
        "fields": dict(user["fields"]),
    }
    return [event("user", "add_omni_user_success", _when(user), extra)]


def user_fields_changed(before: Json, after: Json) -> Chain:
    """custom_field with [before, after] per changed custom field; nothing if none changed."""
    fields = (before["fields"], after["fields"])
    if fields[0] == fields[1]:
        return []
    changes = _changes(*fields)
    texts = {key: [_text(old), _text(new)] for key, (old, new) in changes.items()}
    extra = {
        "omni_user_uuid": after["omni_user_uuid"],
        "mapping_data": changes,
        "mapping_data_text": texts,
    }
    return [event("user", "custom_field", _when(after), extra)]


def users_upserted(before: Mapping[str, Json], users: Iterable[Json]) -> Chain:
    """A user batch's events: users absent from before (by id) are new, the others changed."""
    chain: Chain = []
    for user in users:
        old = before.get(user["omni_user_uuid"])
        chain += user_created(user) if old is None else user_fields_changed(old, user)
    return chain


def user_tagged(user: Json, tags: list[Json], at: str) -> Chain:
    """user_tagging for tags ({tag_name, tag_uuid?, group_name?}) put on a user at a time."""
    extra = {"omni_user_uuid": user["omni_user_uuid"], "tags": [dict(tag) for tag in tags]}
    return [event("user_action", "user_tagging", at, extra)]


def activity_user_status_changed(before: list[Json], after: list[Json]) -> Chain:
    """activity_user_status per registration whose status or status time changed."""
    old = {record["omni_user_uuid"]: record for record in before}
    chain: Chain = []
    for record in after:
        changes = _changes(old.get(record["omni_user_uuid"], {}), record, STATUS_KEYS)
        if changes:
            at = max(str(record[k]) for k in STATUS_KEYS[1::2] if k in changes or record[k])
            extra = {
                "entity_uuid": record["target_entity_uuid"],
                **{k: record[k] for k in ("omni_user_uuid", "jing_uuid", *STATUS_KEYS)},
                "mapping_data": changes,
            }
            chain.append(event("system_action", "activity_user_status", at, extra))
    return chain


# CRM (object_v2): leads and accounts


def _crm(name: str, object_name: str, record: Json, at: str, extra: Json) -> Event:
    """One object_v2 event; extra holds its own fields, action_keyword too when it differs."""
    action = extra.pop("action_keyword", name)
    payload = {"event_category": "object_v2", "event_type": name, "action_keyword": action}
    base = _object_base(object_name, record, at)
    return name, {**payload, "create_time": epoch(at), "extra_data": {**base, **extra}}


def _object_base(object_name: str, record: Json, at: str) -> Json:
    """The extra_data every object_v2 event carries; leads add their owner, stage and user."""
    base: Json = {
        "object_id": spec.events().crm["objects"][object_name]["object_id"],
        "object_name": object_name,
        "entity_id": record["jing_uuid"],
        **NO_OPERATOR,
        "business_type": record.get("business_type", ""),
        "created_timestamp": at,
    }
    if object_name == "lead":
        base["owner"] = record.get("owner")
        base["life_status"] = record.get("life_status", "")
        base["lead_omni_user_uuid"] = record.get("omni_user_uuid")
    return base


def _label(key: str, value: Any, names: Mapping[str, str]) -> str:
    """A field value's display text: business type names and the vendor's value labels."""
    crm = spec.events().crm
    if value in (None, "", []):
        return EMPTY_TEXT
    if key in crm["field_labels"]:
        return str(crm["field_labels"][key])
    if key == "business_type":
        return names.get(value, str(value))
    text = _text(value)
    return str(crm["labels"].get(key, {}).get(text, text))


def _names(business_types: Iterable[Json]) -> dict[str, str]:
    return {str(b["id"]): str(b["name"]) for b in business_types}


def _fields(record: Json) -> Json:
    return {k: v for k, v in record.items() if k not in RECORD_KEYS and v not in (None, "")}


def _created(object_name: str, record: Json, names: Mapping[str, str], at: str) -> Event:
    fields = _fields(record)
    if object_name == "lead" and record.get("life_status"):
        fields[f"to_{record['life_status']}_timestamp"] = at  # as both lead samples show
    extra = _as_data(fields, names)
    if object_name == "lead":
        extra |= {"business_unit": None, "baby_lead_action_uuid": None}
        extra["business_type_name"] = names.get(record.get("business_type", ""), "")
    return _crm("object_create", object_name, record, at, extra)


def _as_data(fields: Json, names: Mapping[str, str]) -> Json:
    """A record's fields as object_create carries them: [value] each, and their labels."""
    return {
        "mapping_data": {key: [value] for key, value in fields.items()},
        "mapping_data_text": {key: _label(key, value, names) for key, value in fields.items()},
    }


def _updated(object_name: str, before: Json, after: Json, names: Mapping[str, str]) -> Chain:
    changes = _changes(_fields(before), _fields(after))
    if not changes:
        return []
    texts = {k: [_label(k, old, names), _label(k, new, names)] for k, (old, new) in changes.items()}
    extra = {"mapping_data": changes, "mapping_data_text": texts}
    return [_crm("object_update", object_name, after, _when(after), extra)]


def _owner(record: Json, former: tuple[str | None, str | None, int]) -> Json:
    owner, (former_owner, former_name, scene) = record.get("owner"), former
    return {
        "action_keyword": "auto_distribution"
        if scene in AUTOMATIC_SCENES
        else "manual_distribution",
        "owner": owner,
        "former_owner": former_owner,
        "former_owner_name": former_name,
        "scene_type": scene,
        "entity_change_mapping": {"owner": [former_owner, owner]},
    }


def _relation(target_name: str, target: Json) -> Json:
    return {
        "target_object_id": spec.events().crm["objects"][target_name]["object_id"],
        "target_entity_id": target["jing_uuid"],
        "target_object_name": target_name,
    }


def account_created(account: Json, business_types: Iterable[Json] = ()) -> Chain:
    """object_create for a new account (its fields in mapping_data, their labels)."""
    return [_created("account", account, _names(business_types), _when(account))]


def account_updated(before: Json, after: Json, business_types: Iterable[Json] = ()) -> Chain:
    """object_update with [before, after] per changed account field; nothing if none changed."""
    return _updated("account", before, after, _names(business_types))


def account_owner_changed(
    account: Json, former: tuple[str | None, str | None, int], at: str | None = None
) -> Chain:
    """object_change_owner; former = (former owner id, former owner name, scene_type 1-6)."""
    extra = _owner(account, former)
    return [_crm("object_change_owner", "account", account, _when(account, at), extra)]


def account_voided(account: Json, at: str | None = None) -> Chain:
    """object_voids for an account."""
    return [_crm("object_voids", "account", account, _when(account, at), {})]


def account_related(account: Json, lead: Json, at: str | None = None) -> Chain:
    """object_relation: an account associated with a lead."""
    extra = _relation("lead", lead)
    return [_crm("object_relation", "account", account, _when(account, at), extra)]


def _life_cycle(lead: Json, from_stage: str | None, at: str) -> Event:
    extra = {"from_life_status": from_stage, "to_life_status": lead.get("life_status")}
    return _crm("object_update_life_cycle", "lead", lead, at, extra)


def lead_created(
    lead: Json, business_types: Iterable[Json] = (), source: Json | None = None
) -> Chain:
    """object_create, life cycle, source info (source: the lead's user's source_data; by
    default the lead's own). A user created with the lead sends add_omni_user_success
    (user_created) before this chain."""
    at = _when(lead)
    info = {"source_data": dict(source or lead.get("source_data") or {})}
    return [
        _created("lead", lead, _names(business_types), at),
        _life_cycle(lead, None, at),
        _crm("object_source_info", "lead", lead, at, info),
    ]


def lead_updated(before: Json, after: Json, business_types: Iterable[Json] = ()) -> Chain:
    """object_update_life_cycle (if the stage changed), then object_update of changed fields."""
    stage = before.get("life_status")
    moved = [_life_cycle(after, stage, _when(after))] if stage != after.get("life_status") else []
    return moved + _updated("lead", before, after, _names(business_types))


def lead_status_changed(
    lead: Json, from_status: str | None, to_status: str, at: str | None = None
) -> Chain:
    """object_update_status from one lead status (uuid) to another."""
    extra = {"from_leads_status": from_status, "to_leads_status": to_status}
    return [_crm("object_update_status", "lead", lead, _when(lead, at), extra)]


def lead_voided(lead: Json, at: str | None = None) -> Chain:
    """object_voids for a lead."""
    return [_crm("object_voids", "lead", lead, _when(lead, at), {})]


def lead_restored(lead: Json, at: str | None = None) -> Chain:
    """object_restore for a voided lead brought back."""
    return [_crm("object_restore", "lead", lead, _when(lead, at), {})]


def lead_owner_changed(
    lead: Json,
    former: tuple[str | None, str | None, int],
    at: str | None = None,
    business_types: Iterable[Json] | None = None,
) -> Chain:
    """object_change_owner; former = (former owner id, former owner name, scene_type 1-6).
    Given business_types, the variant with the lead's data (labelled with their names), which
    the vendor's staff switch on per platform."""
    extra = _owner(lead, former)
    if business_types is not None:
        extra |= _as_data(_fields(lead), _names(business_types))
    return [_crm("object_change_owner", "lead", lead, _when(lead, at), extra)]


def lead_life_cycle_changed(lead: Json, from_stage: str | None, at: str | None = None) -> Chain:
    """object_update_life_cycle from a stage to the lead's current life_status."""
    return [_life_cycle(lead, from_stage, _when(lead, at))]


def lead_notes_added(lead: Json, notes: str, at: str | None = None) -> Chain:
    """object_add_notes with the note's text."""
    return [_crm("object_add_notes", "lead", lead, _when(lead, at), {"notes": notes})]


def lead_members_added(lead: Json, members: list[str], at: str | None = None) -> Chain:
    """object_add_team_member with the added collaborators' ids."""
    extra = {"members": list(members)}
    return [_crm("object_add_team_member", "lead", lead, _when(lead, at), extra)]


def lead_members_removed(lead: Json, members: list[str], at: str | None = None) -> Chain:
    """object_remove_team_member with the removed collaborators' ids."""
    extra = {"members": list(members)}
    return [_crm("object_remove_team_member", "lead", lead, _when(lead, at), extra)]


def lead_pool_changed(lead: Json, from_pool: str | None, at: str | None = None) -> Chain:
    """object_change_lead_pool from a pool to the lead's current lead_pool."""
    extra = {"from_lead_pool": from_pool, "to_lead_pool": lead.get("lead_pool")}
    return [_crm("object_change_lead_pool", "lead", lead, _when(lead, at), extra)]


def lead_related(lead: Json, account: Json, at: str | None = None) -> Chain:
    """object_relation: a lead associated with an account."""
    extra = _relation("account", account)
    return [_crm("object_relation", "lead", lead, _when(lead, at), extra)]
