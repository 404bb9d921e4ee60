from django.db import migrations


class Migration(migrations.Migration):
    """TODO(helper 1): the search vector and GIN index on PostgreSQL, FTS5 on SQLite."""

    dependencies = [("partnership", "0009_follow_search_alerts_news")]

    operations = []
