"""Database pieces that the apps' migrations share.

An append-only table: on PostgreSQL the database itself refuses UPDATE and
DELETE of its rows (a row trigger) and TRUNCATE of the table (a statement
trigger: row triggers do not fire on TRUNCATE). Test suites that empty every
table between tests set ``resursrad.allow_log_truncate`` for their own
connection (tests/conftest.py); the application never does. Other databases
(SQLite for ``make run``) get no trigger: the models refuse changes there
(``PermissionError`` from save and delete).

Migrations that have already run call ``append_only``: its SQL must stay as
it is, and a changed trigger belongs in a new function and a new migration.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import migrations

_FORWARD = """
CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{message}';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {table}_append_only
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_append_only();

CREATE OR REPLACE FUNCTION {table}_no_truncate() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('resursrad.allow_log_truncate', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '{message}';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {table}_no_truncate
    BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION {table}_no_truncate();
"""

_REVERSE = """
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
DROP FUNCTION IF EXISTS {table}_no_truncate();
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
DROP FUNCTION IF EXISTS {table}_append_only();
"""

_TABLE = re.compile(r"[a-z_][a-z0-9_]*")
_MESSAGE = re.compile(r"[A-Za-z0-9 .,-]+")


def append_only_trigger(table: str, message: str) -> tuple[str, str]:
    """PostgreSQL's SQL to make ``table`` append-only, and to undo it; ``message`` is the error raised.

    Both go into the SQL as they are, so they are held to plain names and words.
    """
    if not _TABLE.fullmatch(table):
        raise ValueError(f"Not a plain table name: {table!r}")
    if not _MESSAGE.fullmatch(message):
        raise ValueError(f"Not a plain message: {message!r}")
    return _FORWARD.format(table=table, message=message), _REVERSE.format(table=table)


def append_only(table: str, message: str) -> migrations.RunPython:
    """A migration operation that makes ``table`` append-only on PostgreSQL (and does nothing elsewhere)."""
    forward, reverse = append_only_trigger(table, message)

    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(forward)

    def backwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(reverse)

    return migrations.RunPython(forwards, backwards)
