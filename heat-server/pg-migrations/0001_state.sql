-- The engine's state on PostgreSQL: stacks, resources, events, signals,
-- snapshots, documents and engine heartbeats as JSON documents, the
-- columns the engine queries or compares kept apart (the same shapes as
-- the SQLite schema after its migrations).
CREATE TABLE stacks (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    project TEXT NOT NULL,
    traversal BIGINT NOT NULL,
    data TEXT NOT NULL,
    lease_engine TEXT,
    lease_expires DOUBLE PRECISION,
    cancel TEXT,
    state TEXT NOT NULL DEFAULT ''
);

-- A name is unique among a project's stacks not deleted.
CREATE UNIQUE INDEX stacks_live_names ON stacks (project, name) WHERE state <> 'DELETE_COMPLETE';
CREATE INDEX stacks_by_project ON stacks (project, name);
-- What the takeover scan looks for: stacks in progress.
CREATE INDEX stacks_in_progress ON stacks (id) WHERE state LIKE '%\_IN\_PROGRESS';

CREATE TABLE resources (
    seq BIGSERIAL,
    stack_id TEXT NOT NULL,
    id TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (stack_id, id)
);

CREATE TABLE events (
    seq BIGSERIAL PRIMARY KEY,
    stack_id TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX events_by_stack ON events (stack_id, seq);

CREATE TABLE signals (
    seq BIGSERIAL PRIMARY KEY,
    stack_id TEXT NOT NULL,
    resource TEXT NOT NULL,
    signal_id TEXT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (stack_id, resource, signal_id)
);

CREATE TABLE engines (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL
);

CREATE TABLE snapshots (
    seq BIGSERIAL,
    stack_id TEXT NOT NULL,
    id TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (stack_id, id)
);

CREATE TABLE documents (
    seq BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    project TEXT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (kind, id)
);
CREATE INDEX documents_by_project ON documents (kind, project, seq);

-- Which cloud the stacks live on ("simulated" or "openstack:<cloud>").
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
