"""The OpenAPI schema stays valid and warning-free; the docs page needs no CDN."""

import json
import re

import pytest
from django.core.management import call_command


def test_schema_is_valid_and_free_of_warnings(tmp_path):
    schema_file = tmp_path / "schema.json"
    # --fail-on-warn turns any warning (an unresolved serializer, auth class, path parameter) into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", "--file", str(schema_file))
    schema = json.loads(schema_file.read_text())
    for path, method in [
        ("/api/v1/auth/table/login", "post"),
        ("/api/v1/auth/table/refresh", "post"),
        ("/api/v1/menu", "get"),
        ("/api/v1/orders", "get"),
        ("/api/v1/orders", "post"),
        ("/api/v1/admin/tables/{id}/move", "post"),
        ("/api/v1/admin/orders/{id}/move", "post"),
    ]:
        assert method in schema["paths"][path], path
    placing = schema["paths"]["/api/v1/orders"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" and p["required"] for p in placing["parameters"])
    assert "tabletToken" in schema["components"]["securitySchemes"]


@pytest.mark.django_db
def test_schema_is_served(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/orders" in response.content


@pytest.mark.django_db
def test_docs_use_only_local_assets(client, settings):
    # The hashed-name manifest exists only after collectstatic; the names are what matter here.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert any("swagger-ui" in asset for asset in assets)
    assert all(asset.startswith("/") and not asset.startswith("//") for asset in assets), assets
    assert "cdn." not in html


@pytest.mark.django_db
def test_error_responses_are_documented_in_the_shape_the_api_answers(client):
    schema = client.get("/api/schema/?format=json").json()
    error = schema["components"]["schemas"]["Error"]
    placing = schema["paths"]["/api/v1/orders"]["post"]["responses"]
    assert {"400", "401", "403", "409"} <= set(placing)
    assert set(schema["paths"]["/api/v1/auth/login"]["post"]["responses"]) >= {"400", "401", "429"}
    assert placing["409"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}

    answered = client.post("/api/v1/auth/login", {}, content_type="application/json").json()
    assert set(answered) == set(error["properties"])
    assert set(error["properties"]["error"]["required"]) <= set(answered["error"])
    assert set(answered["error"]) <= set(error["properties"]["error"]["properties"])


@pytest.mark.django_db
def test_event_streams_are_documented_with_their_token_schemes(client):
    schema = client.get("/api/schema/?format=json").json()
    schemes = schema["components"]["securitySchemes"]
    for path in ("/api/v1/admin/stream", "/api/v1/orders/stream"):
        operation = schema["paths"][path]["get"]
        assert "text/event-stream" in operation["responses"]["200"]["content"]
        assert {"ticket", "Last-Event-ID"} <= {parameter["name"] for parameter in operation["parameters"]}
        for requirement in operation["security"]:
            assert set(requirement) <= set(schemes)


@pytest.mark.django_db
def test_the_print_agents_stream_is_documented_with_the_agent_token(client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/print-agent/stream"]["get"]
    assert "text/event-stream" in operation["responses"]["200"]["content"]
    assert operation["security"] == [{"printAgentToken": []}]
    assert "printAgentToken" in schema["components"]["securitySchemes"]
    assert "post" in schema["paths"]["/api/v1/print-agent/jobs/{id}/ack"]
