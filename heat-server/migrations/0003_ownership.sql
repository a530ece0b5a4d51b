-- Ownership of stack operations: the lease of the engine that runs a
-- top-level stack's operation (fencing token: `traversal`), stored stop
-- requests, the stack's status for queries, signals and engine heartbeats.
ALTER TABLE stacks ADD COLUMN lease_engine TEXT;
ALTER TABLE stacks ADD COLUMN lease_expires REAL;
ALTER TABLE stacks ADD COLUMN cancel TEXT;
ALTER TABLE stacks ADD COLUMN state TEXT NOT NULL DEFAULT '';

CREATE TABLE IF NOT EXISTS signals (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    stack_id TEXT NOT NULL,
    resource TEXT NOT NULL,
    signal_id TEXT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (stack_id, resource, signal_id)
);

CREATE TABLE IF NOT EXISTS engines (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL
);

CREATE INDEX IF NOT EXISTS stacks_by_project ON stacks (project, name);

UPDATE stacks SET state = json_extract(data, '$.action') || '_' || json_extract(data, '$.status');
