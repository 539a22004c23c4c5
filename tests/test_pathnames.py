"""What a path says: kind, resource, an id made of it."""

from __future__ import annotations

import pytest

from emulator import pathnames


@pytest.mark.parametrize(
    ("method", "path", "kind"),
    [
        ("POST", "/v1/edm/task/create", "create"),
        ("POST", "/v1/tag/add", "create"),
        ("POST", "/v1/tag/edit", "update"),
        ("POST", "/v1/tag/update", "update"),
        ("POST", "/v1/tag/remove", "delete"),
        ("POST", "/v1/tag/delete", "delete"),
        ("POST", "/v1/member/info", "get"),
        ("POST", "/v1/member/detail", "get"),
        ("POST", "/v1/member/get", "get"),
        ("POST", "/v1/member/list", "list"),
        ("POST", "/v1/member/search", "query"),
        ("POST", "/v1/member/query", "query"),
        ("POST", "/v1/company/batchCreate", "batch_create"),
        ("POST", "/v1/company/batch/delete", "batch_delete"),
        ("POST", "/v1/company/batch_update", "batch_update"),
        ("POST", "/v1/activity/update/userStatus/batch", "batch_update"),
        ("POST", "/v1/user/batchGet", "query"),
        ("POST", "/v1/sms/send", "action"),
        ("GET", "/v1/coupons/{coupon_id}", "get"),
        ("GET", "/v1/coupons", "list"),
        ("DELETE", "/v1/coupons/{coupon_id}", "delete"),
        ("PUT", "/v1/coupons/{coupon_id}", "update"),
        ("PATCH", "/v1/coupons/{coupon_id}", "update"),
        ("POST", "/v1/coupons", "action"),
    ],
)
def test_kind_comes_from_the_last_verb_of_the_path(method: str, path: str, kind: str) -> None:
    assert pathnames.kind(method, path) == kind


@pytest.mark.parametrize(
    ("path", "resource"),
    [
        ("/v1/edm/task/search", "edm_task"),
        ("/v1/activity/update/userStatus/batch", "activity_user_status"),
        ("/v2/coupon-code/batchCreate", "coupon_code"),
        ("/v1/create", "imported"),
    ],
)
def test_resource_is_the_path_nouns_in_snake_case(path: str, resource: str) -> None:
    assert pathnames.resource(path, {}) == resource


def test_resource_is_the_one_its_siblings_share() -> None:
    parents = {"/v1/edm/task": {"edm_send"}, "/v1/mixed": {"a", "b"}}
    assert pathnames.resource("/v1/edm/task/pause", parents) == "edm_send"
    assert pathnames.resource("/v1/mixed/list", parents) == "mixed"


def test_an_id_is_made_of_method_and_path() -> None:
    assert pathnames.op_id("POST", "/v1/foo/barBaz/{id}") == "post.v1.foo.bar_baz.id"
    assert pathnames.op_id("GET", "/v1/{}/x") == "get.v1.x.x"


def test_parent_drops_the_last_segment() -> None:
    assert pathnames.parent("/v1/edm/send/create/") == "/v1/edm/send"
