"""resursrad.db: the append-only triggers that the administration log and the log reviews share."""

import pytest
from django.db import DatabaseError, connection, transaction

from followup.models_review import LogReview
from resursrad.db import append_only_trigger
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
