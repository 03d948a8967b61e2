-- =============================================================================
-- zoo fixture: Supabase -- Storage API (storage.objects) and Auth (auth.audit_log_entries)
--
-- sources (all verbatim unless listed under "changed"):
--  [A] repository supabase/auth
--      path   migrations/00_init_auth_schema.up.sql
--      commit 069e5a92bf54912fd71b5eecdb4692e97e6c622f
--      taken  CREATE TABLE audit_log_entries + its index + COMMENT ON TABLE;
--             functions uid() and role() (needed by the storage RLS policies).
--  [B] repository supabase/storage
--      path   migrations/tenant/0002-storage-schema.sql
--      commit 0b2408b027c565afe5d853fa3674bca6ffba09e9
--      taken  the DO block creating schema storage; CREATE TABLE storage.buckets,
--             index bname; CREATE TABLE storage.objects; the DO block creating the
--             unique index bucketid_objname; index name_prefix_search (text_pattern_ops);
--             ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY; functions
--             storage.foldername / filename / extension.
--  [C] repository supabase/storage
--      path   migrations/tenant/0002-pathtoken-column.sql
--      commit 1bdeea503e55b3cf8dc25ba28b05f8e279594a3b
--      taken  ALTER TABLE storage.objects ADD COLUMN path_tokens ... GENERATED ALWAYS ... STORED
--  [D] repository supabase/storage
--      path   migrations/tenant/0010-add-trigger-to-auto-update-updated_at-column.sql
--      commit 1bdeea503e55b3cf8dc25ba28b05f8e279594a3b
--      taken  whole file: function update_updated_at_column() (created in the current
--             schema, i.e. public, as in the source) and row trigger update_objects_updated_at.
--  [E] repository supabase/storage
--      path   src/test/db/04-dummy-data.sql.sample
--      commit 2bcbcf233de151df0894d39fd5a73c2d170e7c90
--      taken  the CREATE POLICY statements on storage.buckets / storage.objects
--             (the INSERTs of sample users/buckets/objects are not taken).
--
-- changed:
--  * [A] is a Go template: every `{{ index .Options "Namespace" }}` was replaced by
--    `auth`, and `CREATE SCHEMA IF NOT EXISTS auth;` was added in front (the auth
--    service creates the schema before running its migrations).
--  * [B]: the two DO blocks that create roles (anon, authenticated, service_role,
--    authenticator, supabase_storage_admin), grant to them and change owners are not
--    taken: roles are cluster-wide objects and would leak between test databases.
--    No policy below names a role, so nothing depends on them. Table storage.migrations
--    and function storage.search() are not taken (not needed by the big table).
--  * Nothing else: column definitions, defaults, FK, indexes, RLS, trigger and
--    policies are as written.
-- =============================================================================

-- ---------------------------------------------------------------- [A] auth
CREATE SCHEMA IF NOT EXISTS auth;

-- auth.audit_log_entries definition

CREATE TABLE IF NOT EXISTS auth.audit_log_entries (
	instance_id uuid NULL,
	id uuid NOT NULL,
	payload json NULL,
	created_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
	CONSTRAINT audit_log_entries_pkey PRIMARY KEY (id)
);
CREATE INDEX IF NOT EXISTS audit_logs_instance_id_idx ON auth.audit_log_entries USING btree (instance_id);
comment on table auth.audit_log_entries is 'Auth: Audit trail for user actions.';

-- Gets the User ID from the request cookie
create or replace function auth.uid() returns uuid as $$
  select nullif(current_setting('request.jwt.claim.sub', true), '')::uuid;
$$ language sql stable;

-- Gets the User ID from the request cookie
create or replace function auth.role() returns text as $$
  select nullif(current_setting('request.jwt.claim.role', true), '')::text;
$$ language sql stable;

-- ---------------------------------------------------------------- [B] storage

DO $$
BEGIN
    IF NOT EXISTS(SELECT schema_name FROM information_schema.schemata WHERE schema_name = 'storage') THEN
        CREATE SCHEMA storage;
    END IF;
END$$;

CREATE TABLE IF NOT EXISTS "storage"."buckets" (
    "id" text not NULL,
    "name" text NOT NULL,
    "owner" uuid,
    "created_at" timestamptz DEFAULT now(),
    "updated_at" timestamptz DEFAULT now(),
    PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX IF NOT EXISTS "bname" ON "storage"."buckets" USING BTREE ("name");

CREATE TABLE IF NOT EXISTS "storage"."objects" (
    "id" uuid NOT NULL DEFAULT gen_random_uuid(),
    "bucket_id" text,
    "name" text,
    "owner" uuid,
    "created_at" timestamptz DEFAULT now(),
    "updated_at" timestamptz DEFAULT now(),
    "last_accessed_at" timestamptz DEFAULT now(),
    "metadata" jsonb,
    CONSTRAINT "objects_bucketId_fkey" FOREIGN KEY ("bucket_id") REFERENCES "storage"."buckets"("id"),
    PRIMARY KEY ("id")
);
-- Single-version uniqueness of (bucket_id, name). Migration 0072
-- (drop-bucketid-objname-index) removes it once objects may carry several
-- versions per name. A replay must not bring the index back on a schema that
-- has moved past the single-version era: rebuilding it takes a ShareLock on
-- storage.objects for the whole build (0002 runs in a transaction), fails
-- outright if several rows share a name, and is dropped again anyway when
-- 0072 replays. The sentinel is the replacement index from 0066
-- (objects-current-version-index): the earliest schema marker of that era,
-- never dropped or renamed by a later migration. Guarding on the trigger
-- function from 0073 left a window — 0072 applied, 0073 not — where a replay
-- rebuilt the doomed index. The migrations bookkeeping table cannot be the
-- guard: resetMigration deletes its rows without undoing schema, so it lies
-- during exactly the replays this guard exists for.
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'storage'
          AND c.relname = 'idx_objects_current_version'
          AND c.relkind = 'i'
    ) THEN
        CREATE UNIQUE INDEX IF NOT EXISTS "bucketid_objname" ON "storage"."objects" USING BTREE ("bucket_id","name");
    END IF;
