"""The ingest API documents itself for editors: every endpoint in /api/docs comes with
examples, and the documents need the token."""

import pytest
from fastapi.testclient import TestClient

from services.ingest.app import create_app
from shared.settings import Settings
from tests.support.samples import AUTH, TOKENS


def openapi() -> dict:
    app = create_app(Settings(api_tokens=TOKENS))
    return TestClient(app).get("/api/openapi.json", headers=AUTH).json()  # no lifespan: no Redis


def has_example(media: dict, components: dict) -> bool:
    schema = media.get("schema", {})
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return bool(media.get("example") or media.get("examples") or schema.get("examples"))


def test_every_endpoint_has_request_and_response_examples():
    spec = openapi()
    components = spec["components"]["schemas"]
    operations = [
        (f"{method.upper()} {path}", op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
    ]
    assert {name for name, _ in operations} == {
        "GET /api/articles",
        "PUT /api/articles/{article_id}",
        "GET /api/articles/{article_id}",
        "DELETE /api/articles/{article_id}",
        "POST /api/articles/{article_id}/preview",
        "GET /api/articles/{article_id}/versions",
        "GET /api/articles/{article_id}/versions/{version}",
        "POST /api/media",
        "POST /api/views",
        "GET /api/resolve",
        "GET /api/health",
        "GET /api/ready",
    }
    for name, op in operations:
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None:
            assert has_example(body, components), f"{name}: request body has no example"
        success = next(r for status, r in op["responses"].items() if status.startswith("2"))
        assert has_example(success["content"]["application/json"], components), name


def test_every_error_is_documented_as_the_json_error_shape():
    spec = openapi()
    for path, item in spec["paths"].items():
        for method, op in item.items():
            for status, response in op["responses"].items():
                if status.startswith(("4", "5")):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (
                        method,
                        path,
                        status,
                    )


def test_the_docs_page_is_served_at_api_docs_to_token_holders():
    app = create_app(Settings(api_tokens=TOKENS))
    page = TestClient(app).get("/api/docs", headers=AUTH)
    assert page.status_code == 200
    assert "/api/openapi.json" in page.text


@pytest.mark.parametrize("path", ["/api/docs", "/api/openapi.json"])
def test_the_documents_need_the_token(path):
    response = TestClient(create_app(Settings(api_tokens=TOKENS))).get(path)
    assert response.status_code == 401
    assert response.json() == {"error": "missing or invalid bearer token"}


@pytest.mark.parametrize(
    "path", ["/docs", "/redoc", "/openapi.json", "/api/redoc", "/docs/oauth2-redirect"]
)
def test_no_documents_at_the_frameworks_default_paths(path):
    app = create_app(Settings(api_tokens=TOKENS))
    for headers in ({}, AUTH):
        response = TestClient(app).get(path, headers=headers)
        assert response.status_code == 404
        assert response.json() == {"error": "Not Found"}
