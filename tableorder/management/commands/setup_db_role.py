"""Create or update the app's own database role: it reads and writes the tables, nothing more."""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils.translation import gettext as _
from psycopg import sql

from tableorder.dbsecret import read_credentials


def role_statements(role, password, database, schema):
    """What makes `role` able to read and write every table of `schema`, and no more.

    Run by the owner of the tables (the role migrations run as): privileges on tables it
    creates later are granted by the default privileges, so each migration's new tables are
    covered. Whatever the role held before is revoked first, so running it again is exact.
    """
    names = {"role": sql.Identifier(role), "database": sql.Identifier(database), "schema": sql.Identifier(schema)}
    statements = [
        "ALTER ROLE {role} WITH LOGIN PASSWORD {password}",
        # No one but the owner creates anything: not in the schema, not even temporary tables.
        "REVOKE ALL ON DATABASE {database} FROM PUBLIC, {role}",
        "GRANT CONNECT ON DATABASE {database} TO {role}",
        "REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC, {role}",
        "GRANT USAGE ON SCHEMA {schema} TO {role}",
        "REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        "REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {role}",
        "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {role}",
    ]
    return [sql.SQL(text).format(**names, password=sql.Literal(password)) for text in statements]


class Command(BaseCommand):
    help = _(
        "Create or update the app's database role, as the owner of the tables after migrate: it may read "
        "and write every table and use their sequences, and cannot create, alter or drop anything."
    )

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument(
            "--from-secret",
            metavar="ARN",
            help=_('the role\'s "username" and "password" from this Secrets Manager secret'),
        )
        source.add_argument(
            "--username", help=_("the role's name; its password from the APP_DB_PASSWORD environment variable")
        )

    def handle(self, *args, from_secret, username, **options):
        if connection.vendor != "postgresql":
            raise CommandError(_("Database roles need PostgreSQL."))
        if from_secret:
            username, password = read_credentials(from_secret)
        else:
            password = os.environ.get("APP_DB_PASSWORD", "")
            if not password:
                raise CommandError(_("Set the role's password in the APP_DB_PASSWORD environment variable."))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_database(), current_schema()")
            owner, database, schema = cursor.fetchone()
            if username == owner:
                raise CommandError(
                    _("The app's role must not be %(owner)s, the owner migrations run as.") % {"owner": owner}
                )
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [username])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE ROLE {}").format(sql.Identifier(username)).as_string(cursor.connection))
            # Through psycopg's own cursor: Django's query log (DEBUG) would record the password.
            for statement in role_statements(username, password, database, schema):
                cursor.cursor.execute(statement)
            cursor.execute(
                "SELECT rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls"
                " OR pg_has_role(rolname, %s, 'MEMBER') FROM pg_roles WHERE rolname = %s",
                [owner, username],
            )
            if cursor.fetchone()[0]:
                raise CommandError(
                    _(
                        "The role %(role)s can do more than use tables (superuser, CREATEDB, CREATEROLE, "
                        "REPLICATION, BYPASSRLS or a member of %(owner)s): give the app a role of its own."
                    )
                    % {"role": username, "owner": owner}
                )
        self.stdout.write(
            self.style.SUCCESS(
                _("The role %(role)s may read and write the tables of %(database)s, nothing more.")
                % {"role": username, "database": database}
            )
        )
