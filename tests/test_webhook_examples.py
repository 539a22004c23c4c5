"""The vendor's documented webhook samples: our event schemas accept every one of them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from emulator import spec

EXAMPLES = json.loads((Path(__file__).parent / "data" / "webhook_examples.json").read_text())
IDS = [example["reference"] for example in EXAMPLES["examples"]]


@pytest.mark.parametrize("example", EXAMPLES["examples"], ids=IDS)
def test_documented_sample_matches_its_event_schema(example: dict[str, Any]) -> None:
    payload = example["payload"]
    if example["truncated"]:
        # The captured page stops early; the description page documents these two keys.
        assert "mid" not in payload
        payload = {"mid": "941", "event_category": "object_v2", **payload}
    jsonschema.validate(payload, spec.event_schema(example["event"]))


# Events whose fields the lead-event page (线索事件说明文档) documents in its field table.
FIELD_TABLE = {
    "object_update_status",
    "object_change_owner",
    "object_update_life_cycle",
    "object_add_team_member",
    "object_remove_team_member",
    "object_change_lead_pool",
    "object_relation",
}


def test_documented_events_are_those_with_a_sample_or_the_lead_page_field_table() -> None:
    index = spec.events().by_name
    documented = {name for name, entry in index.items() if entry["fidelity"] == "documented"}
    assert documented == {example["event"] for example in EXAMPLES["examples"]} | FIELD_TABLE
    page = "Documented by the vendor's page 线索事件说明文档"
    assert all(index[name]["source"].startswith(page) for name in FIELD_TABLE)
