"""The demo dataset: deterministic, realistic, and every placeholder names something before it."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from emulator import demo, spec
from emulator.seed import demo as demo_dataset
from emulator.seed import large

DATASET = demo_dataset(7)


def test_demo_dataset_is_deterministic_per_seed() -> None:
    assert demo_dataset(1) == demo_dataset(1)
    assert demo_dataset(1) != demo_dataset(2)


def test_demo_users_look_real() -> None:
    users = demo_dataset(3)["users"]
    mobiles = [u["identities"][0]["value"] for u in users]
    emails = [u["identities"][1]["value"] for u in users]
    assert all(len(m) == 11 and m[:3] in demo.MOBILE_PREFIXES for m in mobiles)
    assert all(len(u["fields"]["name"]) == 2 for u in users)
    assert len(set(mobiles)) == len(set(emails)) == len(users)


def test_large_dataset_has_unique_identities_and_reports_progress(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(demo, "PROGRESS_EVERY", 1000)
    heard: list[int] = []
    dataset = large(2500, 5, heard.append)
    identities = [i["value"] for u in dataset["users"] for i in u["identities"]]
    assert heard == [1000, 2000, 2500]
    assert len(set(identities)) == len(identities)
    assert large(2500, 5, None) == dataset
    heard.clear()
    large(2000, 5, heard.append)
    assert heard == [1000, 2000]


def test_large_dataset_grows_records_in_proportion() -> None:
    small, big = (large(size, 1)["records"] for size in (240, 2400))
    assert len(big["lead"]) == 10 * len(small["lead"]) == 1200
    assert len(big["member"]) == 10 * len(small["member"])
    assert len(big["lead_status"]) == len(small["lead_status"])  # the fixed catalogue stays
    companies = [c["name"] for c in large(6000, 1)["records"]["company"]]
    assert len(set(companies)) == len(companies) == 300  # more than the name combinations


def placeholders(value: Any) -> list[tuple[str, Any]]:
    """Every placeholder in a value, as (key, argument)."""
    if isinstance(value, list):
        return [p for item in value for p in placeholders(item)]
    if not isinstance(value, dict):
        return []
    if len(value) == 1 and next(iter(value)).startswith("$"):
        return [next(iter(value.items()))]
    return [p for item in value.values() for p in placeholders(item)]


def test_every_placeholder_names_a_record_loaded_before_it() -> None:
    parts = {"$user": "users", "$group": "groups", "$activity": "activities"}
    parts["$business_type"] = "business_types"
    loaded: dict[str, int] = {}
    for resource, items in DATASET["records"].items():
        for index, item in enumerate(items):
            for key, arg in placeholders(item):
                if key == "$record":
                    target, position = arg
                    done = index if target == resource else loaded.get(target, 0)
                    assert position < done, (resource, index, arg)
                else:
                    assert arg < len(DATASET[parts[key]]), (resource, index, key, arg)
        loaded[resource] = len(items)


def resource_schema(name: str) -> Any:
    schema = spec.schema_file(f"resources/{name}.json")
    return jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )


def test_the_store_parts_match_their_resource_schemas() -> None:
    """Users, groups, activities and business types are stored by their domains' stores; what
    they hold is what the engine's resources of the same things describe."""
    checks = {
        "user": DATASET["users"],
        "crowd": [{k: v for k, v in g.items() if k != "members"} for g in DATASET["groups"]],
        "activity": [
            {k: v for k, v in a.items() if k != "registered"} for a in DATASET["activities"]
        ],
        "business_type": DATASET["business_types"],
    }
    for name, items in checks.items():
        validator = resource_schema(name)
        for item in items:
            validator.validate(item)


def test_members_hold_the_points_their_records_add_up_to() -> None:
    records = DATASET["records"]
    totals: dict[int, int] = {}
    for record in records["points_record"]:
        index = record["member_uuid"]["$record"][1]
        totals[index] = totals.get(index, 0) + record["points"]
    assert [m["points"] for m in records["member"]] == [totals[i] for i in range(len(totals))]


def test_object_fields_include_the_types_that_cannot_be_written() -> None:
    fields = DATASET["records"]["object_field"]
    read_only = {"department", "multi_departmemt", "image", "look_up"}  # the vendor's spelling
    assert read_only <= {f["field_type"] for f in fields}
    assert {f["is_preset"] for f in fields} == {0, 1}
