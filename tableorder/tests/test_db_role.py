"""The app's own database role (`manage.py setup_db_role`): it runs the app, it cannot change the schema.

On PostgreSQL only: a role of its own per run, set up from a Secrets Manager secret (moto's
server) as deploy/deploy.sh does, then the app started as that role places an order.
"""

import json
import uuid

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import errors, sql

from conftest import ON_POSTGRES
from orders.models import Order
from tableorder.tests.aws import MotoServer
from tableorder.tests.test_settings import PRODUCTION_ENV, manage

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: database roles and privileges")

PLACE_AN_ORDER = """
from django.db import connection
from accounts.services import create_store, setup_table
from menus.models import Category, MenuItem
from orders.services import change_order_status, close_session, place_order
store, _ = create_store(code="role-test", name="역할 식당", manager_username="kim", manager_password="long-pass-1")
table = setup_table(store=store, number=1, password="1234")[0]
category = Category.objects.create(store=store, name="식사")
item = MenuItem.objects.create(store=store, category=category, name="김치찌개", price=9000)
order, _ = place_order(table=table, items=[{"menu_item_id": item.id, "quantity": 2}], idempotency_key="role-1")
change_order_status(order=order, status="preparing")
close_session(table=table, actor=store.users.get())
with connection.cursor() as cursor:
    cursor.execute("SELECT current_user")
    print(cursor.fetchone()[0], order.number, order.total)
"""


@pytest.fixture
def app_role(transactional_db, monkeypatch):
    """(role, secret ARN, env for a process that connects as the role); the role is dropped after."""
    role = f"tableorder_app_{uuid.uuid4().hex[:8]}"
    with MotoServer() as aws:
        for name, value in aws.env().items():
            monkeypatch.setenv(name, value)
        arn = aws.client("secretsmanager").create_secret(
            Name=f"tableorder/{role}", SecretString=json.dumps({"username": role, "password": uuid.uuid4().hex})
        )["ARN"]
        settings_dict = connection.settings_dict
        env = {
            **PRODUCTION_ENV,
            **aws.env(),
            "DATABASE_URL": f"postgres://{settings_dict['HOST']}:{settings_dict['PORT']}/{settings_dict['NAME']}",
            "DATABASE_SECRET_ARN": arn,
        }
        try:
            yield role, arn, env
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
                if cursor.fetchone():
                    cursor.execute(sql.SQL("DROP OWNED BY {0}; DROP ROLE {0}").format(sql.Identifier(role)))


def connect_as(role):
    settings_dict = connection.settings_dict
    return psycopg.connect(
        host=settings_dict["HOST"], port=settings_dict["PORT"], dbname=settings_dict["NAME"], user=role, autocommit=True
    )


def test_the_app_role_places_orders_and_cannot_change_the_schema(app_role):
    role, arn, env = app_role
    call_command("setup_db_role", from_secret=arn)
    call_command("setup_db_role", from_secret=arn)  # again, as every deploy does: same result

    result = manage("shell", "--no-imports", "-c", PLACE_AN_ORDER, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [role, "1", "18000"]
    placed = Order.objects.select_related("session").get(idempotency_key="role-1")
    assert placed.status == "preparing" and placed.session.closed_at is not None
    # deploy.sh without the owner's credentials: the app role can tell whether the schema is migrated.
    checked = manage("migrate", "--check", env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolpassword LIKE 'SCRAM-SHA-256$%%' FROM pg_authid"
            " WHERE rolname = %s",
            [role],
        )
        assert cursor.fetchone() == (False, False, False, True)
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = %s", [role])
        assert cursor.fetchone() == (0,)

    with connect_as(role) as conn:
        assert conn.execute("SELECT count(*) FROM orders_order").fetchone() == (1,)
        for statement in [
            "CREATE TABLE intruder (id int)",
            "CREATE TEMP TABLE intruder (id int)",
            "DROP TABLE orders_orderline",
            "ALTER TABLE orders_order ADD COLUMN intruder int",
            "TRUNCATE orders_orderevent",
            "CREATE INDEX intruder ON orders_order (note)",
            "CREATE SCHEMA intruder",
            "CREATE FUNCTION intruder() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        ]:
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(statement)


def test_the_app_role_cannot_be_the_owner(transactional_db, monkeypatch):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        [owner] = cursor.fetchone()
    monkeypatch.setenv("APP_DB_PASSWORD", "x" * 20)
    with pytest.raises(CommandError, match="must not be"):
        call_command("setup_db_role", username=owner)
