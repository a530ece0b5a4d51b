-- Which cloud a state file's stacks live on: "simulated" or
-- "openstack:<cloud>". Set by the first operation, checked by every later
-- one, so a stack made on OpenStack is never deleted against the simulator
-- (which would forget its servers instead of deleting them).
CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- State files older than this table only ever held simulated stacks.
INSERT OR IGNORE INTO settings (key, value)
    SELECT 'cloud', 'simulated' WHERE EXISTS (SELECT 1 FROM stacks);
