"""resursrad.db: the append-only triggers that the administration log and the log reviews share."""

import time

import pytest
from django.db import DatabaseError, IntegrityError, OperationalError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from followup.models_review import LogReview
from resursrad.db import append_only_trigger, write_while
from resursrad.models import AdminEvent, AdminEventKind

APPEND_ONLY = [
    ("resursrad_adminevent", "The administration log is append-only"),
    ("followup_logreview", "The log reviews are append-only"),
]


def test_the_sql_names_the_tables_triggers_and_undoes_them():
    forward, reverse = append_only_trigger("app_thing", "The things are append-only")
    assert "BEFORE UPDATE OR DELETE ON app_thing" in forward
    assert "BEFORE TRUNCATE ON app_thing" in forward
    assert forward.count("RAISE EXCEPTION 'The things are append-only';") == 2
    assert "DROP TRIGGER IF EXISTS app_thing_append_only ON app_thing;" in reverse
    assert "DROP FUNCTION IF EXISTS app_thing_no_truncate();" in reverse


@pytest.mark.parametrize(
    "table,message",
    [("app_thing; DROP TABLE x", "Append-only"), ("App", "Append-only"), ("app_thing", "It's append-only")],
)
def test_only_plain_names_and_words_go_into_the_sql(table, message):
    with pytest.raises(ValueError):
        append_only_trigger(table, message)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers exist on PostgreSQL only")
@pytest.mark.django_db
@pytest.mark.parametrize("table,message", APPEND_ONLY)
def test_the_migrations_installed_both_triggers(table, message):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [table]
        )
        assert {name for (name,) in cursor.fetchall()} == {f"{table}_append_only", f"{table}_no_truncate"}
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = %s", [f"{table}_no_truncate"])
        assert f"RAISE EXCEPTION '{message}'" in cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers exist on PostgreSQL only")
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE followup_logreview SET comment = 'Ändrad'",
        "DELETE FROM followup_logreview",
        "TRUNCATE followup_logreview",
    ],
)
def test_postgresql_refuses_to_change_a_log_review(administrator, case_worker, statement):
    event = AdminEvent.objects.create(
        actor=administrator, subject=case_worker, kind=AdminEventKind.PASSWORD_RESET
    )
    LogReview.objects.create(reviewer=administrator, event=event, sample="admin", comment="Kontrollerad.")
    with (
        pytest.raises(DatabaseError, match="The log reviews are append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # The test suite may empty tables between tests (tests/conftest.py); the app may not.
        cursor.execute("SET LOCAL resursrad.allow_log_truncate = 'off'")
        # The rows' deferred foreign-key checks first: TRUNCATE is refused while they are pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(statement)
    assert LogReview.objects.get().comment == "Kontrollerad."


# --- write_while: a write sent ahead, its commit confirmed at the end of the block ---

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the write is sent ahead on PostgreSQL only"
)


@pytest.fixture
def probe(transactional_db):
    """A table of its own, in autocommit as a request is (a test transaction would hide the commit)."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE write_while_probe (id serial PRIMARY KEY, word text NOT NULL UNIQUE)")
    yield "INSERT INTO write_while_probe (word) VALUES (%s)"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE write_while_probe")


def committed_words():
    """What another connection sees: only what is committed."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT word FROM write_while_probe ORDER BY id")
            return [word for (word,) in cursor.fetchall()]
    finally:
        other.close()


@needs_postgresql
def test_the_write_is_sent_at_once_and_committed_when_the_block_ends(probe):
    with CaptureQueriesContext(connection) as queries, write_while(probe, ["först"]):
        assert committed_words() in ([], ["först"])  # on its way: perhaps already flushed
    assert committed_words() == ["först"]
    # Counted as every other query (query-count tests and the bench see it).
    assert [query["sql"] for query in queries] == ["INSERT INTO write_while_probe (word) VALUES ('först')"]


@needs_postgresql
def test_a_query_inside_the_block_waits_for_the_write_first(probe):
    with write_while(probe, ["först"]), connection.cursor() as cursor:
        cursor.execute("SELECT word FROM write_while_probe")
        assert cursor.fetchall() == [("först",)]
    assert committed_words() == ["först"]


@needs_postgresql
def test_a_failed_write_raises_when_the_block_ends_and_the_connection_goes_on(probe):
    with write_while(probe, ["först"]):
        pass
    reached_the_end = False
    with pytest.raises(IntegrityError), write_while(probe, ["först"]):
        reached_the_end = True
    assert reached_the_end
    # Nothing is left in flight: the next statement runs.
    with write_while(probe, ["sedan"]):
        pass
    assert committed_words() == ["först", "sedan"]


@needs_postgresql
def test_an_error_in_the_block_still_reads_the_answer(probe):
    with pytest.raises(ZeroDivisionError), write_while(probe, ["först"]):
        1 / 0  # noqa: B018
    assert committed_words() == ["först"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


@needs_postgresql
def test_inside_a_transaction_the_write_runs_at_once_and_commits_with_it(probe):
    with transaction.atomic():
        with write_while(probe, ["först"]):
            pass
        assert committed_words() == []
    assert committed_words() == ["först"]
    with pytest.raises(IntegrityError), transaction.atomic(), write_while(probe, ["först"]):
        pytest.fail("a failed write inside a transaction raises at once")


@needs_postgresql
@pytest.mark.parametrize(
    "sql",
    [
        "SELECT pg_sleep(5)",
        # A text whose first statement answers and whose second does not: the reading keeps to the
        # timeout. (A first answer larger than the server's send buffer reaches the client before
        # the second is done.)
        "SELECT repeat('x', 100000); SELECT pg_sleep(5)",
    ],
    ids=["no-answer", "second-result-late"],
)
def test_a_database_that_does_not_answer_ends_the_wait_within_the_statement_timeout(probe, settings, sql):
    settings.DATABASE_STATEMENT_TIMEOUT_SECONDS = 1
    started = time.monotonic()
    with pytest.raises(OperationalError), write_while(sql, []):
        pass
    assert time.monotonic() - started < 4
    # The next request's query gets a new connection.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


@needs_postgresql
def test_a_failed_write_read_by_a_query_in_the_block_is_raised_at_the_end_even_if_caught(probe):
    with write_while(probe, ["först"]):
        pass
    answered = False
    with pytest.raises(IntegrityError), write_while(probe, ["först"]):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            pass  # something in the rendering swallowed it: the block still fails
        answered = True
    assert answered
    assert committed_words() == ["först"]


@needs_postgresql
def test_a_health_check_due_is_asked_before_the_write_is_sent(probe):
    # As at the start of a request whose first query is the write.
    connection.health_check_done = False
    with write_while(probe, ["först"]), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM write_while_probe")
        assert cursor.fetchone() == (1,)
    assert committed_words() == ["först"]


@needs_postgresql
def test_in_a_transaction_opened_by_hand_the_write_is_not_taken_for_committed(probe):
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
    with write_while(probe, ["först"]):
        pass
    assert committed_words() == []
    with connection.cursor() as cursor:
        cursor.execute("ROLLBACK")
    assert committed_words() == []


@needs_postgresql
def test_a_transaction_inside_the_block_waits_for_the_write_first(probe):
    with write_while(probe, ["först"]):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO write_while_probe (word) VALUES ('sedan')")
        assert committed_words() == ["först", "sedan"]
    assert committed_words() == ["först", "sedan"]
    assert "set_autocommit" not in vars(connection)  # the connection's own method again
    with pytest.raises(IntegrityError), write_while(probe, ["först"]), transaction.atomic():
        pytest.fail("the failed write is raised before the transaction begins")
