"""The pages beside the API: the front page, the API reference and the admin API's document."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import validate
from starlette.testclient import TestClient

from emulator import create_app, spec
from emulator.admin import ADMIN
from emulator.pages import front
from emulator.settings import Settings
from tests.test_engine import GIZMOS

PAGES = ("/", "/docs", "/_admin/openapi.json")
URL = re.compile(r"https?://", re.IGNORECASE)


class Links(HTMLParser):
    """The href of every link, the src of anything loaded, and each section's text by id."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.sources: list[str] = []
        self.tags: set[str] = set()
        self.sections: dict[str, str] = {}
        self._section: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.add(tag)
        if tag == "a" and found.get("href"):
            self.hrefs.append(str(found["href"]))
        if "src" in found or tag == "link":
            self.sources.append(str(found.get("src", found.get("href"))))
        if tag == "section":
            self._section = str(found["id"])
            self.sections[self._section] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._section = None

    def handle_data(self, data: str) -> None:
        if self._section is not None:
            self.sections[self._section] += data


def parsed(client: TestClient, path: str) -> Links:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    links = Links()
    links.feed(response.text)
    return links


def test_the_front_page_links_to_the_reference_both_openapi_documents_and_health(
    client: TestClient,
) -> None:
    hrefs = parsed(client, "/").hrefs
    assert {"/docs", "/openapi.json", "/_admin/openapi.json", "/_admin/health"} <= set(hrefs)
    for href in hrefs:
        assert client.get(href).status_code == 200, href


def test_the_front_page_links_the_inspector_exactly_when_it_is_served(client: TestClient) -> None:
    served = client.get(front.INSPECTOR).status_code == 200
    assert (front.INSPECTOR in parsed(client, "/").hrefs) == served


def test_the_front_page_of_a_server_with_an_inspector_links_it() -> None:
    assert f'href="{front.INSPECTOR}"' in front.render(spec.load(), inspector=True).decode()
    assert f'href="{front.INSPECTOR}"' not in front.render(spec.load(), inspector=False).decode()


def test_the_reference_shows_every_operation_of_openapi_json_with_its_fidelity(
    client: TestClient,
) -> None:
    document = client.get("/openapi.json").json()
    sections = parsed(client, "/docs").sections
    operations = [op for methods in document["paths"].values() for op in methods.values()]
    assert len(operations) == len(spec.load().operations)
    for op in operations:
        text = sections[f"op-{op['operationId']}"]
        assert op["operationId"] in text
        assert f"fidelity{op['x-fidelity']}" in re.sub(r"\s", "", text)
    fidelities = {op["x-fidelity"] for op in operations}
    assert fidelities == {"documented", "inferred"}


def test_the_reference_shows_request_schemas_and_the_error_codes(client: TestClient) -> None:
    html = client.get("/docs").text
    assert "Request body" in html
    assert "identities" in html  # a field of the user update's body schema
    for entry in spec.load().errors.values():
        assert f"<td>{entry['code']}</td>" in html


@pytest.mark.parametrize("path", ["/", "/docs"])
def test_the_pages_load_nothing_from_elsewhere_and_run_no_script(
    client: TestClient, path: str
) -> None:
    response = client.get(path)
    links = parsed(client, path)
    assert URL.findall(response.text) == []
    assert links.sources == []
    assert "script" not in links.tags
    assert all(href.startswith(("/", "#")) for href in links.hrefs)
    assert "default-src 'none'" in response.headers["content-security-policy"]


@pytest.mark.parametrize("path", PAGES)
def test_the_pages_need_no_admin_token_from_any_client(path: str) -> None:
    app = create_app(Settings(seed=7, admin_token="s3cret"))
    with TestClient(app, client=("203.0.113.9", 40000)) as client:
        assert client.get(path).status_code == 200
        assert client.get("/_admin/apps").json()["data"]["error"] == "admin_unauthorized"


@pytest.mark.parametrize("path", ["/docs/", "/docs/x", "/index.html", "/_admin/openapi.yaml"])
def test_paths_beside_the_pages_still_get_the_not_found_envelope(
    client: TestClient, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["data"]["error"] == "path_not_found"


@pytest.mark.parametrize("path", PAGES)
def test_a_page_refuses_other_methods_naming_get(client: TestClient, path: str) -> None:
    response = client.post(path, json={})
    assert response.status_code == 405
    assert response.json()["data"]["error"] == "method_not_allowed"
    assert "takes GET" in response.json()["msg"]


def admin_document(client: TestClient) -> Any:
    response = client.get("/_admin/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    return response.json()


def test_the_admin_document_is_valid_openapi(client: TestClient) -> None:
    document = admin_document(client)
    validate(document)
    assert document["openapi"] == "3.1.0"


def test_the_admin_document_describes_every_admin_route_and_itself(client: TestClient) -> None:
    paths = admin_document(client)["paths"]
    described = {(m.upper(), p) for p, methods in paths.items() for m in methods}
    assert described == {*ADMIN, ("GET", "/_admin/openapi.json")}


def test_the_admin_document_gives_each_body_its_schema_from_schemas_admin(
    client: TestClient,
) -> None:
    paths = admin_document(client)["paths"]
    for (method, path), op in ADMIN.items():
        described = paths[path][method.lower()]
        if op.schema is None:
            assert "requestBody" not in described, path
            continue
        schema = spec.schema_file(f"admin/{op.schema}.json")
        body = described["requestBody"]
        assert body["content"]["application/json"]["schema"]["properties"] == schema["properties"]
        assert body["required"] == bool(schema.get("required")), path


def test_the_admin_document_names_path_parameters_and_the_token(client: TestClient) -> None:
    document = admin_document(client)
    delivery = document["paths"]["/_admin/webhooks/deliveries/{id}"]["get"]
    assert [p["name"] for p in delivery["parameters"]] == ["id"]
    scheme = document["components"]["securitySchemes"]["adminToken"]
    assert (scheme["in"], scheme["name"]) == ("header", "X-Admin-Token")
    assert document["paths"]["/_admin/health"]["get"]["security"] == [{}]
    assert {"adminToken": []} in document["paths"]["/_admin/reset"]["post"]["security"]


def test_the_admin_document_describes_answers_the_server_gives(client: TestClient) -> None:
    paths = admin_document(client)["paths"]
    cases = [("/_admin/health", 200, "200"), ("/_admin/webhooks/deliveries/nope", 404, "default")]
    for path, status, documented in cases:
        answer = client.get(path)
        pattern = "/_admin/webhooks/deliveries/{id}" if "deliveries" in path else path
        content = paths[pattern]["get"]["responses"][documented]["content"]
        assert answer.status_code == status
        jsonschema.validate(answer.json(), content["application/json"]["schema"])


def test_the_reference_of_an_overlay_shows_its_operations_and_their_fidelity(
    tmp_path: Path,
) -> None:
    (tmp_path / "any.json").write_text('{"$schema": "http://json-schema.org/draft-07/schema#"}')
    (tmp_path / "operations.json").write_text(json.dumps({"operations": GIZMOS}))
    app = create_app(Settings(seed=7, schemas_overlay=str(tmp_path)))
    with TestClient(app) as client:
        sections = parsed(client, "/docs").sections
    listing = sections["op-gizmo.list"]
    assert "assumption" in listing
    assert "Request body" not in listing  # it takes query parameters only
    assert "Request body" in sections["op-gizmo.create"]
