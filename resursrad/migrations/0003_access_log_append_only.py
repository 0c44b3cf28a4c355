"""On PostgreSQL the database itself refuses to change or delete access-log rows."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION resursrad_accesslog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The access log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER resursrad_accesslog_append_only
    BEFORE UPDATE OR DELETE ON resursrad_accesslog
    FOR EACH ROW EXECUTE FUNCTION resursrad_accesslog_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS resursrad_accesslog_append_only ON resursrad_accesslog;
DROP FUNCTION IF EXISTS resursrad_accesslog_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("resursrad", "0002_accesslog")]

    operations = [migrations.RunPython(forwards, backwards)]