END$$;
CREATE INDEX IF NOT EXISTS name_prefix_search ON storage.objects(name text_pattern_ops);

ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;

CREATE OR REPLACE FUNCTION storage.foldername(name text)
 RETURNS text[]
 LANGUAGE plpgsql
AS $function$
DECLARE
_parts text[];
BEGIN
	select string_to_array(name, '/') into _parts;
	return _parts[1:array_length(_parts,1)-1];
END
$function$;

CREATE OR REPLACE FUNCTION storage.filename(name text)
 RETURNS text
 LANGUAGE plpgsql
AS $function$
DECLARE
_parts text[];
BEGIN
	select string_to_array(name, '/') into _parts;
	return _parts[array_length(_parts,1)];
END
$function$;

CREATE OR REPLACE FUNCTION storage.extension(name text)
 RETURNS text
 LANGUAGE plpgsql
AS $function$
DECLARE
_parts text[];
_filename text;
BEGIN
	select string_to_array(name, '/') into _parts;
	select _parts[array_length(_parts,1)] into _filename;
	-- @todo return the last part instead of 2
	return reverse(split_part(reverse(_filename), '.', 1));
END
$function$;

-- ---------------------------------------------------------------- [C]
alter table storage.objects add column path_tokens text[] generated always as (string_to_array("name", '/')) stored;

-- ---------------------------------------------------------------- [D]
CREATE OR REPLACE FUNCTION update_updated_at_column()
RETURNS TRIGGER AS $$
BEGIN
  NEW.updated_at = now();
  RETURN NEW;
END;
$$ language plpgsql;

CREATE TRIGGER update_objects_updated_at BEFORE UPDATE ON storage.objects FOR EACH ROW EXECUTE PROCEDURE update_updated_at_column();

-- ---------------------------------------------------------------- [E] policies
-- add policies
-- allows user to CRUD all buckets
CREATE POLICY crud_buckets ON storage.buckets for all USING (auth.uid() = '317eadce-631a-4429-a0bb-f19a7a517b4a');
-- allow public CRUD acccess to the public folder in bucket2
CREATE POLICY crud_public_folder ON storage.objects for all USING (bucket_id='bucket2' and (storage.foldername(name))[1] = 'public');
-- allow public CRUD acccess to a particular file in bucket2
CREATE POLICY crud_public_file ON storage.objects for all USING (bucket_id='bucket2' and name = 'folder/subfolder/public-all-permissions.png');
-- allow public CRUD acccess to a folder in bucket2 to a user with a given id
CREATE POLICY crud_uid_folder ON storage.objects for all USING (bucket_id='bucket2' and (storage.foldername(name))[1] = 'only_uid' and auth.uid() = 'd8c7bce9-cfeb-497b-bd61-e66ce2cbdaa2');
-- allow public CRUD acccess to a file in bucket2 to a user with a given id
CREATE POLICY crud_uid_file ON storage.objects for all USING (bucket_id='bucket2' and name = 'folder/only_uid.jpg' and auth.uid() = 'd8c7bce9-cfeb-497b-bd61-e66ce2cbdaa2');
-- allow CRUD acccess to a folder in bucket2 to all authenticated users
CREATE POLICY authenticated_folder ON storage.objects for all USING (bucket_id='bucket2' and (storage.foldername(name))[1] = 'authenticated' and auth.role() = 'authenticated');
-- allow CRUD access to a folder in bucket2 to its owners
CREATE POLICY crud_owner_only ON storage.objects for all USING (bucket_id='bucket2' and (storage.foldername(name))[1] = 'only_owner' and owner = auth.uid());
-- allow CRUD access to bucket4
CREATE POLICY open_all_update ON storage.objects for all WITH CHECK (bucket_id='bucket4');

-- zoo: table=storage.objects column=created_at kind=timestamptz features=uuid_key,function_default,unique_without_time,non_default_opclass,generated_column,row_trigger,rls,non_public_schema,nullable_time
-- zoo: table=auth.audit_log_entries column=created_at kind=timestamptz features=uuid_key,unique_without_time,comment,non_public_schema,nullable_time
