-- Deleted stacks stay (DELETE_COMPLETE, reachable by id, with their
-- events), so a stack's name is unique only among the stacks not deleted:
-- the table is rebuilt without its UNIQUE (project, name) constraint and a
-- partial unique index takes its place.
CREATE TABLE stacks_new (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    project TEXT NOT NULL,
    traversal INTEGER NOT NULL,
    data TEXT NOT NULL,
    lease_engine TEXT,
    lease_expires REAL,
    cancel TEXT,
    state TEXT NOT NULL DEFAULT ''
);

INSERT INTO stacks_new (id, name, project, traversal, data, lease_engine, lease_expires, cancel, state)
    SELECT id, name, project, traversal, data, lease_engine, lease_expires, cancel, state FROM stacks;

DROP TABLE stacks;

ALTER TABLE stacks_new RENAME TO stacks;

CREATE UNIQUE INDEX stacks_live_names ON stacks (project, name) WHERE state <> 'DELETE_COMPLETE';

CREATE INDEX stacks_by_project ON stacks (project, name);
