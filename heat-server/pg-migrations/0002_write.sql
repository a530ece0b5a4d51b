-- A fenced write in one round trip: the top-level stack's row locked, the
-- fencing token checked, then every write of the batch applied, all or
-- nothing. Returns 'ok', 'fenced:<name>' or 'delete_pending:<name>'; a
-- live name taken by a new nested stack raises SQLSTATE HE001 with the
-- name as its message (nothing of the batch stays).
CREATE FUNCTION heat_write(root TEXT, token BIGINT, writes JSONB) RETURNS TEXT
LANGUAGE plpgsql AS $$
DECLARE
    held RECORD;
    w JSONB;
BEGIN
    SELECT name, traversal, cancel INTO held FROM stacks WHERE id = root FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 'fenced:' || root;
    END IF;
    IF held.traversal <> token THEN
        RETURN 'fenced:' || held.name;
    END IF;
    IF held.cancel = 'delete' AND EXISTS (
        SELECT 1 FROM jsonb_array_elements(writes) e
        WHERE e->>'op' = 'release' AND e->>'id' = root
    ) THEN
        RETURN 'delete_pending:' || held.name;
    END IF;
    FOR w IN SELECT value FROM jsonb_array_elements(writes) LOOP
        CASE w->>'op'
        WHEN 'put_resource' THEN
            INSERT INTO resources (stack_id, id, data) VALUES (w->>'stack_id', w->>'id', w->>'data')
                ON CONFLICT (stack_id, id) DO UPDATE SET data = excluded.data;
        WHEN 'add_event' THEN
            INSERT INTO events (stack_id, data) VALUES (w->>'stack_id', w->>'data');
        WHEN 'update_stack' THEN
            UPDATE stacks SET name = w->>'name', data = w->>'data', state = w->>'state',
                cancel = CASE WHEN (w->>'deleting')::boolean AND cancel = 'delete' THEN NULL ELSE cancel END
                WHERE id = w->>'id';
        WHEN 'insert_stack' THEN
            INSERT INTO stacks (id, name, project, traversal, data, lease_engine, lease_expires, cancel, state)
                VALUES (w->>'id', w->>'name', w->>'project', (w->>'traversal')::bigint, w->>'data',
                        w->>'lease_engine', (w->>'lease_expires')::double precision, w->>'cancel', w->>'state')
                ON CONFLICT DO NOTHING;
            IF NOT FOUND THEN
                RAISE EXCEPTION USING ERRCODE = 'HE001', MESSAGE = w->>'name';
            END IF;
        WHEN 'release' THEN
            UPDATE stacks SET lease_engine = NULL, lease_expires = NULL, cancel = NULL WHERE id = w->>'id';
            -- Whoever waits for the operation, in any process, learns it ended.
            PERFORM pg_notify('heat_changes', 'released:' || (w->>'id'));
        WHEN 'remove_stack' THEN
            DELETE FROM resources WHERE stack_id = w->>'id';
            DELETE FROM events WHERE stack_id = w->>'id';
            DELETE FROM signals WHERE stack_id = w->>'id';
            DELETE FROM snapshots WHERE stack_id = w->>'id';
            DELETE FROM stacks WHERE id = w->>'id';
        WHEN 'remove_resource' THEN
            DELETE FROM resources WHERE stack_id = w->>'stack_id' AND id = w->>'id';
        WHEN 'put_snapshot' THEN
            INSERT INTO snapshots (stack_id, id, data) VALUES (w->>'stack_id', w->>'id', w->>'data')
                ON CONFLICT (stack_id, id) DO UPDATE SET data = excluded.data;
        WHEN 'remove_snapshot' THEN
            DELETE FROM snapshots WHERE stack_id = w->>'stack_id' AND id = w->>'id';
        END CASE;
    END LOOP;
    RETURN 'ok';
END;
$$;
