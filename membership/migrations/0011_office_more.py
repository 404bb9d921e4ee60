# Kept empty for later changes in this area; removed if nothing is added.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("membership", "0010_reviews_more")]

    operations = []
