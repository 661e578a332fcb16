"""The ingest API documents itself: every endpoint in /api/docs comes with examples."""

from fastapi.testclient import TestClient

from services.ingest.app import create_app
from shared.settings import Settings
from tests.support.samples import TOKENS


def openapi() -> dict:
    app = create_app(Settings(api_tokens=TOKENS))
    return TestClient(app).get("/api/openapi.json").json()  # no lifespan: Redis is not needed


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
        "GET /api/articles/{article_id}/versions",
        "GET /api/articles/{article_id}/versions/{version}",
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


def test_the_docs_page_is_served_at_api_docs():
    app = create_app(Settings(api_tokens=TOKENS))
    page = TestClient(app).get("/api/docs")
    assert page.status_code == 200
    assert "/api/openapi.json" in page.text
