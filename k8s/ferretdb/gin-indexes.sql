-- FerretDB 1.x on PostgreSQL: make its queries use indexes.
--
-- FerretDB stores each document as one jsonb column, `_jsonb`, and turns MongoDB's
-- createIndex({f: 1}) into a btree index on the expression (_jsonb -> 'f'). But it pushes an
-- equality filter {f: v} down to PostgreSQL as containment, (_jsonb -> 'f') @> v, and a btree
-- index cannot answer @>: every find, even by _id, was a sequential scan of its collection.
-- A GIN index on the same expression can. This event trigger gives every btree index
-- FerretDB makes (the unique _id index of each new collection included) a GIN twin on its
-- leading key expression, so {f: v} becomes an index scan. Idempotent: run it at every start;
-- the last statement gives the indexes that already exist their twins too.
SET client_min_messages = warning;

CREATE OR REPLACE FUNCTION eventmart_gin_twins(index_oid oid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  key record;
  twin text;
BEGIN
  -- The leading key only: FerretDB pushes down equality filters, and a compound index such as
  -- {stream: 1, seq: 1} is there for its first field.
  SELECT i.indrelid::regclass AS tbl, n.nspname AS nsp, c.relname AS idx, pg_get_indexdef(i.indexrelid, 1, true) AS expr INTO key
  FROM pg_index i
  JOIN pg_class c ON c.oid = i.indexrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_am a ON a.oid = c.relam
  WHERE i.indexrelid = index_oid AND a.amname = 'btree';
  IF key.expr LIKE '(_jsonb -> %' THEN
    -- Without fastupdate: with it, new entries wait in a pending list that every lookup reads
    -- whole until a vacuum merges it, and a lookup by _id after a few thousand inserts cost
    -- 1.6 ms instead of 0.1 (docs/measurements.md). A twin an earlier version of this file made
    -- gets the setting too, and its pending entries merged.
    twin := left(key.idx, 59) || '_gin';
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gin ((%s) jsonb_path_ops) WITH (fastupdate = off)', twin, key.tbl, key.expr);
    EXECUTE format('ALTER INDEX %I.%I SET (fastupdate = off)', key.nsp, twin);
    PERFORM gin_clean_pending_list(format('%I.%I', key.nsp, twin)::regclass);
  END IF;
END
$$;

CREATE OR REPLACE FUNCTION eventmart_gin_twins_on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE
  cmd record;
BEGIN
  FOR cmd IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE object_type = 'index' LOOP
    PERFORM eventmart_gin_twins(cmd.objid);
  END LOOP;
END
$$;

DROP EVENT TRIGGER IF EXISTS eventmart_gin_twins;
CREATE EVENT TRIGGER eventmart_gin_twins ON ddl_command_end WHEN TAG IN ('CREATE INDEX', 'CREATE TABLE')
  EXECUTE FUNCTION eventmart_gin_twins_on_ddl();

SELECT eventmart_gin_twins(i.indexrelid)
FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace s ON s.oid = t.relnamespace
WHERE s.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast');

-- FerretDB runs every query as a prepared statement, the field name a parameter. A generic
-- plan cannot match (_jsonb -> $1) to an index expression; a custom plan, which sees the
-- value, can. PostgreSQL would usually pick custom plans here anyway; this makes it certain.
DO $$ BEGIN
  EXECUTE format('ALTER DATABASE %I SET plan_cache_mode = force_custom_plan', current_database());
END $$;
