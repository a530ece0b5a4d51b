-- Stacks, resources, events and the simulated cloud's objects, as JSON
-- documents; the columns the engine queries or compares are kept apart.
CREATE TABLE IF NOT EXISTS stacks (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    project TEXT NOT NULL,
    traversal INTEGER NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (project, name)
);

CREATE TABLE IF NOT EXISTS resources (
    stack_id TEXT NOT NULL,
    id TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (stack_id, id)
);

CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    stack_id TEXT NOT NULL,
    data TEXT NOT NULL
);

CREATE INDEX IF NOT EXISTS events_by_stack ON events (stack_id, seq);

CREATE TABLE IF NOT EXISTS sim_objects (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL
);
