"""Sources: the channels users and leads come from, and the options under each source."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator.domains import Call, Handlers, without
from emulator.domains.pages import PAGE_FIELDS, page_of
from emulator.envelope import ApiError
from emulator.spec import Json

if TYPE_CHECKING:
    from emulator.engine import Records

SOURCE, OPTION = "source", "source_option"
UNSORTED = 10_000  # options without a sort value come after every sorted one (sort <= 9999)


class SourceStore:
    """Sources (resource `source`) and their options (resource `source_option`) in the tenant's
    records. Options set up in the platform are preset (is_custom 0, or no is_custom); the API
    creates and updates custom ones (is_custom 1), each value once per source."""

    def __init__(self, records: Records) -> None:
        self._records = records

    def create_option(self, fields: Json) -> Json:
        """A new custom option under an existing source."""
        self._source(fields["source_uuid"])
        _custom_only(fields)
        self._check_value(fields, None)
        return self._records.create(OPTION, {**fields, "is_custom": 1})

    def update_option(self, uuid: str, fields: Json) -> Json:
        """Change a custom option (moving it to another source only if that source exists)."""
        option = self._records.get(OPTION, uuid, "$.uuid")
        if option.get("is_custom") != 1:
            raise ApiError("preset_source_option", uuid=uuid, path="$.uuid")
        _custom_only(fields)
        if "source_uuid" in fields:
            self._source(fields["source_uuid"])
        self._check_value({**option, **fields}, uuid)
        return self._records.update(OPTION, uuid, fields)

    def options(self, filters: Json) -> list[Json]:
        """The options matching the filters in their sort order (a named source must exist)."""
        if "source_uuid" in filters:
            self._source(filters["source_uuid"])
        rows = self._records.find(OPTION, **filters)
        return sorted(rows, key=lambda row: row.get("sort", UNSORTED))

    def _source(self, uuid: str) -> Json:
        return self._records.get(SOURCE, uuid, "$.source_uuid")

    def _check_value(self, option: Json, own: str | None) -> None:
        """No two options of one source share a value."""
        if "value" not in option:
            return
        id_field = self._records.resource(OPTION).id_field
        same = self._records.find(OPTION, source_uuid=option["source_uuid"], value=option["value"])
        for other in same:
            if other[id_field] != own:
                raise ApiError(
                    "duplicate_source_option",
                    source_uuid=option["source_uuid"],
                    value=option["value"],
                    existing=other[id_field],
                    path="$.value",
                )


def _custom_only(fields: Json) -> None:
    if fields.get("is_custom", 1) != 1:
        raise ApiError("custom_option_only", value=fields["is_custom"], path="$.is_custom")


def create_custom_option(call: Call) -> Json:
    return call.state.sources.create_option(call.body)


def update_custom_option(call: Call) -> Json:
    return call.state.sources.update_option(call.body["uuid"], without(call.body, "uuid"))


def list_options(call: Call) -> Json:
    return page_of(call.state.sources.options(without(call.body, *PAGE_FIELDS)), call.body)


HANDLERS: Handlers = {
    "source.custom_option.create": create_custom_option,
    "source.custom_option.update": update_custom_option,
    "source.all_options": list_options,
    "crm.source_option_fields": list_options,
}
