"""The search index's full-text machinery, by database (neither is a model field):

- PostgreSQL: a generated ``search_vector`` (English stemming; the title weighted A over the
  text's B) with a GIN index, so the vector is never out of step with its row; and a GIN
  index of the titles' own vectors.
- SQLite: an FTS5 table over the entries (external content: the words are not stored twice),
  Porter stemming, kept in step by triggers.
"""

from django.db import migrations

PG_FORWARD = [
    """
    ALTER TABLE partnership_searchentry ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(text, '')), 'B')
    ) STORED
    """,
    "CREATE INDEX search_entry_vector ON partnership_searchentry USING GIN (search_vector)",
    # The titles alone (small, never toasted): a search ranks the newest title matches
    # however many newer records mention the words (partnership/search/query.py).
    "CREATE INDEX search_entry_title_vector ON partnership_searchentry"
    " USING GIN (to_tsvector('english'::regconfig, title))",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS search_entry_title_vector",
    "DROP INDEX IF EXISTS search_entry_vector",
    "ALTER TABLE partnership_searchentry DROP COLUMN IF EXISTS search_vector",
]

SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE partnership_searchentry_fts USING fts5(
        title, text, content='partnership_searchentry', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER partnership_searchentry_fts_insert AFTER INSERT ON partnership_searchentry
    BEGIN
        INSERT INTO partnership_searchentry_fts(rowid, title, text)
        VALUES (new.id, new.title, new.text);
    END
    """,
    """
    CREATE TRIGGER partnership_searchentry_fts_delete AFTER DELETE ON partnership_searchentry
    BEGIN
        INSERT INTO partnership_searchentry_fts(partnership_searchentry_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END
    """,
    """
    CREATE TRIGGER partnership_searchentry_fts_update AFTER UPDATE ON partnership_searchentry
    BEGIN
        INSERT INTO partnership_searchentry_fts(partnership_searchentry_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO partnership_searchentry_fts(rowid, title, text)
        VALUES (new.id, new.title, new.text);
    END
    """,
    # Entries written before this migration (none, unless it is run again after a reverse).
    "INSERT INTO partnership_searchentry_fts(partnership_searchentry_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS partnership_searchentry_fts_insert",
    "DROP TRIGGER IF EXISTS partnership_searchentry_fts_delete",
    "DROP TRIGGER IF EXISTS partnership_searchentry_fts_update",
    "DROP TABLE IF EXISTS partnership_searchentry_fts",
]


_FORWARD = {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}


def _require_fts5(connection) -> None:
    """SQLite's search needs its FTS5 module (in Python's own SQLite almost everywhere)."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA compile_options")
        options = {row[0] for row in cursor.fetchall()}
    if "ENABLE_FTS5" not in options:
        raise RuntimeError(
            "The search needs SQLite's FTS5 module (compile option ENABLE_FTS5), which this "
            "Python's sqlite3 lacks: use a Python whose SQLite library is built with FTS5 "
            "(Debian's libsqlite3-0 and the python.org builds are), or PostgreSQL."
        )


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite" and statements_by_vendor is _FORWARD:
            _require_fts5(schema_editor.connection)
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("partnership", "0009_follow_search_alerts_news")]

    operations = [
        migrations.RunPython(
            _run(_FORWARD),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
