"""A covering index for the statistics: a referral's participant and submission from the index alone.

The statistics join every held slot to its referral for the participant's sex
and the submission date; with this index PostgreSQL reads those from the index
(an index-only scan) instead of the whole wide referral rows. Made here in
SQL rather than declared on the model: INCLUDE is PostgreSQL's, and the index
serves only the statistics (followup/stats.py); SQLite gets nothing.
"""

from django.db import migrations

CREATE = "CREATE INDEX IF NOT EXISTS referral_stats_cover ON cases_referral (id) INCLUDE (participant_id, submitted_at)"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS referral_stats_cover")


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_meeting_states")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
