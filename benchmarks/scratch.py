"""The scratch database a benchmark script runs against: DATABASE_URL's (a PostgreSQL scratch
database, which the script's migrate empties), or an SQLite file that is deleted first."""

import os
from pathlib import Path


def scratch_django() -> str:
    """Start Django on an empty scratch database (an SQLite file is removed; the script then
    migrates). Returns the database's URL."""
    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        db = Path(url.removeprefix("sqlite:///"))
        db.parent.mkdir(parents=True, exist_ok=True)
        db.unlink(missing_ok=True)

    import django

    django.setup()
    return url
