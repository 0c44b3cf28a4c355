"""The coordinator's backlog in its order, straight from an index.

The planning page shows the backlog oldest first, a page at a time:
``status IN ('accepted', 'follow_up') ORDER BY backlog_since, id``. The index
on (status, backlog_since) gives each status in order but not the two merged,
so PostgreSQL read every waiting case and sorted them for the first page,
in time growing with the backlog (1.4 ms at 1,000 waiting cases). A partial
index on the order itself, over the waiting cases only, reads the page.

Written in SQL, outside the model's state: the states are the backlog's
(cases.workflow.BACKLOG_STATES, the sources of "schedule") as of this
migration; a change of those states needs a migration of its own.
"""

from django.db import migrations

NAME = "referral_backlog_order"


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_referral_statistics_cover"),
    ]

    operations = [
        migrations.RunSQL(
            sql=(
                f'CREATE INDEX IF NOT EXISTS "{NAME}" ON "cases_referral" ("backlog_since", "id") '
                "WHERE \"status\" IN ('accepted', 'follow_up')"
            ),
            reverse_sql=f'DROP INDEX IF EXISTS "{NAME}"',
        ),
    ]
