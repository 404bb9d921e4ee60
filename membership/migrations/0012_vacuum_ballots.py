"""Rewrite the ballot table on PostgreSQL, so the readable ballots deleted by 0011 do not live
on as dead tuples in its pages. (Copies in the write-ahead log, its archive and backups from
before the upgrade are beyond a migration's reach: the README says what to do with them.)"""

from django.db import migrations


def vacuum(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("VACUUM FULL membership_ballot")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("membership", "0011_encrypted_ballots")]

    operations = [migrations.RunPython(vacuum, migrations.RunPython.noop, atomic=False)]
