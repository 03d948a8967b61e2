-- =============================================================================
-- zoo fixture: RudderStack (customer data platform; rudder-server's node database)
-- repository : rudderlabs/rudder-server
-- path       : sql/migrations/node/000001_create_event_schema.up.sql
-- commit     : e4fbd4de553050dc0bb196438988969bd9611fed
-- path       : sql/migrations/node/00005_alter_event_schemas_autovacuum.up.sql
-- commit     : 3218dfde37769caea29906c9c98178675a29f55c
--              (stored versions returned by the search tool)
-- taken      : the whole of both files, verbatim: event_models and schema_versions, their
--              indexes, and the storage parameters migration 00005 gives both tables
--              (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_cost_delay = 0), which a
--              partitioned table cannot hold and PostgreSQL passes to no partition.
--              The time-ordered tables are event_models (created_at) and schema_versions
--              (first_seen, with a unique index (event_model_id, schema_hash) without it).
-- changed    :
--   * leading `CREATE SCHEMA rudder; SET search_path = rudder, public;` added: the names
--     would clash with other fixtures' otherwise.
-- =============================================================================
CREATE SCHEMA rudder;
SET search_path = rudder, public;

---
--- Event Models
---

CREATE TABLE IF NOT EXISTS event_models (
		id SERIAL PRIMARY KEY,
		uuid VARCHAR(36) NOT NULL,
		write_key VARCHAR(32) NOT NULL,
		event_type TEXT NOT NULL,
		event_model_identifier TEXT NOT NULL DEFAULT '',
		created_at TIMESTAMP NOT NULL DEFAULT NOW());

CREATE INDEX IF NOT EXISTS event_model_write_key_index ON event_models (write_key);

---
---  Schema Versions
---

CREATE TABLE IF NOT EXISTS schema_versions (
		id BIGSERIAL PRIMARY KEY,
		uuid VARCHAR(36) NOT NULL, 
		event_model_id VARCHAR(36) NOT NULL,
		schema_hash VARCHAR(32) NOT NULL,
		schema JSONB NOT NULL,
		metadata JSONB NOT NULL DEFAULT '{}'::jsonb,
		first_seen TIMESTAMP NOT NULL DEFAULT NOW(),
		last_seen TIMESTAMP NOT NULL DEFAULT NOW());

CREATE INDEX IF NOT EXISTS event_model_id_index ON schema_versions (event_model_id);
CREATE UNIQUE INDEX IF NOT EXISTS event_model_id_schema_hash_index ON schema_versions (event_model_id, schema_hash);

---
--- Event Models
---

ALTER TABLE event_models SET (autovacuum_vacuum_scale_factor = 0.01);
ALTER TABLE event_models SET (autovacuum_vacuum_cost_delay = 0);

---
---  Schema Versions
---

ALTER TABLE schema_versions SET (autovacuum_vacuum_scale_factor = 0.01);
ALTER TABLE schema_versions SET (autovacuum_vacuum_cost_delay = 0);

-- zoo: table=rudder.event_models column=created_at kind=timestamp features=serial,storage_parameters,non_public_schema
-- zoo: table=rudder.schema_versions column=first_seen kind=timestamp features=unique_without_time,storage_parameters,non_public_schema
