"""Schemathesis against the project's own OpenAPI schema, on the app as production runs it.

The app runs under uvicorn with DEBUG off on a database of its own (tableorder.tests.browser's
AppServer, seeded with its test store). Schemathesis's command line reads the schema the app
serves and sends what it generates from it, positive and negative, as a tablet (the tablet's
operations with a tablet token), as a manager (/api/v1/admin/ with a manager token) and as
nobody (logins, and the streams, which without a credential answer at once). Every check
runs but two: no 5xx; every status, content type, header and body as documented, for valid
and invalid input alike; the token required; a required header missing or a method not
allowed refused as such; what one request created readable by the next.

Left out: `positive_data_acceptance` (a schema-valid request must succeed): the schema cannot
say which ids exist, which names are taken or which reasons a store offers, so an order for
item 0 is rightly a 400. And `negative_data_rejection` (a schema-invalid request must fail):
DRF reads the number 0 as the text "0" and a form's "0" as false, a leniency the schema does
not describe. NUL characters are left out of generated strings: every DRF text field refuses
them (a 400), which the schema does not say either.

The defects it found are pinned by the plain tests at the end of this file.

Bounded in the suite: the coverage and fuzzing phases with FUZZ_EXAMPLES=3 examples an
operation, the same cases every run. `make fuzz` runs every phase with 500 (docs/reliability.md
has the figures of both). Each run's schemathesis report goes to test-output/fuzz/.
"""

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from accounts.services import setup_table
from accounts.tokens import manager_tokens, table_tokens
from orders.serializers import ID_LIST_PATTERN
from orders.services import place_order
from tableorder.tests.browser import BASE_DIR, MANAGER, STORE_CODE, TABLE_PASSWORD, AppServer

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
# The stateful phase (chains of calls along the schema's links) runs with `make fuzz`.
FUZZ_PHASES = os.environ.get("FUZZ_PHASES", "coverage,fuzzing")
# Without a seed the cases are the same every run (schemathesis's deterministic mode).
FUZZ_SEED = os.environ.get("FUZZ_SEED")
REPORTS = BASE_DIR / "test-output" / "fuzz"
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")

# Who calls which operations, and with what: (path regex, credential).
RUNS = {
    "anonymous": (r"^/api/v1/(auth/|.*stream$)", None),
    "tablet": (r"^/api/v1/(menu|orders|staff-calls|stream-ticket)$", "tablet"),
    "manager": (r"^/api/v1/admin/(?!stream$)", "manager"),
}


class ProductionLikeServer(AppServer):
    """The browser tests' server with DEBUG off, as production runs (minus HTTPS), and the
    tablet limits out of the fuzzer's way: it places far more orders than a table would."""

    def __init__(self):
        super().__init__()
        self.env.pop("DEBUG")
        self.env.update(
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="0",
            SECURE_COOKIES="0",
            TABLE_ORDER_LIMIT="1000000",
            TABLE_STAFF_CALL_LIMIT="1000000",
        )


def post_json(url, body):
    request = urllib.request.Request(
        url, json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory):
    """(server, served schema file, {credential: access token}), tokens taken before any fuzzing."""
    server = ProductionLikeServer().start()
    try:
        schema = tmp_path_factory.mktemp("fuzz") / "schema.json"
        with urllib.request.urlopen(f"{server.url}/api/schema/?format=json", timeout=10) as response:
            schema.write_bytes(response.read())
        tokens = {
            "manager": post_json(
                f"{server.url}/api/v1/auth/login",
                {"store_code": STORE_CODE, "username": MANAGER, "password": "manager-pass-1"},
            )["access"],
            "tablet": post_json(
                f"{server.url}/api/v1/auth/table/login",
                {"store_code": STORE_CODE, "table_number": 1, "password": TABLE_PASSWORD},
            )["access"],
        }
        yield server, schema, tokens
    finally:
        server.stop()


