# The annual membership review, after its outside review: a sheet's meetings with no
# attendance recorded for the member, so its figures add up to the meetings held.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("membership", "0009_office_seats_and_reviews")]

    operations = [
        migrations.AddField(
            model_name="historicalreviewsheet",
            name="not_recorded",
            field=models.PositiveSmallIntegerField(
                default=0, verbose_name="attendance not recorded"
            ),
        ),
        migrations.AddField(
            model_name="reviewsheet",
            name="not_recorded",
            field=models.PositiveSmallIntegerField(
                default=0, verbose_name="attendance not recorded"
            ),
        ),
    ]
