"""The access log loses the two indexes no page uses (organisation, participant).

Every list writes a row per shown case, and each index is one more insertion
per row. Only the indexes are dropped: done through AlterField, Django would
also drop and re-add the organisation's foreign key, and re-adding it checks
the whole log while holding off every new entry.
"""

import django.db.models.deletion
from django.db import migrations, models

# The names Django gave them (0002_accesslog), the same on every database.
INDEXES = {
    "resursrad_accesslog_organisation_id_916c2be1": "organisation_id",
    "resursrad_accesslog_participant_id_da3ea38d": "participant_id",
}


class Migration(migrations.Migration):
    dependencies = [
        ("resursrad", "0008_access_log_keyset_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql=f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "resursrad_accesslog" ("{column}")',
                )
                for name, column in INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="accesslog",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="resursrad.organisation",
                        verbose_name="organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="accesslog",
                    name="participant_id",
                    field=models.BigIntegerField(null=True, verbose_name="participant"),
                ),
            ],
        ),
    ]
