"""Seed data: the demo dataset, and loading any dataset through the stores' own methods."""

from __future__ import annotations

import random
from typing import Any

from emulator import spec
from emulator.envelope import ApiError
from emulator.spec import Json
from emulator.tenants import Tenant
from emulator.validation import check_batch_rules, explain, file_validator

DATASET_SCHEMA = "admin/seed_dataset.json"

SURNAMES = [
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("黄", "huang"),
    ("赵", "zhao"),
    ("吴", "wu"),
    ("周", "zhou"),
]
GIVEN = [
    ("伟", "wei"),
    ("芳", "fang"),
    ("娜", "na"),
    ("敏", "min"),
    ("静", "jing"),
    ("磊", "lei"),
    ("强", "qiang"),
    ("洋", "yang"),
    ("艳", "yan"),
    ("杰", "jie"),
    ("涛", "tao"),
    ("超", "chao"),
]
MOBILE_PREFIXES = ["135", "136", "138", "139", "150", "158", "166", "177", "186", "189", "199"]
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都"]
INDUSTRIES = ["制造业", "金融", "零售", "医疗", "教育", "互联网"]
OPENID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


def demo(seed: int | None, size: int = 24) -> Json:
    """The demo dataset: Chinese users, groups, live and meeting activities, business types."""
    rng = random.Random(seed or 0)
    return {
        "business_types": [{"name": n} for n in ("标准客户", "渠道伙伴", "战略大客户")],
        "users": [_demo_user(rng, n) for n in range(size)],
        "groups": [
            {"group_id": 20541, "name": "华东区活跃用户", "members": list(range(0, 10))},
            {"name": "新客户", "members": list(range(5, 15))},
            {"name": "待激活用户", "members": []},
        ],
        "activities": [
            {"name": "2026 新品发布会直播", "type": "live", "registered": list(range(0, 8))},
            {"name": "上海线下客户峰会", "type": "meeting", "registered": list(range(4, 12))},
        ],
    }


def _demo_user(rng: random.Random, n: int) -> Json:
    (surname, sur_py), (given, given_py) = rng.choice(SURNAMES), rng.choice(GIVEN)
    mobile = rng.choice(MOBILE_PREFIXES) + "".join(rng.choices("0123456789", k=8))
    identities = [
        {"type": "mobile", "value": mobile, "name": "手机号"},
        {"type": "email", "value": f"{given_py}.{sur_py}{n}@example.cn", "name": "邮箱"},
    ]
    if n % 2 == 0:
        openid = "o" + "".join(rng.choices(OPENID_ALPHABET, k=27))
        identities.append({"type": "wechat_openid", "value": openid, "name": "微信公众号openid"})
    fields = {
        "name": surname + given,
        "city": rng.choice(CITIES),
        "industry": rng.choice(INDUSTRIES),
    }
    return {"identities": identities, "fields": fields}


def load(tenant: Tenant, dataset: Any, source: str = "dataset") -> Json:
    """Put a dataset into a tenant with the same store methods the API uses; counts loaded."""
    _check(dataset, source)
    for business_type in dataset.get("business_types", []):
        tenant.accounts.add_business_type(business_type["name"], business_type.get("id"))
    uuids = _load_users(tenant, dataset.get("users", []), source)
    for group in dataset.get("groups", []):
        created = tenant.crowds.create(
            group["name"], group.get("group_id"), group.get("description", "")
        )
        members = _refs(group.get("members", []), uuids, source)
        tenant.crowds.import_users(created["group_id"], members, tenant.users.get)
    for activity in dataset.get("activities", []):
        fields = {k: v for k, v in activity.items() if k != "registered"}
        created = tenant.activities.create(fields)
        for uuid in _refs(activity.get("registered", []), uuids, source):
            tenant.activities.register(created["entity_uuid"], uuid)
    return {k: len(dataset.get(k, [])) for k in ("users", "groups", "activities", "business_types")}


def _check(dataset: Any, source: str) -> None:
    if not file_validator(DATASET_SCHEMA).is_valid(dataset):  # compiled: datasets can be large
        error = explain("invalid_seed_data", spec.schema_file(DATASET_SCHEMA), dataset)
        reason = f"{error.params['path']}: {error.params['reason']}"
        raise ApiError("invalid_seed_data", error.details, source=source, reason=reason)


def _load_users(tenant: Tenant, items: list[Json], source: str) -> list[str]:
    try:
        check_batch_rules({"unique_users": True}, items)
        accepted, failures = tenant.users.upsert_batch(items)
    except ApiError as exc:
        raise ApiError(
            "invalid_seed_data", source=source, reason=f"{exc.key} at users{exc.params['path'][1:]}"
        ) from None
    if failures:
        raise ApiError("invalid_seed_data", source=source, reason=f"users{failures[0][1:]}")
    return [user["omni_user_uuid"] for user, _ in accepted]


def _refs(refs: list[int | str], uuids: list[str], source: str) -> list[str]:
    out = []
    for ref in refs:
        if isinstance(ref, int) and ref >= len(uuids):
            raise ApiError("invalid_seed_data", source=source, reason=f"no user at index {ref}")
        out.append(uuids[ref] if isinstance(ref, int) else ref)
    return out
