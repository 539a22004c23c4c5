"""Tags: the tags users carry, tagging and untagging users in batch, tags in user answers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from emulator import events
from emulator.domains import Call, Handlers
from emulator.domains.users import UserStore
from emulator.engine import Records
from emulator.envelope import ApiError
from emulator.spec import Json

Pair = tuple[str, str]  # (omni_user_uuid, tag uuid)
Outcome = Json | ApiError  # an item's stored record, or why it failed


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
        held = self._held()
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
        held = self._held()
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
        """The tags each of these users carries, oldest tagging first (one pass over user tags)."""
        carried: dict[str, list[Json]] = {uuid: [] for uuid in uuids}
        tags = self._tags()
        for row in self._records.find("user_tag"):
            shown, tag = carried.get(row["omni_user_uuid"]), tags.get(row["tag_uuid"])
            if shown is not None and tag is not None:
                shown.append(tag)
        return carried

    def carriers(self, tag_uuids: list[str]) -> set[str]:
        """The users carrying every one of these tags; an unknown tag fails at its path."""
        for index, tag_uuid in enumerate(tag_uuids):
            self._records.get("tag", tag_uuid, f"$.tag_uuids[{index}]")
        wanted = set(tag_uuids)
        found: dict[str, set[str]] = {}
        for row in self._records.find("user_tag"):
            if row["tag_uuid"] in wanted:
                found.setdefault(row["omni_user_uuid"], set()).add(row["tag_uuid"])
        return {uuid for uuid, tags in found.items() if tags == wanted}

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

    def _held(self) -> dict[Pair, Json]:
        """Every user tag by its pair: one pass per call, then each item is a lookup."""
        return {(r["omni_user_uuid"], r["tag_uuid"]): r for r in self._records.find("user_tag")}

    def _tags(self) -> dict[str, Json]:
        """Every tag as a user answer shows it, by its id."""
        id_field = self._id_field("tag")
        return {
            tag[id_field]: {"tag_uuid": tag[id_field]}
            | {k: tag[k] for k in ("name", "group_name") if k in tag}
            for tag in self._records.find("tag")
        }

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
