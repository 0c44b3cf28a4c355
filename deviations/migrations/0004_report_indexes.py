# The report to the styrgrupp lists the decisions and the feedback since a date, ordered by when.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("deviations", "0003_deviation_creation_token"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="deviation",
            index=models.Index(fields=["decided_at", "id"], name="deviation_decided_at"),
        ),
        migrations.AddIndex(
            model_name="deviation",
            index=models.Index(fields=["feedback_at", "id"], name="deviation_feedback_at"),
        ),
    ]
