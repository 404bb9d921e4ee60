"""On PostgreSQL, the database itself refuses two chairs (or two deputy chairs) of one body
whose terms overlap, however the rows are written. SQLite cannot hold such a constraint: there
the partial unique constraints of 0001 and the service's locked check keep the rule."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE membership_membership ADD CONSTRAINT membership_one_holder_per_term
    EXCLUDE USING gist (
        body_id WITH =,
        role WITH =,
        daterange(starts_on, ends_on, '[)') WITH &&
    ) WHERE (role IN ('chair', 'deputy_chair'));
"""
DROP = "ALTER TABLE membership_membership DROP CONSTRAINT IF EXISTS membership_one_holder_per_term;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("membership", "0002_initial")]

    operations = [migrations.RunPython(create, drop)]
