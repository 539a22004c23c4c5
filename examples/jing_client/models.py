"""What the client sends and reads back: small frozen dataclasses, parsed leniently.

The parsers accept every answer the API's schemas allow: optional fields missing, empty lists,
fields the client does not know, any unicode, numbers of any size."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]


class ApiError(Exception):
    """An answer that is not a success: its code and message."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(f"{code}: {message} (HTTP {status})")
        self.code, self.message, self.status = code, message, status


@dataclass(frozen=True, slots=True)
class Identity:
    """One way to identify a user: a type (mobile, email, ...) and a value."""

    type: str
    value: str
    channel_uuid: str | None = None

    def to_json(self) -> Json:
        """The identity as the API takes it."""
        out = {"type": self.type, "value": self.value}
        return out | ({"channel_uuid": self.channel_uuid} if self.channel_uuid else {})

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Identity:
        """An identity from an answer (type and value are always there)."""
        channel = data.get("channel_uuid")
        return cls(
            str(data["type"]), str(data["value"]), channel if isinstance(channel, str) else None
        )


@dataclass(frozen=True, slots=True)
class UserInput:
    """A user to create or update: identities and custom fields."""

    identities: tuple[Identity, ...]
    fields: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> Json:
        """The user as the batch update takes it."""
        out: Json = {"identities": [i.to_json() for i in self.identities]}
        return out | ({"fields": dict(self.fields)} if self.fields else {})


@dataclass(frozen=True, slots=True)
class UpsertResult:
    """Users accepted (their ids, when the answer gives them) and per-user failures."""

    user_ids: tuple[str, ...]
    failures: tuple[str, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> UpsertResult:
        """Accepted users may come without omni_user_uuid: the schema does not require it."""
        ids = (s.get("omni_user_uuid") for s in data["success"])
        return cls(tuple(i for i in ids if isinstance(i, str)), tuple(data["failure"]))


@dataclass(frozen=True, slots=True)
class StoredUser:
    """A user as the query answers it."""

    omni_user_uuid: str
    identities: tuple[Identity, ...]
    fields: Mapping[str, Any]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StoredUser:
        """A stored user; fields is any object."""
        identities = tuple(Identity.from_json(i) for i in data["identities"])
        return cls(str(data["omni_user_uuid"]), identities, dict(data["fields"]))


@dataclass(frozen=True, slots=True)
class QueryResult:
    """The users found and the identities that matched none."""

    users: tuple[StoredUser, ...]
    not_found: tuple[str, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> QueryResult:
        """The answer of a user query."""
        users = tuple(StoredUser.from_json(u) for u in data["list"])
        return cls(users, tuple(data["not_found"]))


@dataclass(frozen=True, slots=True)
class ImportResult:
    """How many users a group import took in, and how many it could not."""

    imported: int
    failed: int

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ImportResult:
        """The counts of a group import."""
        return cls(int(data["success_number"]), int(data["error_number"]))
