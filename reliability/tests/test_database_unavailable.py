"""While the database is unreachable, every kind of view answers 503 with the error shape.

The app runs in a fresh process against a real PostgreSQL address where nothing listens
(core/tests/unreachable_database.py).
"""

import json

from core.tests.unreachable_database import run_without_database

REQUESTS = """
import json, django
django.setup()
from django.test import Client
from accounts.models import Table, User
from accounts.tokens import manager_tokens, table_tokens

tablet = table_tokens(Table(id=1, store_id=1, token_version=1))["access"]
manager = manager_tokens(User(id=1, store_id=1, token_version=1))["access"]
client = Client(headers={"host": "localhost"}, raise_request_exception=False)
answers = {
    "manager login": client.post(
        "/api/v1/auth/login", {"store_code": "demo", "username": "manager", "password": "x"},
        content_type="application/json",
    ),
    "tablet order": client.post(
        "/api/v1/orders", {"items": [{"menu_item_id": 1, "quantity": 1}]}, content_type="application/json",
        headers={"authorization": f"Bearer {tablet}", "idempotency-key": "k1"},
    ),
    "manager orders": client.get("/api/v1/admin/orders", headers={"authorization": f"Bearer {manager}"}),
    "tablet stream": client.get("/api/v1/orders/stream", headers={"authorization": f"Bearer {tablet}"}),
}
print(json.dumps({
    name: {"status": r.status_code, "retry_after": r.get("Retry-After"), "body": r.content.decode()}
    for name, r in answers.items()
}))
"""


def test_views_answer_503_with_the_error_shape_while_the_database_is_unreachable():
    result = run_without_database(REQUESTS, LOG_LEVEL="CRITICAL")
    assert result.returncode == 0, result.stderr[-3000:]
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    for name, answer in answers.items():
        assert answer["status"] == 503, (name, answer)
        assert answer["retry_after"] == "2", name
        error = json.loads(answer["body"])["error"]
        assert error["code"] == "service_unavailable", name
        assert error["message"], name
