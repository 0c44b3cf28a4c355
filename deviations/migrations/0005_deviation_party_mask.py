# The parties of each deviation as one number (a bit per party), so that the trend page counts
# the sets of parties from the deviations alone. Filled in here from the party rows. The index on
# reported_at includes the columns the trend page counts, so that it reads the index alone.

from django.db import migrations, models

# deviations.models.PARTY_BITS when written (a party's bit never changes).
FILL = """
UPDATE deviations_deviation SET party_mask = COALESCE((
    SELECT SUM(CASE party WHEN 'kommun' THEN 1 WHEN 'region' THEN 2 WHEN 'af' THEN 4 WHEN 'fk' THEN 8 ELSE 0 END)
    FROM deviations_deviationparty WHERE deviations_deviationparty.deviation_id = deviations_deviation.id
), 0)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("deviations", "0004_report_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="deviation",
            name="party_mask",
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        # Backwards, removing the field is all there is to do.
        migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop),
        # The index on reported_at, now holding what the trend page counts.
        migrations.RemoveIndex(model_name="deviation", name="deviation_reported_at"),
        migrations.AddIndex(
            model_name="deviation",
            index=models.Index(
                fields=["reported_at"],
                include=["category", "status", "party_mask", "answer_due_on", "decided_at", "id"],
                name="deviation_overview",
            ),
        ),
    ]
