"""The revision store in PostgreSQL: the same statements as SQLite's, shared by every instance.

Instances on one database number events together: a load takes an advisory lock for its
transaction, so whichever instance sees a schedule change first raises the SEQUENCE and
stamps LAST-MODIFIED, and the others find that fingerprint and take the same numbers.
"""

from __future__ import annotations

from contextlib import contextmanager

from ..database import REVISION_LOCK, Database, Statements
from .revisions import RevisionStore


class PgRevisionStore(RevisionStore):
    """RevisionStore kept in a shared PostgreSQL database (migrated by `Database`)."""

    def __init__(self, database: Database):
        self.database = database
        self.path = database.shown

    @contextmanager
    def _transaction(self, write: bool = True):
        with self.database.transaction() as connection:
            if write:
                connection.execute("SELECT pg_advisory_xact_lock(%s)", (REVISION_LOCK,))
            yield Statements(connection)
