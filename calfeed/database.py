"""PostgreSQL shared by every instance: a connection pool per process, migrations at start.

With CALFEED_DATABASE_URL set, the revision state and personal calendars live here instead of
SQLite files in instance/, so that several machines serve one service (docs/deploy.md). Every
fault of the database becomes `DatabaseFault`, whose reason never holds the password.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from contextlib import contextmanager
from importlib import resources
from typing import Iterator
from urllib.parse import unquote, urlsplit, urlunsplit

log = logging.getLogger("calfeed.database")

# The app's extension holding its Database (None: SQLite files in instance/).
DATABASE = "calfeed.database"

# Seconds /healthz trusts its last look at the database, and waits for one at most.
PROBE_SECONDS, PROBE_WAIT = 2.0, 0.5
# Seconds between tries while the database is unreachable (other uses fail at once).
RETRY_SECONDS = 1.0
# Seconds after a use in which a pooled connection is lent again without a check.
CHECK_SECONDS = 1.0
# Any constant: the advisory lock that lets one instance at a time run the migrations.
MIGRATION_LOCK = 0x63616C66     # "calf"
# Taken by a revision load, so that instances loading the same data agree on the numbers.
REVISION_LOCK = 0x63616C67
# Taken by every calendar write, as SQLite's BEGIN IMMEDIATE is: the hourly count, the room
# left and the row change together whichever instance writes.
CALENDAR_LOCK = 0x63616C68


class _ConnectErrors(logging.Filter):
    """psycopg_pool logs each failed attempt to connect, a line per request in an outage:
    the latest is kept as the outage's reason instead, which Database logs once."""

    last: str | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith("error connecting"):
            _ConnectErrors.last = " ".join(message.partition(": ")[2].split())
            return False
        return not message.startswith("reconnection attempt")


logging.getLogger("psycopg.pool").addFilter(_ConnectErrors())


