"""CRM objects: the field rules accounts and leads share, read from the tenant's CRM records.

Business types, object fields and option sets are records (`business_type`, `object_field`,
`option_set`, `custom_option_set`) that the engine lists through the CRM object operations;
the rules here read the very same records, so what a client lists is what a write is checked
against.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from emulator.envelope import ApiError
from emulator.spec import Json

if TYPE_CHECKING:
    from emulator.engine import Records

# Account create page: custom fields of these types cannot be written (the vendor's spelling).
READ_ONLY_TYPES = ("department", "multi_departmemt", "image", "look_up")
SELECT_TYPES = ("select", "multi_select")
OPTION_RESOURCES = ("option_set", "custom_option_set")


class Change(NamedTuple):
    """A record before and after a change (what the change's webhook events describe)."""

    before: Json
    after: Json


class CrmFields:
    """The checks a CRM object's fields pass on create and update, over the tenant's records."""

    def __init__(self, records: Records) -> None:
        self._records = records

    def check(self, object_name: str, fields: Json) -> None:
        """Refuse an unknown business type, a value outside its field's option set and any
        custom field of a read-only type; fields the object does not define pass as they are."""
        if "business_type" in fields:
            self.check_business_type(fields["business_type"])
        defined = {
            f["field_code"]: f for f in self._records.find("object_field", object_name=object_name)
        }
        for code, value in fields.items():
            if code in defined:
                self._check_field(defined[code], value, f"$.{code}")

    def check_business_type(self, business_type: Any) -> None:
        """Refuse a business type that is not one of the tenant's."""
        if self._records.lookup("business_type", business_type) is None:
            known = ", ".join(b["id"] for b in self._records.find("business_type"))
            raise ApiError(
                "unknown_business_type",
                business_type=business_type,
                known=known or "none defined",
                path="$.business_type",
            )

    def check_employee(self, employee: Any, path: str) -> None:
        """Refuse an owner or collaborator that is not one of the tenant's employees."""
        self._records.get("employee", employee, path)

    def _check_field(self, field: Json, value: Any, path: str) -> None:
        kind = field["field_type"]
        if kind in READ_ONLY_TYPES and field["is_preset"] == 0:
            code = field["field_code"]
            raise ApiError("read_only_field", field=code, field_type=kind, path=path)
        if kind in SELECT_TYPES and "option_set" in field and value is not None:
            self._check_options(field, value, path)

    def _check_options(self, field: Json, value: Any, path: str) -> None:
        """Each chosen value (a list for a multi-select) is one of the option set's values."""
        allowed = self.options(field["option_set"])
        chosen = value if isinstance(value, list) else [value]
        for index, item in enumerate(chosen):
            if item not in allowed:
                where = f"{path}[{index}]" if isinstance(value, list) else path
                known = ", ".join(allowed) or "no options defined"
                code = field["field_code"]
                raise ApiError(
                    "unknown_option_value", value=item, field=code, known=known, path=where
                )

    def options(self, option_set: str) -> list[str]:
        """The values of an option set: its options among preset and custom option sets."""
        found = (self._records.find(r, option_set=option_set) for r in OPTION_RESOURCES)
        return [option["value"] for rows in found for option in rows]
