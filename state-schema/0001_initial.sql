-- skyform state schema, version 1.
-- Applied by src/state/store.rs inside one transaction; PRAGMA user_version records the version.

CREATE TABLE meta (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    lineage  TEXT    NOT NULL,
    serial   INTEGER NOT NULL,
    created  TEXT    NOT NULL
);

CREATE TABLE resources (
    address         TEXT PRIMARY KEY,
    module          TEXT NOT NULL,
    mode            TEXT NOT NULL CHECK (mode IN ('managed', 'data')),
    type            TEXT NOT NULL,
    name            TEXT NOT NULL,
    index_key       TEXT,
    provider        TEXT NOT NULL,
    schema_version  INTEGER NOT NULL,
    attributes      TEXT NOT NULL,
    sensitive_paths TEXT NOT NULL,
    dependencies    TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE TABLE outputs (
    name      TEXT PRIMARY KEY,
    value     TEXT    NOT NULL,
    sensitive INTEGER NOT NULL
);

CREATE TABLE lock (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    lock_id   TEXT    NOT NULL,
    operation TEXT    NOT NULL,
    who       TEXT    NOT NULL,
    host      TEXT    NOT NULL,
    pid       INTEGER NOT NULL,
    created   TEXT    NOT NULL
);

CREATE TABLE history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at  TEXT    NOT NULL,
    finished_at TEXT    NOT NULL,
    who         TEXT    NOT NULL,
    host        TEXT    NOT NULL,
    command     TEXT    NOT NULL,
    added       INTEGER NOT NULL,
    changed     INTEGER NOT NULL,
    destroyed   INTEGER NOT NULL,
    result      TEXT    NOT NULL,
    detail      TEXT    NOT NULL
);

CREATE TABLE pending_operations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    address    TEXT    NOT NULL,
    action     TEXT    NOT NULL CHECK (action IN ('create', 'update', 'delete')),
    started_at TEXT    NOT NULL,
    pid        INTEGER NOT NULL,
    prior      TEXT
);
