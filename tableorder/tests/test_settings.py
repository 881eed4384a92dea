"""Production settings: secrets only from the environment, `check --deploy` clean."""

import ast
import os
import subprocess
import sys

from django.conf import settings

from tableorder import settings as project_settings

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k" * 20 + "-production-like-secret-" + "x9" * 20,
    "ALLOWED_HOSTS": "order.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://order.example.com",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_COOKIES": "1",
}


def manage(*args, env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION_ENV and not k.startswith(("SECURE_", "AXES_")) and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env={**clean, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def production_settings(*names, env=PRODUCTION_ENV):
    code = f"from django.conf import settings; print(repr([getattr(settings, name) for name in {names!r}]))"
    result = manage("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout.strip().splitlines()[-1])


def evaluate(expression, env=PRODUCTION_ENV):
    """The value of a Python `expression` in a new process started with `env`, as Django set it up."""
    code = f"from django.db import connection\nprint(repr({expression}))"
    result = manage("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout.strip().splitlines()[-1])


def test_tls_to_the_database_verifies_the_server_once_given_the_ca_bundle():
    env = {**PRODUCTION_ENV, "DATABASE_URL": "postgres://app:pw@db.example.internal:5432/tableorder"}
    params = "{k: v for k, v in connection.get_connection_params().items() if k in ('sslmode', 'sslrootcert', 'host')}"
    assert evaluate(params, env) == {"host": "db.example.internal"}
    env["DB_SSLROOTCERT"] = "/etc/tableorder/rds-ca.pem"
    assert evaluate(params, env) == {
        "host": "db.example.internal",
        "sslmode": "verify-full",
        "sslrootcert": "/etc/tableorder/rds-ca.pem",
    }
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hsts_preload_only_when_asked_for_and_check_deploy_stays_clean():
    # Preloading is near-permanent for the whole domain: the site's owner opts in.
    assert production_settings("SECURE_HSTS_PRELOAD", "SECURE_HSTS_SECONDS") == [False, 31536000]
    preload = {**PRODUCTION_ENV, "SECURE_HSTS_PRELOAD": "1"}
    assert production_settings("SECURE_HSTS_PRELOAD", env=preload) == [True]
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=preload)
    assert result.returncode == 0, result.stdout + result.stderr


def test_login_limits_come_from_the_environment():
    names = ("AXES_FAILURE_LIMIT", "AXES_ACCOUNT_FAILURE_LIMIT", "AXES_ADDRESS_FAILURE_LIMIT")
    assert production_settings(*names) == [5, 20, 10]
    env = {**PRODUCTION_ENV, **dict(zip(names, ("7", "40", "50"), strict=True))}
    assert production_settings(*names, env=env) == [7, 40, 50]


def test_the_app_refuses_to_start_without_a_secret_key_unless_debugging():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert manage("check", env={**env, "DEBUG": "1"}).returncode == 0


def test_language_time_zone_and_hashers():
    assert project_settings.LANGUAGE_CODE == "ko-kr"
    assert project_settings.TIME_ZONE == "Asia/Seoul" and project_settings.USE_TZ
    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.BCryptSHA256PasswordHasher"


def test_collectstatic_builds_the_compressed_manifest(tmp_path):
    result = manage("collectstatic", "--noinput", env={**PRODUCTION_ENV, "STATIC_ROOT": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("admin/css/base.*.css.gz"))


def test_the_proxy_count_comes_with_the_proxy_addresses():
    env = {**PRODUCTION_ENV, "TRUSTED_PROXY_COUNT": "2", "FORWARDED_ALLOW_IPS": "127.0.0.1, 10.0.0.5"}
    assert production_settings("TRUSTED_PROXY_COUNT", "TRUSTED_PROXY_ADDRESSES", env=env) == [
        2,
        ["127.0.0.1", "10.0.0.5"],
    ]
    result = manage("check", env={**env, "FORWARDED_ALLOW_IPS": " "})
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT needs FORWARDED_ALLOW_IPS" in result.stderr
