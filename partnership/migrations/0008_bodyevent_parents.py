# A body's place in the tree on a past date (issue 16): a structure change records the body
# each re-parented body reported to before and after.
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("partnership", "0007_restructure_and_rules_of_office")]

    operations = [
        migrations.AddField(
            model_name="bodyevent",
            name="new_parent",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="partnership.body",
            ),
        ),
        migrations.AddField(
            model_name="bodyevent",
            name="old_parent",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="partnership.body",
            ),
        ),
        migrations.AlterField(
            model_name="bodyevent",
            name="role",
            field=models.CharField(
                choices=[
                    ("ended", "Ended by this change"),
                    ("successor", "Took on the others' work"),
                    ("renamed", "Renamed or given a new remit"),
                    ("moved", "Moved to report to another body"),
                ],
                max_length=20,
            ),
        ),
    ]
