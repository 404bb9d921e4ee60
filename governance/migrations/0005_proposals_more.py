# Kept empty for later changes in this area; removed if nothing is added.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("governance", "0004_acting_chair_actions_proposals")]

    operations = []
