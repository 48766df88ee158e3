-- The revision state (publish/revisions.py), as the SQLite state database keeps it: times are
-- ISO 8601 text in both, so that either backend gives the same bytes to a feed.
CREATE TABLE event_revision (
    uid TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    sequence BIGINT NOT NULL,
    modified TEXT NOT NULL
);
CREATE TABLE data_version (
    version TEXT PRIMARY KEY,
    first_loaded TEXT NOT NULL
);
CREATE TABLE last_good_file (
    name TEXT PRIMARY KEY,
    content BYTEA NOT NULL
);
CREATE TABLE show_revision (
    show_key TEXT PRIMARY KEY,
    shared INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    sequence BIGINT NOT NULL,
    modified TEXT NOT NULL
);
CREATE TABLE last_good (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version TEXT NOT NULL,
    loaded_at TEXT NOT NULL
);
-- What every SEQUENCE is numbered above (web/state_store.py): raised after instances served
-- numbers from memory while the database could not be reached.
CREATE TABLE sequence_base (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    base BIGINT NOT NULL
);
