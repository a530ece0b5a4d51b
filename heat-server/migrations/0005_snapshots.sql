-- Stack snapshots: what a stack was (its template, environment, files and
-- resources) when each was taken.
CREATE TABLE IF NOT EXISTS snapshots (
    stack_id TEXT NOT NULL,
    id TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (stack_id, id)
);
