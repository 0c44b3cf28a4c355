import subprocess
import sys

import pytest

from bench import run_load


def test_the_load_database_is_database_url_s_name_with_load_appended():
    url = run_load.load_database_url({"DATABASE_URL": "postgres://app:secret@db.local:5432/resursrad"})
    assert url == "postgres://app:secret@db.local:5432/resursrad_load"


def test_a_named_load_database_is_used_as_it_is():
    environ = {
        "DATABASE_URL": "postgres://postgres@127.0.0.1/resursrad",
        "LOAD_DATABASE_URL": "postgres://postgres@127.0.0.1/other_load",
    }
    assert run_load.load_database_url(environ) == "postgres://postgres@127.0.0.1/other_load"


@pytest.mark.parametrize(
    "environ",
    [
        {},
        {"DATABASE_URL": "sqlite:///var/db.sqlite3"},
        {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432"},
    ],
)
def test_anything_but_postgresql_is_refused_with_a_message(environ):
    with pytest.raises(SystemExit, match="make load needs PostgreSQL"):
        run_load.load_database_url(environ)


def test_a_database_whose_name_does_not_end_in_load_is_never_dropped():
    with pytest.raises(SystemExit, match="must end in _load"):
        run_load.load_database_url({"LOAD_DATABASE_URL": "postgres://postgres@127.0.0.1/resursrad"})


def test_the_server_s_environment_is_production_and_complete(tmp_path):
    env = run_load.app_environment("postgres://postgres@127.0.0.1/x_load", 8123)
    assert env["DEBUG"] == "false"
    assert env["GUNICORN_BIND"] == "127.0.0.1:8123"
    assert env["SECRET_KEY"] != run_load.app_environment("postgres://x/y_load", 1)["SECRET_KEY"]
    # The settings fail closed: they must start with exactly this environment.
    env["VAR_DIR"] = str(tmp_path)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    checked = subprocess.run(
        [sys.executable, "manage.py", "check", "--fail-level", "ERROR"],
        cwd=run_load.ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    assert "DEBUG" not in checked.stderr
