"""Tags: the tags users carry, tagging and untagging users in batch, tags in user answers."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from itertools import chain
from typing import NamedTuple

from emulator import events
from emulator.domains import Call, Handlers
from emulator.domains.users import UserStore
from emulator.engine import Records
from emulator.envelope import ApiError
from emulator.spec import Json

Pair = tuple[str, str]  # (omni_user_uuid, tag uuid)
Outcome = Json | ApiError  # an item's stored record, or why it failed


# A pass over every user tag beats a find per user while there are at most this many user tags
# per user asked (a pass step is a dict read; a find is a few calls).
SCAN_STEPS_PER_FIND = 8


class Tagged(NamedTuple):
    """A tagging batch: each item's outcome, and the user tags it created, in item order."""

    outcomes: list[Outcome]
    created: list[Json]


class TagStore:
    """Tags and user tags as the tenant's records (`tag`, and `user_tag`: one per user and
    tag), so that engine-served tag operations and other domains read what this store wrote.
    Users are read from the user store, never written."""

    def __init__(self, records: Records, users: UserStore) -> None:
        self._records, self._users = records, users

    def tag_users(self, items: list[Json]) -> Tagged:
        """Tag each item's user with its tag (a pair already tagged answers its record)."""
        held = self._held(items)
        count = len(held)  # pairs tagged by this call come after, in order (dicts keep it)
        outcomes = [self._tag(item, f"$.list[{index}]", held) for index, item in enumerate(items)]
        return Tagged(outcomes, list(held.values())[count:])

    def tagging(self, created: list[Json]) -> events.Chain:
        """user_tagging for each user tag created, at its creation time."""
        tags = self._tags()
        chain: events.Chain = []
        for row in created:
            tag = tags[row["tag_uuid"]]  # as a user answer shows it, its name as tag_name
            shown = {"tag_name": tag["name"], **{k: v for k, v in tag.items() if k != "name"}}
            chain += events.user_tagged(row, [shown], row["create_time"])
        return chain

    def untag_users(self, items: list[Json]) -> list[Outcome]:
        """Take each item's tag off its user; a user not carrying the tag fails that item."""
        held = self._held(items)
        return [self._untag(item, f"$.list[{index}]", held) for index, item in enumerate(items)]

    def tag_user(self, omni_user_uuid: str, tag_uuid: str) -> Json:
        """Put a tag on a user: the one place a user gains a tag (webhook 用户打标签)."""
        return self._records.create(
            "user_tag", {"omni_user_uuid": omni_user_uuid, "tag_uuid": tag_uuid}
        )

    def untag_user(self, record: Json) -> Json:
        """Take a tag off a user: the one place a user loses a tag."""
        return self._records.delete("user_tag", record[self._id_field("user_tag")])

    def tags_of(self, uuids: Iterable[str]) -> dict[str, list[Json]]:
        """The tags each of these users carries, oldest tagging first."""
        carried: dict[str, list[Json]] = {uuid: [] for uuid in uuids}
        shown: dict[str, Json | None] = {}  # each tag as answers show it, looked up once
        for row in self._user_tags_of(carried):
            tag = self._shown(row["tag_uuid"], shown)
            if tag is not None:
                carried[row["omni_user_uuid"]].append(tag)
        return carried

    def _user_tags_of(self, uuids: Collection[str]) -> Iterable[Json]:
        """These users' user tags, oldest first for each: by each user's index entry, or by one
        pass over every user tag when there are few enough (a pass step costs far less)."""
        if self._records.count("user_tag") <= len(uuids) * SCAN_STEPS_PER_FIND:
            rows = self._records.find("user_tag")
            return (row for row in rows if row["omni_user_uuid"] in uuids)
        finds = (self._records.find("user_tag", omni_user_uuid=uuid) for uuid in uuids)
        return chain.from_iterable(finds)

    def carriers(self, tag_uuids: list[str]) -> set[str]:
        """The users carrying every one of these tags; an unknown tag fails at its path."""
        for index, tag_uuid in enumerate(tag_uuids):
            self._records.get("tag", tag_uuid, f"$.tag_uuids[{index}]")
        carrying = [
            {row["omni_user_uuid"] for row in self._records.find("user_tag", tag_uuid=tag_uuid)}
            for tag_uuid in dict.fromkeys(tag_uuids)
        ]
        return set.intersection(*carrying) if carrying else set()

    def _tag(self, item: Json, path: str, held: dict[Pair, Json]) -> Outcome:
        try:
            pair = self._pair(item, path)
        except ApiError as exc:
            return exc
        if pair not in held:
            held[pair] = self.tag_user(*pair)
        return held[pair]

    def _untag(self, item: Json, path: str, held: dict[Pair, Json]) -> Outcome:
        try:
            pair = self._pair(item, path)
        except ApiError as exc:
            return exc
        record = held.pop(pair, None)
        if record is None:
            uuid, tag_uuid = pair
            return ApiError("tag_not_on_user", omni_user_uuid=uuid, tag_uuid=tag_uuid, path=path)
        return self.untag_user(record)

    def _pair(self, item: Json, path: str) -> Pair:
        """The stored user and tag an item names, or the error naming the unknown one."""
        user = self._users.require(item["omni_user_uuid"], f"{path}.omni_user_uuid")
        tag = self._records.get("tag", item["tag_uuid"], f"{path}.tag_uuid")
        return user["omni_user_uuid"], tag[self._id_field("tag")]

    def _held(self, items: list[Json]) -> dict[Pair, Json]:
        """The user tags of the users the items name, by pair (the newest of a pair held
        twice): found once per call, then each item is a lookup."""
        users = (self._users.get(item["omni_user_uuid"]) for item in items)
        named = dict.fromkeys(user["omni_user_uuid"] for user in users if user is not None)
        return {
            (r["omni_user_uuid"], r["tag_uuid"]): r
            for uuid in named
            for r in self._records.find("user_tag", omni_user_uuid=uuid)
        }

    def _tags(self) -> dict[str, Json]:
        """Every tag as a user answer shows it, by its id."""
        return {tag[self._id_field("tag")]: self._view(tag) for tag in self._records.find("tag")}

    def _shown(self, tag_uuid: str, shown: dict[str, Json | None]) -> Json | None:
        """A tag as a user answer shows it, None if no such tag: looked up once per call."""
        if tag_uuid not in shown:
            tag = self._records.lookup("tag", tag_uuid)
            shown[tag_uuid] = None if tag is None else self._view(tag)
        return shown[tag_uuid]

    def _view(self, tag: Json) -> Json:
        """A tag as a user answer shows it: its id as tag_uuid, its name and group name."""
        shown = {"tag_uuid": tag[self._id_field("tag")]}
        return shown | {k: tag[k] for k in ("name", "group_name") if k in tag}

    def _id_field(self, resource: str) -> str:
        return self._records.resource(resource).id_field


def _outcome(call: Call, results: list[Outcome], id_field: str) -> Json:
    """A batch answer: the records stored or removed by index, and each failure as data."""
    success, failure = [], []
    for index, result in enumerate(results):
        if isinstance(result, ApiError):
            failure.append(call.failure(index, result))
        else:
            success.append({"index": index, id_field: result[id_field]})
    return {"success": success, "failure": failure}


def batch_tag_users(call: Call) -> Json:
    results, created = call.state.tags.tag_users(call.body["list"])
    if call.listening:  # a batch's tags are worth not looking up for nobody
        call.emit_all(call.state.tags.tagging(created))
    return _outcome(call, results, call.state.records.resource("user_tag").id_field)


def remove_user_tags(call: Call) -> Json:
    results = call.state.tags.untag_users(call.body["list"])
    return _outcome(call, results, call.state.records.resource("user_tag").id_field)


HANDLERS: Handlers = {
    "tag.batch_tag_users": batch_tag_users,
    "tag.remove_user_tags": remove_user_tags,
}
