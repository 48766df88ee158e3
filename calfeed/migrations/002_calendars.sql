-- Personal calendars (web/calendar_store.py): the same columns as the SQLite file, so that
-- `calfeed db copy` moves rows as they are and the secret links keep working.
CREATE TABLE calendar (
    feed_id TEXT PRIMARY KEY,
    edit_hash TEXT NOT NULL UNIQUE,
    generation INTEGER NOT NULL,
    choices TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    edited TEXT                 -- when it was made, last changed or deleted (UTC, ISO 8601)
);
CREATE TABLE creation (
    address_hash TEXT NOT NULL,
    at DOUBLE PRECISION NOT NULL
);
CREATE INDEX creation_by_address ON creation (address_hash, at);
-- Creations over an hour old are dropped by time, and deleted calendars reclaimed by it.
CREATE INDEX creation_by_time ON creation (at);
CREATE INDEX deleted_by_time ON calendar (edited) WHERE deleted = 1;
