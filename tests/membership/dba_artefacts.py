"""What a database administrator can read, for tests/membership/test_election_dba_postgres.py.

Each reader returns raw bytes, as the administrator would see them: every page of every
relation of one database (``relation_pages``) and the tuples on them, dead ones included
(``heap_tuples``); that database's records in the write-ahead log (``WalReader``); the server
log (``ServerLog``); a plain ``pg_dump``; every key in a Redis database. ``Needles`` looks for
many byte strings in all of that in one pass each.

PostgreSQL only (pageinspect and pg_walinspect, a superuser connection). Nothing here changes
the server: the WAL and the log are read through SQL, and the replication slot that keeps the
WAL is temporary (dropped with its connection).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import shutil
import struct
import subprocess
from collections import defaultdict
from collections.abc import Iterable, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

from membership.crypto.group import ORDER

# --- looking for many byte strings at once ---------------------------------------------------


def scalar_forms(value: int) -> list[bytes]:
    """The ways a scalar could be written down: 32 bytes big- and little-endian, hex in lower
    and upper case (padded and not), and decimal."""
    value %= ORDER
    raw = value.to_bytes(32, "big")
    forms = {raw, raw[::-1], raw.hex().encode(), raw.hex().upper().encode(), str(value).encode()}
    forms |= {format(value, "x").encode(), format(value, "X").encode()}
    return sorted(forms)


def code_forms(code: str) -> list[bytes]:
    """A counting code as shown (groups and dashes) and as typed (``normalise_code``), in
    either case."""
    plain = "".join(ch for ch in code.upper() if ch.isalnum())
    return sorted({f.encode() for f in (code, code.lower(), plain, plain.lower())})


def bytes_forms(data: bytes) -> list[bytes]:
    """Binary data as stored, and as PostgreSQL writes bytea in text (hex)."""
    data = bytes(data)
    return [data, data.hex().encode(), data.hex().upper().encode()]


class Needles:
    """Many byte strings looked for in one pass over each haystack.

    Every needle is at least ``2 * block - 1`` bytes long, so each occurrence covers a whole
    ``block``-sized piece of the haystack starting at a multiple of ``block``: only those
    pieces are looked up (one dictionary probe each), and a hit is confirmed in full."""

    def __init__(self, needles: Mapping[str, Iterable[bytes]]) -> None:
        self.labels = {}
        flat = [(label, bytes(form)) for label, forms in needles.items() for form in forms]
        if not flat:
            raise ValueError("Nothing to look for.")
        shortest = min(len(form) for _, form in flat)
        self.block = (shortest + 1) // 2
        if self.block < 8:
            raise ValueError(f"A needle of {shortest} bytes is too short to look for safely.")
        self.table: dict[bytes, list[tuple[str, bytes, int]]] = defaultdict(list)
        for label, form in flat:
            self.labels[label] = True
            for offset in range(len(form) - self.block + 1):
                self.table[form[offset : offset + self.block]].append((label, form, offset))

    def find(self, haystack: bytes) -> set[str]:
        """The labels of the needles found in ``haystack``."""
        haystack = bytes(haystack)
        block, table, found = self.block, self.table, set()
        for k in range(0, len(haystack) - block + 1, block):
            hits = table.get(haystack[k : k + block])
            if hits:
                for label, form, offset in hits:
                    start = k - offset
                    if start >= 0 and haystack[start : start + len(form)] == form:
                        found.add(label)
        return found

    def find_in(self, artefacts: Mapping[str, bytes]) -> dict[str, set[str]]:
        """For each artefact, the labels found in it (only artefacts with a find)."""
        out = {}
        for name, haystack in artefacts.items():
            found = self.find(haystack)
            if found:
                out[name] = found
        return out


# --- pages and tuples ------------------------------------------------------------------------


def database_oid(cursor) -> int:
    cursor.execute("SELECT oid FROM pg_database WHERE datname = current_database()")
    return cursor.fetchone()[0]


def relations(cursor) -> list[tuple[int, str, str, int]]:
    """Every relation of this database with storage (tables, TOAST tables, indexes,
    sequences, materialised views; the system catalogs too, but not the cluster's shared
    ones): ``(oid, name, relkind, blocks)``."""
    cursor.execute(
        "SELECT c.oid, c.oid::regclass::text, c.relkind, "
        "pg_relation_size(c.oid) / current_setting('block_size')::int "
        "FROM pg_class c WHERE c.relkind IN ('r', 't', 'i', 'm', 'S') "
        "AND NOT c.relisshared AND c.relpersistence = 'p' ORDER BY c.oid"
    )
    return cursor.fetchall()


def relation_pages(cursor) -> dict[str, bytes]:
    """Every block of every relation, raw (``get_raw_page``): live rows, dead rows and
    whatever is left in the free space."""
    pages = {}
    for oid, name, _kind, blocks in relations(cursor):
        if not blocks:
            continue
        cursor.execute(
            "SELECT get_raw_page(%s::regclass::text, 'main', b) "
            "FROM generate_series(0, %s - 1) AS b ORDER BY b",
            [oid, blocks],
        )
        pages[name] = b"".join(bytes(row[0]) for row in cursor.fetchall())
    return pages


def heap_tuples(cursor, relation: str) -> list[dict]:
    """Every tuple on every page of a table, dead or alive (``heap_page_items``): its
    ``xmax`` (non-zero once deleted or updated) and its data."""
    cursor.execute(
        "SELECT b, i.lp, i.lp_flags, i.t_xmin::text, i.t_xmax::text, i.t_data "
        "FROM generate_series(0, pg_relation_size(%s::regclass) "
        "/ current_setting('block_size')::int - 1) AS b, "
        "LATERAL heap_page_items(get_raw_page(%s, b)) AS i",
        [relation, relation],
    )
    return [
        {
            "block": b,
            "lp": lp,
            "flags": flags,
            "xmin": xmin,
            "xmax": xmax,
            "data": None if data is None else bytes(data),
        }
        for b, lp, flags, xmin, xmax, data in cursor.fetchall()
    ]


def table_tuples(cursor) -> dict[str, bytes]:
    """The data of every tuple (dead ones too) of every table and TOAST table of the
    database, as ``heap_page_items`` reads it, one byte string a table."""
    out = {}
    for _oid, name, kind, blocks in relations(cursor):
        if kind in ("r", "t", "m") and blocks:
            out[name] = b"\0".join(t["data"] or b"" for t in heap_tuples(cursor, name))
    return out


def columns(cursor) -> dict[tuple[str, str], bytes]:
    """Every value of every column of every table in the ``public`` schema, read through
    SQL, one byte string a column (values as text; bytea as its bytes)."""
    cursor.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
    )
    out = {}
    for (table,) in cursor.fetchall():
        cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from the catalog
        names = [d[0] for d in cursor.description]
        values = defaultdict(list)
        for row in cursor.fetchall():
            for name, value in zip(names, row, strict=True):
                if isinstance(value, memoryview | bytes):
                    values[name].append(bytes(value))
                elif value is not None:
                    values[name].append(str(value).encode())
        for name in names:
            out[(table, name)] = b"\0".join(values[name])
    return out


# --- the write-ahead log -------------------------------------------------------------------


def lsn(text: str) -> int:
    high, low = text.split("/")
    return (int(high, 16) << 32) | int(low, 16)


class WalReader:
    """The records of one database in the write-ahead log between two positions.

    pg_walinspect lists the records and the blocks each touches ("rel spc/db/rel"); a
    database's records are those touching its relations. Their bytes are read from the WAL
    segment files (``pg_read_binary_file``) with the page headers taken out, so a record
    spanning two pages reads as one piece."""

    def __init__(self, cursor) -> None:
        self.cursor = cursor
        cursor.execute(
            "SELECT current_setting('wal_block_size')::int, "
            "(SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size'), "
            "substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)"
        )
        self.page_size, self.segment_size, self.timeline = cursor.fetchone()
        self.pages: dict[int, bytes] = {}

    def segment_name(self, segment: int) -> str:
        per_id = 0x100000000 // self.segment_size
        return f"{self.timeline}{segment // per_id:08X}{segment % per_id:08X}"

    def records(self, *, start: str, end: str, database: int) -> list[tuple[str, str, bytes]]:
        """``(resource manager, record type, bytes)`` of each record touching ``database``'s
        relations, from ``start`` to ``end``."""
        self.cursor.execute(
            "SELECT start_lsn::text, end_lsn::text, resource_manager, record_type "
            "FROM pg_get_wal_records_info(%s::pg_lsn, %s::pg_lsn) WHERE block_ref ~ %s "
            "ORDER BY start_lsn",
            [start, end, rf"rel \d+/{database}/\d+ "],
        )
        spans = [(lsn(a), lsn(b), rm, kind) for a, b, rm, kind in self.cursor.fetchall()]
        self._load(spans)
        return [(rm, kind, self._bytes(a, b)) for a, b, rm, kind in spans]

    def _load(self, spans) -> None:
        wanted = sorted(
            {
                p
                for a, b, *_ in spans
                for p in range(a // self.page_size, (b - 1) // self.page_size + 1)
            }
            - set(self.pages)
        )
        per_segment = self.segment_size // self.page_size
        runs: list[list[int]] = []
        for page in wanted:
            if (
                runs
                and page == runs[-1][-1] + 1
                and page // per_segment == runs[-1][0] // per_segment
            ):
                runs[-1].append(page)
            else:
                runs.append([page])
        for run in runs:
            segment = run[0] // per_segment
            offset = (run[0] % per_segment) * self.page_size
            self.cursor.execute(
                "SELECT pg_read_binary_file(%s, %s, %s)",
                ["pg_wal/" + self.segment_name(segment), offset, len(run) * self.page_size],
            )
            data = bytes(self.cursor.fetchone()[0])
            for i, page in enumerate(run):
                body = data[i * self.page_size : (i + 1) * self.page_size]
                # xlp_pageaddr: the page is the one we asked for, not a recycled segment's.
                (address,) = struct.unpack_from("<Q", body, 8)
                if address != page * self.page_size:
                    raise AssertionError(f"WAL page {page:#x} is not there (recycled?).")
                self.pages[page] = body

    def _bytes(self, start: int, end: int) -> bytes:
        out = bytearray()
        for page in range(start // self.page_size, (end - 1) // self.page_size + 1):
            body = self.pages[page]
            (info,) = struct.unpack_from("<H", body, 2)
            header = 40 if info & 0x0002 else 24  # XLP_LONG_HEADER: a segment's first page
            base = page * self.page_size
            lo, hi = max(start, base + header), min(end, base + self.page_size)
            if lo < hi:
                out += body[lo - base : hi - base]
        return bytes(out)


# --- the server log ----------------------------------------------------------------------------


class ServerLog:
    """The server's log from now on, read through SQL (``pg_read_binary_file``) so it works
    whoever runs the tests. With the logging collector the current file; without it Debian's
    ``pg_ctlcluster`` sends it to /var/log/postgresql/postgresql-<cluster>.log."""

    def __init__(self, cursor) -> None:
        self.cursor = cursor
        cursor.execute(
            "SELECT pg_current_logfile(), current_setting('cluster_name'), "
            "current_setting('log_line_prefix')"
        )
        current, cluster, self.prefix = cursor.fetchone()
        candidates = [current] if current else []
        if cluster:
            candidates.append(f"/var/log/postgresql/postgresql-{cluster.replace('/', '-')}.log")
        self.path = None
        for path in candidates:
            cursor.execute("SELECT size FROM pg_stat_file(%s, true)", [path])
            row = cursor.fetchone()
            if row and row[0] is not None:
                self.path, self.offset = path, row[0]
                break
        if self.path is None:
            raise AssertionError(f"The server log is not readable (looked at {candidates}).")

    def read(self) -> bytes:
        """What was written since this object was made."""
        self.cursor.execute("SELECT size FROM pg_stat_file(%s)", [self.path])
        (size,) = self.cursor.fetchone()
        if size < self.offset:  # rotated by truncation: all of it is new
            self.offset = 0
        self.cursor.execute(
            "SELECT pg_read_binary_file(%s, %s, %s)", [self.path, self.offset, size - self.offset]
        )
        return bytes(self.cursor.fetchone()[0])

    def entries(self, text: bytes, *, database: str, pids: Iterable[int]) -> list[bytes]:
        """The log's entries (a line and its continuation lines) from sessions on
        ``database`` (by the prefix's ``%d``), or failing that from the backends ``pids``."""
        starts = re.compile(rb"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", re.M)
        bounds = [m.start() for m in starts.finditer(text)] + [len(text)]
        chunks = [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
        if "%d" in self.prefix:
            mark = f"@{database} ".encode()
            return [c for c in chunks if mark in c.split(b"\n", 1)[0]]
        marks = [f"[{pid}]".encode() for pid in pids]
        return [c for c in chunks if any(m in c.split(b"\n", 1)[0] for m in marks)]


# --- pg_dump, Redis, files ---------------------------------------------------------------------


def pg_dump_path() -> str | None:
    """The ``pg_dump`` to use: on the path (Debian's wrapper picks the server's version), or
    PostgreSQL 15's own."""
    found = shutil.which("pg_dump")
    if found:
        return found
    own = Path("/usr/lib/postgresql/15/bin/pg_dump")
    return str(own) if own.exists() else None


def pg_dump(settings: Mapping) -> bytes:
    """A plain-SQL ``pg_dump`` of the database, as text."""
    exe = pg_dump_path()
    if exe is None:
        raise AssertionError("pg_dump is not installed.")
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    command = [
        exe,
        "--format=plain",
        "--no-owner",
        "-h",
        settings.get("HOST") or "127.0.0.1",
        "-p",
        str(settings.get("PORT") or 5432),
        "-U",
        settings.get("USER") or "postgres",
        "-d",
        settings["NAME"],
    ]
    done = subprocess.run(command, capture_output=True, env=env, timeout=120, check=False)  # noqa: S603
    if done.returncode:
        raise AssertionError(f"pg_dump failed: {done.stderr.decode(errors='replace')}")
    return done.stdout


def _unpacked(value: bytes) -> list[bytes]:
    """A value, and if it is a kombu message (JSON with a base64 body), its body decoded."""
    out = [value]
    try:
        message = json.loads(value)
    except (ValueError, UnicodeDecodeError):
        return out
    if isinstance(message, list) and message and isinstance(message[0], str | bytes):
        try:
            message = json.loads(message[0])
        except (ValueError, TypeError):
            return out
    if isinstance(message, dict) and isinstance(message.get("body"), str):
        out.append(message["body"].encode())
        with suppress(ValueError):
            out.append(base64.b64decode(message["body"], validate=True))
    return out


def redis_contents(url: str) -> dict[str, bytes]:
    """Every key in the Redis database and its value(s), raw, with Celery's queued messages
    decoded as well (their bodies are base64)."""
    import redis

    client = redis.Redis.from_url(url)
    out = {}
    for key in client.scan_iter(count=1000):
        kind = client.type(key).decode()
        if kind == "string":
            values = [client.get(key) or b""]
        elif kind == "list":
            values = client.lrange(key, 0, -1)
        elif kind == "hash":
            values = [b for pair in client.hgetall(key).items() for b in pair]
        elif kind == "set":
            values = list(client.smembers(key))
        elif kind == "zset":
            values = [m for m, _ in client.zrange(key, 0, -1, withscores=True)]
        elif kind == "stream":
            values = [
                b for _, fields in client.xrange(key) for pair in fields.items() for b in pair
            ]
        else:
            values = []
        out[f"redis:{key.decode(errors='replace')}"] = b"\0".join(
            [key] + [part for v in values for part in _unpacked(v)]
        )
    return out


def files_since(folder: Path, moment: float) -> dict[str, bytes]:
    """The files under ``folder`` written since ``moment`` (a ``time.time()``)."""
    out = {}
    if folder.is_dir():
        for path in folder.rglob("*"):
            if path.is_file() and path.stat().st_mtime >= moment:
                out[f"file:{path}"] = path.read_bytes()
    return out


# --- the operator's log ------------------------------------------------------------------------


@contextmanager
def operator_log():
    """Everything the application logs, at DEBUG, with SQL logging forced on (the project
    never logs SQL; an operator could): every logger sends to one collector, and only to it,
    while the block runs. Yields the list of lines (each record formatted, then all its
    attributes, so arguments and extras are kept too)."""
    from django.db import connection

    lines: list[str] = []

    class Collector(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))
            lines.append(repr(record.__dict__))

    collector = Collector(logging.DEBUG)
    collector.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    saved_root = (root.level, root.handlers[:])
    loggers = [
        lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger)
    ]
    saved = [(lg, lg.level, lg.propagate, lg.handlers[:], lg.disabled) for lg in loggers]
    forced = connection.force_debug_cursor
    root.handlers = [collector]
    root.setLevel(logging.DEBUG)
    for lg in loggers:
        lg.setLevel(logging.NOTSET)
        lg.propagate, lg.handlers, lg.disabled = True, [], False
    connection.force_debug_cursor = True
    try:
        yield lines
    finally:
        connection.force_debug_cursor = forced
        for lg, level, propagate, handlers, disabled in saved:
            lg.setLevel(level)
            lg.propagate, lg.handlers, lg.disabled = propagate, handlers, disabled
        root.setLevel(saved_root[0])
        root.handlers = saved_root[1]
