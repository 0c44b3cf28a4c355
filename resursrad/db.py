"""Database pieces shared by the apps: an append-only table's triggers, and a write sent ahead.

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
import selectors
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import OperationalError, connections, migrations

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


# --- a write sent ahead ------------------------------------------------------
#
# A committed write waits for the database to flush its log to disk (fsync):
# on an ordinary disk that is most of a millisecond or more, longer than the
# rest of a list's queries together. write_while sends such a write at once
# and reads its answer only when the block ends, so the database flushes while
# the page is rendered. Nothing leaves the block unless the write is
# committed: a failed write raises there, as it would have at once, even if
# code inside the block caught the error when a query of its own read it first.


@contextmanager
def write_while(sql: str, params: Sequence[Any], using: str = "default") -> Iterator[None]:
    """Run one INSERT (or other single statement) now; be sure it is committed when the block ends.

    On PostgreSQL in autocommit the statement is sent and its answer read at
    the end of the block, or before the connection's next query if the block
    asks one. Inside a transaction, and on other databases, it runs at once as
    any statement does (in a transaction it must come before the COMMIT).

    A query or a transaction (``atomic``) inside the block first reads the
    answer, and raises if the write failed.
    """
    connection = connections[using]
    if connection.vendor != "postgresql" or connection.in_atomic_block or not connection.get_autocommit():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        yield
        return
    statement = _SentStatement.send(connection, sql, params)
    if statement is None:
        # The connection is not idle (a transaction opened by hand): as any statement.
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        yield
        return
    # A query asked inside the block reads the answer first: one statement at a time on a connection.
    # So does a transaction opened in it (atomic turns autocommit off, which no query wrapper sees).
    set_autocommit = connection.set_autocommit

    def set_autocommit_after_the_write(*args: Any, **kwargs: Any) -> None:
        statement.finish()
        statement.confirm()
        set_autocommit(*args, **kwargs)

    connection.set_autocommit = set_autocommit_after_the_write  # type: ignore[method-assign]
    with connection.execute_wrapper(statement.finish_before):
        try:
            yield
        finally:
            del connection.set_autocommit  # the class's own again
            # On an error in the block too: the connection is left with nothing in flight.
            statement.finish()
    # Raised here even if the block caught it when a query of its own read the answer.
    statement.confirm()


class _SentStatement:
    """One statement sent without waiting; finish reads its answer (once), confirm raises unless committed."""

    def __init__(self, connection: Any, query: str, pgconn: Any) -> None:
        self.connection = connection
        self.query = query
        self.pgconn = pgconn
        self.started = time.monotonic()
        self.done = False
        self.error: BaseException | None = None

    @classmethod
    def send(cls, connection: Any, sql: str, params: Sequence[Any]) -> _SentStatement | None:
        """The statement, sent; None when the connection is not idle in autocommit."""
        import psycopg
        from psycopg import pq

        # A health check Django has due would ask SELECT 1 while the answer is pending: ask it first.
        connection.close_if_health_check_failed()
        connection.ensure_connection()
        raw = connection.connection
        if raw.pgconn.transaction_status != pq.TransactionStatus.IDLE:
            return None
        # Bound as Django binds them (client side), into one text the server runs in autocommit.
        with psycopg.ClientCursor(raw) as cursor:
            query = cursor.mogrify(sql, params)
        statement = cls(connection, query, raw.pgconn)
        with connection.wrap_database_errors:
            statement.pgconn.send_query(query.encode(raw.info.encoding))
            while statement.pgconn.flush():
                statement._wait(selectors.EVENT_WRITE)
        return statement

    def finish_before(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.finish()
        self.confirm()
        return execute(sql, params, many, context)

    def confirm(self) -> None:
        if self.error is not None:
            raise self.error

    def finish(self) -> None:
        """Read the answer, whatever it is; an error is kept for confirm (and raised now)."""
        if self.done:
            return
        self.done = True
        try:
            self._read()
        except BaseException as error:
            self.error = error
            raise

    def _read(self) -> None:
        from psycopg import pq
        from psycopg.errors import error_from_result

        with self.connection.wrap_database_errors:
            results = []
            while True:
                # Each result is read once the socket has it: never a blocking wait without the timeout.
                self.pgconn.consume_input()
                if self.pgconn.is_busy():
                    self._wait(selectors.EVENT_READ)
                    continue
                result = self.pgconn.get_result()
                if result is None:
                    break
                results.append(result)
            if self.connection.queries_logged:
                # Counted and shown as every other query (django_assert_num_queries, the bench).
                self.connection.queries_log.append(
                    {"sql": self.query, "time": f"{time.monotonic() - self.started:.3f}"}
                )
            encoding = self.connection.connection.info.encoding
            for result in results:
                if result.status != pq.ExecStatus.COMMAND_OK:
                    raise error_from_result(result, encoding=encoding)
            if self.pgconn.transaction_status != pq.TransactionStatus.IDLE:
                raise OperationalError("The statement sent ahead was not committed.")

    def _wait(self, event: int) -> None:
        """Until the socket is ready, for at most the statement timeout (a frozen server ends the request)."""
        timeout = settings.DATABASE_STATEMENT_TIMEOUT_SECONDS + 1 - (time.monotonic() - self.started)
        with selectors.DefaultSelector() as selector:
            selector.register(self.pgconn.socket, event)
            if not selector.select(max(timeout, 0)):
                self.connection.close()
                raise OperationalError("No answer from the database within the statement timeout.")
