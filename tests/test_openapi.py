"""/openapi.json: derived from the catalogue, with fidelity and rate limits on each operation."""

from __future__ import annotations

import jsonschema
from starlette.testclient import TestClient

from emulator import spec


def test_openapi_lists_every_operation_with_fidelity_and_limits(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    operations = {
        op["operationId"]: op for path in document["paths"].values() for op in path.values()
    }
    assert set(operations) == set(spec.load().by_id)
    update = document["paths"]["/v1/user/update"]["post"]
    assert update["x-fidelity"] == "documented"
    assert update["x-rate-limit"] == [
        {"max": 500, "per_seconds": 10},
        {"max": 200000, "per_seconds": 86400},
    ]
    assert update["requestBody"]["content"]["application/json"]["schema"]["maxItems"] == 100
    assert operations["oauth.get_token"]["x-fidelity"] == "inferred"
    assert operations["oauth.get_token"]["parameters"] == []


def test_openapi_names_auth_headers_and_query_parameters(client: TestClient) -> None:
    create = client.get("/openapi.json").json()["paths"]["/v1/user/create"]["post"]
    names = [(p["name"], p["in"]) for p in create["parameters"]]
    assert names == [("app_id", "header"), ("access_token", "header"), ("returnFull", "query")]


def test_openapi_schemas_are_valid_json_schema(client: TestClient) -> None:
    for path in client.get("/openapi.json").json()["paths"].values():
        for op in path.values():
            for response in op["responses"].values():
                jsonschema.Draft7Validator.check_schema(
                    response["content"]["application/json"]["schema"]
                )


def test_error_answers_match_the_error_schema(client: TestClient, headers: dict[str, str]) -> None:
    catalogue = spec.load()
    for op in catalogue.operations:
        content_type = {**headers, "content-type": "application/json"}
        answer = client.request(op.method, op.path, content=b"{", headers=content_type)
        jsonschema.validate(answer.json(), catalogue.error_schema(op.envelope))
        wrong = client.request("PATCH", op.path, content=b"{}", headers=content_type)
        assert wrong.status_code == 405
        jsonschema.validate(wrong.json(), catalogue.error_schema(op.envelope))
