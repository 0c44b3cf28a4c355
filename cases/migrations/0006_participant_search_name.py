"""A participant's names in one lower-case column, with a trigram index on PostgreSQL.

The index is PostgreSQL's alone (GIN with gin_trgm_ops, from the pg_trgm
extension), so it is made by an operation that acts on PostgreSQL only and is
not part of the model's state: SQLite, which rebuilds a table from that state,
never sees it. Name search uses it through Participant.objects.named.
"""

import django.db.models.functions.text
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

INDEX_NAME = "participant_search_name_trgm"


def _index():
    # Without fastupdate every insert goes straight into the index: a search never
    # has to read a list of pending entries that only VACUUM would merge.
    return GinIndex(fields=["search_name"], opclasses=["gin_trgm_ops"], name=INDEX_NAME, fastupdate=False)


def add_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("cases", "Participant"), _index())


def remove_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("cases", "Participant"), _index())


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0005_list_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='participant',
            name='search_name',
            field=models.GeneratedField(db_persist=True, expression=django.db.models.functions.text.Lower(django.db.models.functions.text.Concat('first_name', models.Value(' '), 'last_name', models.Value(' '), 'pseudonym')), output_field=models.TextField()),
        ),
        # CREATE EXTENSION IF NOT EXISTS pg_trgm; it does nothing on other databases.
        TrigramExtension(),
        migrations.RunPython(add_trigram_index, remove_trigram_index),
    ]