class DatabaseFault(Exception):
    """The database cannot be used now (unreachable, timed out, refused): try again later."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def shown(url: str) -> str:
    """The URL as logs and /healthz may name it: the password replaced by ***, whether in
    the address or as ?password=."""
    parts = urlsplit(url)
    if parts.password is not None:
        user, host = parts.username or "", parts.netloc.rpartition("@")[2]
        parts = parts._replace(netloc=f"{user}:***@{host}")
    query = "&".join("password=***" if item.split("=")[0].lower() == "password" else item
                     for item in parts.query.split("&")) if parts.query else ""
    return urlunsplit(parts._replace(query=query))


def check_url(url: str) -> None:
    """Refuse at start a URL that names no PostgreSQL database, saying what to give."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres") or not parts.hostname \
            or not parts.path.strip("/"):
        raise ValueError(f"CALFEED_DATABASE_URL={shown(url)!r} is not valid: give "
                         "postgresql://user:password@host:port/database, or leave it empty to "
                         "keep the state in SQLite files in instance/")


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, SQL) of every migration shipped, in order: files NNN_name.sql."""
    found = []
    for entry in (resources.files("calfeed") / "migrations").iterdir():
        if entry.name.endswith(".sql"):
            number, _, name = entry.name.removesuffix(".sql").partition("_")
            found.append((int(number), name, entry.read_text()))
    return sorted(found)


class Statements:
    """A connection that takes the SQLite stores' statements (`?` placeholders), so that one
    text of each statement serves both backends."""

    def __init__(self, connection):
        self.connection = connection

    def execute(self, sql: str, parameters=()):
        return self.connection.execute(sql.replace("?", "%s"), parameters)

    def executemany(self, sql: str, rows) -> None:
        rows = list(rows)
        if rows:
            with self.connection.cursor() as cursor:
                cursor.executemany(sql.replace("?", "%s"), rows)


def open_database(config) -> Database | None:
    """The database the settings name (CALFEED_DATABASE_URL and its pool and timeouts);
    None without a URL: the state stays in SQLite files in instance/."""
    if not config.get("DATABASE_URL"):
        return None
    return Database(config["DATABASE_URL"], pool_size=config["DATABASE_POOL_SIZE"],
                    connect_timeout=config["DATABASE_CONNECT_TIMEOUT_SECONDS"],
                    statement_timeout=config["DATABASE_STATEMENT_TIMEOUT_SECONDS"])


class Database:
    """One PostgreSQL database: each process (granian forks workers) opens its own pool on
    first use and migrates the schema once."""

    def __init__(self, url: str, *, pool_size: int = 4, connect_timeout: float = 3,
                 statement_timeout: float = 5):
        check_url(url)
        self.url, self.shown = url, shown(url)
        self.pool_size = max(1, int(pool_size))
        self.connect_timeout = connect_timeout
        self.statement_timeout = statement_timeout
        self._passwords = [p for p in (unquote(urlsplit(url).password or ""), *(
            unquote(item.partition("=")[2]) for item in urlsplit(url).query.split("&")
            if item.split("=")[0].lower() == "password")) if p]
        self._pool, self._pid, self._migrated = None, None, False
        self._lock = threading.Lock()
        self.fault: str | None = None       # why the last use failed, while it lasts
        self._failed_at = 0.0
        self._probed = (0.0, True)          # (when, reachable) of /healthz's last look

    @contextmanager
    def transaction(self) -> Iterator:
        """A connection inside one transaction, committed at the end, rolled back on error.
        In an outage, one use a second waits for a connection; the others fail at once, so
        that requests served from memory meanwhile are not held up."""
        if self.fault is not None and time.monotonic() - self._failed_at < RETRY_SECONDS:
            raise DatabaseFault(self.fault)
        try:
            with self._pool_here().connection(timeout=self.connect_timeout) as connection:
                self._migrate(connection)
                with connection.transaction():
                    yield connection
        except DatabaseFault as exc:
            self._failed(exc.reason)
            raise
        except Exception as exc:
            if not _is_database_error(exc):
                raise
            self._failed(self.reason(exc))
            raise DatabaseFault(self.reason(exc)) from None
        if self.fault is not None:
            log.warning("database %s reachable again: calendar writes and revisions resume",
                        self.shown)
            self.fault = _ConnectErrors.last = None

    def _failed(self, reason: str) -> None:
        # Logged when it begins or changes, not once per request of an outage.
        if self.fault is None:
            log.error("degraded: %s; public feeds, pages and the API serve from memory, "
                      "calendar writes answer 503 until it is back", reason)
        self.fault, self._failed_at = reason, time.monotonic()

    def reachable(self) -> bool:
        """Whether a query answers (for /healthz): looked at most every PROBE_SECONDS and
        waiting at most PROBE_WAIT, so that a load balancer's health check never times out
        on an outage of the database (the machine still serves) nor adds to it."""
        at, answer = self._probed
        if time.monotonic() - at < PROBE_SECONDS:
            return answer
        try:
            with self._pool_here().connection(timeout=PROBE_WAIT) as connection:
                self._migrate(connection)       # answering is not enough without the tables
                connection.execute("SELECT 1")
            answer = True
        except DatabaseFault:
            answer = False
        except Exception as exc:
            if not _is_database_error(exc):
                raise
            answer = False
        self._probed = (time.monotonic(), answer)
        return answer

    def reason(self, exc: BaseException) -> str:
        """What went wrong, for a log or /healthz: the server's words, without the password."""
        message = " ".join(str(exc).split()) or type(exc).__name__
        if type(exc).__name__ == "PoolTimeout" and _ConnectErrors.last:
            # The pool says only that it waited; why it could not connect is what helps.
            message = _ConnectErrors.last
        for password in self._passwords:
            message = message.replace(password, "***")
        return f"the database {self.shown} cannot be used: {message}"

    def close(self) -> None:
        with self._lock:
            if self._pool is not None and self._pid == os.getpid():
                self._pool.close()
            self._pool = None

    def _pool_here(self):
        pid = os.getpid()
        if self._pool is None or self._pid != pid:
            with self._lock:
                if self._pool is None or self._pid != pid:
                    self._pool, self._pid = self._new_pool(), pid
        return self._pool

    def _new_pool(self):
        from psycopg_pool import ConnectionPool

        pool = ConnectionPool(
            self.url, min_size=1, max_size=self.pool_size, open=False,
            timeout=self.connect_timeout, name="calfeed",
            # A connection broken by a restart of the server is found and replaced before use,
            # so that service resumes by itself once the database is back; one used a moment
            # ago is lent without that round trip (a create makes two transactions).
            check=_check_unless_just_used, reset=_mark_used,
            # Reconnecting is tried again on demand however long the database was away.
            reconnect_timeout=0,
            kwargs={"autocommit": True,
                    "connect_timeout": max(2, round(self.connect_timeout)),
                    "application_name": "calfeed",
                    "options": f"-c statement_timeout={round(self.statement_timeout * 1000)}"})
        pool.open(wait=False)
        return pool

    def _migrate(self, connection) -> None:
        if self._migrated:
            return
        import psycopg

        with self._lock:
            if not self._migrated:
                try:
                    applied = migrate(connection)
                except psycopg.Error as exc:
                    if _is_database_error(exc):
                        raise
                    # Say it on /healthz and in the log, and retry, rather than fail to start.
                    raise DatabaseFault(self.reason(exc) + " (while migrating its schema: the "
                                        "user of CALFEED_DATABASE_URL must be able to create "
                                        "tables in this database)") from None
                if applied:
                    log.info("database %s migrated to version %d", self.shown, applied[-1])
                self._migrated = True


def migrate(connection) -> list[int]:
    """Apply the migrations not yet recorded in schema_version, in one transaction under an
    advisory lock: instances starting together apply each once. Returns those applied."""
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        connection.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY "
                           "KEY, name TEXT NOT NULL, applied TIMESTAMPTZ NOT NULL DEFAULT now())")
        done = {row[0] for row in connection.execute("SELECT version FROM schema_version")}
        applied = []
        for version, name, sql in migrations():
            if version not in done:
                connection.execute(sql)
                connection.execute("INSERT INTO schema_version (version, name) VALUES (%s, %s)",
                                   (version, name))
                applied.append(version)
    return applied


def _check_unless_just_used(connection) -> None:
    from psycopg_pool import ConnectionPool

    if time.monotonic() - getattr(connection, "_calfeed_used", float("-inf")) > CHECK_SECONDS:
        ConnectionPool.check_connection(connection)


def _mark_used(connection) -> None:
    connection._calfeed_used = time.monotonic()


def _is_database_error(exc: BaseException) -> bool:
    import psycopg
    from psycopg_pool import PoolTimeout

    # Faults of the connection or the server; a programming error stays an error.
    return isinstance(exc, (psycopg.OperationalError, PoolTimeout, psycopg.InterfaceError)) \
        or (isinstance(exc, psycopg.errors.DatabaseError)
            and getattr(exc, "sqlstate", "") in {"57014", "55P03", "40001", "40P01", "25006"})