def schemathesis(server, schema, *, paths, token, report):
    command = [
        str(SCHEMATHESIS),
        "run",
        str(schema),
        "--url",
        server.url,
        "--include-path-regex",
        paths,
        "--phases",
        FUZZ_PHASES,
        "--max-examples",
        str(FUZZ_EXAMPLES),
        *(["--seed", FUZZ_SEED] if FUZZ_SEED else ["--generation-deterministic"]),
        "--generation-allow-x00",
        "false",
        "--checks",
        "all",
        "--exclude-checks",
        "positive_data_acceptance,negative_data_rejection",
        "--workers",
        "1",
        "--request-timeout",
        "10",
        "--no-color",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    if token:
        command += ["--header", f"Authorization: Bearer {token}"]
    # In the schema's folder: schemathesis keeps a cache where it runs.
    return subprocess.run(command, cwd=schema.parent, capture_output=True, text=True, timeout=1800)


# In this order: the manager's run changes the menu and resets tables the tablet's run uses.
@pytest.mark.skipif(not SCHEMATHESIS.exists(), reason=f"{SCHEMATHESIS} is missing")
@pytest.mark.parametrize("who", list(RUNS))
def test_the_api_answers_every_generated_request_as_documented(fuzz_target, who):
    server, schema, tokens = fuzz_target
    paths, credential = RUNS[who]
    REPORTS.mkdir(parents=True, exist_ok=True)
    report_path = REPORTS / f"{who}.json"
    report_path.unlink(missing_ok=True)
    result = schemathesis(server, schema, paths=paths, token=tokens.get(credential), report=report_path)
    assert report_path.exists(), result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(report_path.read_text())
    cases = report["test_cases"]["generated"]
    print(f"fuzz {who}: {report['operations']['tested']} operations, {cases} cases, seed {FUZZ_SEED or 'none'}")
    assert report["operations"]["tested"] > 0, result.stdout[-3000:]
    assert result.returncode == 0, result.stdout[-20000:]


# What the fuzzer found, pinned: each was a failing case of the runs above until it was fixed.

API = "/api/v1/admin"


@pytest.fixture
def api(client, manager):
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {manager_tokens(manager)['access']}"
    return client


def error_of(response, status):
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/json", response["Content-Type"]
    return response.json()["error"]


@pytest.mark.parametrize("url", [f"{API}/orders/null,null", f"{API}/tables/1/nothing", "/api/v1/nothing"])
def test_an_api_path_no_route_matches_is_a_404_in_the_error_shape(api, url):
    """It was Django's HTML page (ST105 undocumented content type)."""
    assert error_of(api.get(url), 404) == {"code": "not_found", "message": "Not found."}
    assert api.delete(url).status_code == 404


def test_a_page_no_route_matches_is_still_a_page(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("path", ["orders", "history", "staff-calls"])
@pytest.mark.parametrize("table", ["²", "١", "1,,2", " 1", "1" * 19, ""])
def test_table_ids_in_a_filter_are_ascii_digits(api, path, table):
    """`?table=²` was a 500: str.isdigit() takes it, int() does not."""
    assert set(error_of(api.get(f"{API}/{path}", {"table": table}), 400)["fields"]) == {"table"}


def test_a_list_of_table_ids_still_filters(api, store, table, menu):
    placed, _created = place_order(table=table, items=[{"menu_item_id": menu[0].id, "quantity": 1}])
    other = setup_table(store=store, number=2, password="1234")[0]
    for query in (f"table={table.id}", f"table={other.id},{table.id}", f"table={other.id}&table={table.id}"):
        assert [order["id"] for order in api.get(f"{API}/orders?{query}").json()["results"]] == [placed.id]
    assert api.get(f"{API}/orders?table={other.id}").json()["results"] == []


@pytest.mark.parametrize(
    "query", ["page=0", "page=-1", "page=abc", "page=last", "page=", "page_size=0", "page_size=null", "page_size=1.5"]
)
def test_paging_parameters_are_whole_numbers_from_1(api, store, query):
    """`page=0` was an undocumented 404 and `page_size=null` was silently the default."""
    name = query.split("=")[0]
    assert set(error_of(api.get(f"{API}/tables?{query}"), 400)["fields"]) == {name}


def test_a_page_past_the_last_is_a_404_and_big_pages_are_100(api, store):
    for number in range(1, 4):
        setup_table(store=store, number=number, password="1234")
    assert error_of(api.get(f"{API}/tables?page=2"), 404)["code"] == "not_found"
    assert len(api.get(f"{API}/tables?page_size=2&page=2").json()["results"]) == 1
    assert api.get(f"{API}/tables?page_size=1000").json()["count"] == 3


def test_a_bad_line_is_named_in_the_error_shape(client, table, menu):
    """Nested field errors were objects where the schema promises strings (ST108)."""
    response = client.post(
        "/api/v1/orders",
        {"items": [{"menu_item_id": menu[0].id, "quantity": 1}, {"menu_item_id": 1, "option_ids": [1, "x"]}]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {table_tokens(table)['access']}", "Idempotency-Key": "k"},
    )
    assert error_of(response, 400)["fields"] == {
        "items": ["2.quantity: This field is required.", "2.option_ids.2: A valid integer is required."]
    }


@pytest.fixture
def schema(client, db):
    return client.get("/api/schema/?format=json").json()


def test_the_schema_documents_paging_and_its_answers(schema):
    paged = 0
    for operations in schema["paths"].values():
        for operation in operations.values():
            parameters = {p["name"]: p for p in operation.get("parameters", ()) if p["in"] == "query"}
            if "page" in parameters:
                paged += 1
                assert parameters["page"]["schema"]["minimum"] == parameters["page_size"]["schema"]["minimum"] == 1
                assert {"400", "404"} <= set(operation["responses"])
    assert paged >= 8


def test_the_schema_requires_the_fields_of_whole_patch_bodies(schema):
    """A status change and a password reset need their field: `{}` is a 400, as documented."""
    components = schema["components"]["schemas"]
    for path, field in [(f"{API}/orders/{{id}}", "status"), (f"{API}/tables/{{id}}", "password")]:
        body = schema["paths"][path]["patch"]["requestBody"]
        assert body["required"]
        component = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        assert components[component]["required"] == [field]
    # Other PATCH bodies stay partial.
    category = schema["paths"][f"{API}/categories/{{id}}"]["patch"]["requestBody"]["content"]["application/json"]
    assert "required" not in components[category["schema"]["$ref"].rsplit("/", 1)[1]]


def test_the_schema_documents_json_bodies_and_multipart_only_for_images(schema):
    """An order's lines cannot be a form: documenting form bodies everywhere was wrong."""
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if "requestBody" in operation:
                expected = {"application/json"}
                if path.startswith(f"{API}/menu-items") and method in {"post", "put", "patch"}:
                    expected.add("multipart/form-data")
                assert set(operation["requestBody"]["content"]) == expected, (method, path)


def test_the_schema_gives_the_table_filter_its_pattern(schema):
    (table,) = [p for p in schema["paths"][f"{API}/orders"]["get"]["parameters"] if p["name"] == "table"]
    assert table["schema"]["pattern"] == ID_LIST_PATTERN
