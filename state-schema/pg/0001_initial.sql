-- skyform state schema for the `pg` backend (PostgreSQL), version 1: the tables of the SQLite
-- schema at its version 3 (0001_initial.sql + 0002_output_sets.sql + 0003_tainted.sql), each
-- keyed by workspace, so one schema holds every workspace of a configuration (as Terraform's pg
-- backend keeps its workspaces as rows of one table).
-- Applied by src/state/pg.rs inside one transaction, with the backend's schema as the
-- search_path; the `schema_version` table (created by that code) records the version.

CREATE TABLE meta (
    workspace TEXT   PRIMARY KEY,
    lineage   TEXT   NOT NULL,
    serial    BIGINT NOT NULL,
    created   TEXT   NOT NULL
);

CREATE TABLE resources (
    workspace       TEXT    NOT NULL,
    address         TEXT    NOT NULL,
    module          TEXT    NOT NULL,
    mode            TEXT    NOT NULL CHECK (mode IN ('managed', 'data')),
    type            TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    index_key       TEXT,
    provider        TEXT    NOT NULL,
    schema_version  BIGINT  NOT NULL,
    attributes      TEXT    NOT NULL,
    sensitive_paths TEXT    NOT NULL,
    dependencies    TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    tainted         BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (workspace, address)
);

CREATE TABLE outputs (
    workspace TEXT    NOT NULL,
    name      TEXT    NOT NULL,
    value     TEXT    NOT NULL,
    sensitive BOOLEAN NOT NULL,
    set_paths TEXT    NOT NULL DEFAULT '[]',
    PRIMARY KEY (workspace, name)
);

-- At most one row per workspace; its holder also holds a session-level advisory lock.
CREATE TABLE locks (
    workspace TEXT   PRIMARY KEY,
    lock_id   TEXT   NOT NULL,
    operation TEXT   NOT NULL,
    who       TEXT   NOT NULL,
    host      TEXT   NOT NULL,
    pid       BIGINT NOT NULL,
    created   TEXT   NOT NULL
);

CREATE TABLE history (
    workspace   TEXT   NOT NULL,
    id          BIGINT GENERATED ALWAYS AS IDENTITY,
    started_at  TEXT   NOT NULL,
    finished_at TEXT   NOT NULL,
    who         TEXT   NOT NULL,
    host        TEXT   NOT NULL,
    command     TEXT   NOT NULL,
    added       BIGINT NOT NULL,
    changed     BIGINT NOT NULL,
    destroyed   BIGINT NOT NULL,
    result      TEXT   NOT NULL,
    detail      TEXT   NOT NULL,
    PRIMARY KEY (workspace, id)
);

CREATE TABLE pending_operations (
    workspace  TEXT   NOT NULL,
    id         BIGINT GENERATED ALWAYS AS IDENTITY,
    address    TEXT   NOT NULL,
    action     TEXT   NOT NULL CHECK (action IN ('create', 'update', 'delete')),
    started_at TEXT   NOT NULL,
    pid        BIGINT NOT NULL,
    prior      TEXT,
    PRIMARY KEY (workspace, id)
);
