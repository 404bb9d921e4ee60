# Kept empty for later changes in this area; removed if nothing is added.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("partnership", "0007_restructure_and_rules_of_office")]

    operations = []
