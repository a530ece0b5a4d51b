-- Objects a project keeps beside its stacks (software configs and
-- deployments), as JSON documents.
CREATE TABLE IF NOT EXISTS documents (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    project TEXT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (kind, id)
);

CREATE INDEX IF NOT EXISTS documents_by_project ON documents (kind, project, seq);
