"""`make run`: uvicorn reloads with watchfiles and watches the project's own folders, not .venv."""

import shlex
import subprocess
from pathlib import Path

from django.apps import apps
from django.conf import settings
from uvicorn import Config
from uvicorn.supervisors import ChangeReload
from uvicorn.supervisors.watchfilesreload import WatchFilesReload

BASE_DIR = Path(settings.BASE_DIR).resolve()


def run_recipe_uvicorn_args():
    """The arguments `make run` passes to uvicorn, as make expands them (nothing is run)."""
    result = subprocess.run(
        ["make", "--dry-run", "--no-print-directory", "run"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    commands = result.stdout.replace("\\\n", " ").splitlines()
    [uvicorn] = [line for line in commands if "uvicorn tableorder.asgi:application" in line]
    words = shlex.split(uvicorn)
    return words[words.index(next(w for w in words if w.endswith("/uvicorn"))) + 1 :]


def option_values(args, name):
    return [args[i + 1] for i, word in enumerate(args) if word == name]


def test_the_reloader_is_watchfiles():
    # Without watchfiles uvicorn falls back to StatReload, which polls every .py file under the
    # watched folders and ignores --reload-include.
    assert ChangeReload is WatchFilesReload


def test_make_run_watches_the_project_folders_and_not_the_virtualenv(monkeypatch):
    args = run_recipe_uvicorn_args()
    assert "--reload" in args
    monkeypatch.chdir(BASE_DIR)
    config = Config(
        "tableorder.asgi:application",
        reload=True,
        reload_dirs=option_values(args, "--reload-dir"),
        reload_includes=option_values(args, "--reload-include"),
        reload_excludes=option_values(args, "--reload-exclude"),
    )
    watched = [Path(d).resolve() for d in config.reload_dirs]

    def is_watched(path):
        path = Path(path).resolve()
        return any(path == d or d in path.parents for d in watched)

    # The project's own apps are folders at its top (the installed ones may be under .venv here).
    own_code = [Path(app.path) for app in apps.get_app_configs() if Path(app.path).resolve().parent == BASE_DIR]
    own_files = [*own_code, *settings.TEMPLATES[0]["DIRS"], *settings.STATICFILES_DIRS, *settings.LOCALE_PATHS]
    assert {app.name for app in own_code} >= {"core", "tableorder", "accounts", "menus", "orders"}
    assert [path for path in own_files if not is_watched(path)] == []

    # Compared unresolved too: in a worktree .venv may be a link to a virtualenv elsewhere.
    as_named = [Path(d).absolute() for d in config.reload_dirs]
    generated = [".venv", ".git", "media", "staticfiles", "test-output", settings.MEDIA_ROOT, settings.STATIC_ROOT]
    for path in [(BASE_DIR / name).absolute() for name in generated]:
        assert not any(d == path or d in path.parents for d in as_named), path
        assert not is_watched(path), path

    assert {"*.html", "*.js", "*.css"} <= set(config.reload_includes)
