-- Personal calendars (web/calendar_store.py): the same columns as the SQLite file, so that
-- `calfeed db copy` moves rows as they are and the secret links keep working.
CREATE TABLE calendar (
    feed_id TEXT PRIMARY KEY,
    edit_hash TEXT NOT NULL UNIQUE,
    generation INTEGER NOT NULL,
    choices TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    edited TEXT
);
CREATE TABLE creation (
    address_hash TEXT NOT NULL,
    at DOUBLE PRECISION NOT NULL
);
CREATE INDEX creation_by_address ON creation (address_hash, at);
-- Bytes of choices stored in all, kept by every write (summing them would read the table).
CREATE TABLE usage (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    bytes BIGINT NOT NULL
);
INSERT INTO usage VALUES (1, 0);
