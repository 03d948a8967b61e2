-- =============================================================================
-- zoo fixture: Mattermost (team chat) -- posts and audits, epoch-millisecond bigint times
-- repository : mattermost/mattermost
-- paths / commit (both 45b3110bf0701d44625d07c26a4be132172ad499):
--   server/channels/db/migrations/postgres/000020_create_posts.up.sql   (whole file)
--   server/channels/db/migrations/postgres/000024_create_audits.up.sql  (whole file)
-- taken      : both files whole, verbatim (CREATE TABLE IF NOT EXISTS, ALTER TABLE ADD
--              COLUMN IF NOT EXISTS, all CREATE INDEX IF NOT EXISTS incl. the GIN
--              to_tsvector expression indexes, the DROP INDEX IF EXISTS and the DO block).
--              Mattermost has no foreign keys, so no other table is needed.
-- changed    :
--   * leading `CREATE SCHEMA mattermost; SET search_path = mattermost, public;` added:
--     the migrations create `posts` / `audits` in the current schema; a schema of its
--     own keeps them apart from other zoo files (the DO block looks at current_schema(),
--     which is now mattermost, as intended).
--   * Nothing else.
-- =============================================================================
CREATE SCHEMA mattermost;
SET search_path = mattermost, public;

-- ---------------------------------------------------------- 000020_create_posts.up.sql
CREATE TABLE IF NOT EXISTS posts (
    id VARCHAR(26) PRIMARY KEY,
    createat bigint,
    updateat bigint,
    deleteat bigint,
    userid VARCHAR(26),
    channelid VARCHAR(26),
    rootid VARCHAR(26),
    parentid VARCHAR(26),
    originalid VARCHAR(26),
    message VARCHAR(65535),
    type VARCHAR(26),
    props VARCHAR(8000),
    hashtags VARCHAR(1000),
    filenames VARCHAR(4000)
);

ALTER TABLE posts ADD COLUMN IF NOT EXISTS fileids VARCHAR(300);
ALTER TABLE posts ADD COLUMN IF NOT EXISTS hasreactions boolean;
ALTER TABLE posts ADD COLUMN IF NOT EXISTS editat bigint;
ALTER TABLE posts ADD COLUMN IF NOT EXISTS ispinned boolean;

-- nolint:concurrentIndex
CREATE INDEX IF NOT EXISTS idx_posts_update_at ON posts(updateat);
-- nolint:concurrentIndex
CREATE INDEX IF NOT EXISTS idx_posts_create_at ON posts(createat);
-- nolint:concurrentIndex
CREATE INDEX IF NOT EXISTS idx_posts_delete_at ON posts(deleteat);
-- nolint:concurrentIndex
CREATE INDEX IF NOT EXISTS idx_posts_root_id ON posts(rootid);
-- nolint:concurrentIndex
CREATE INDEX IF NOT EXISTS idx_posts_user_id ON posts(userid);
-- nolint:concurrentIndex
CREATE INDEX IF NOT EXISTS idx_posts_is_pinned ON posts(ispinned);
-- nolint:concurrentIndex
CREATE INDEX IF NOT EXISTS idx_posts_channel_id_update_at ON posts(channelid, updateat);
-- nolint:concurrentIndex
CREATE INDEX IF NOT EXISTS idx_posts_channel_id_delete_at_create_at ON posts(channelid, deleteat, createat);
-- nolint:concurrentIndex
CREATE INDEX IF NOT EXISTS idx_posts_message_txt ON posts USING gin(to_tsvector('english', message));
-- nolint:concurrentIndex
CREATE INDEX IF NOT EXISTS idx_posts_hashtags_txt ON posts USING gin(to_tsvector('english', hashtags));

ALTER TABLE posts ADD COLUMN IF NOT EXISTS remoteid VARCHAR(26);

-- nolint:concurrentIndex
DROP INDEX IF EXISTS idx_posts_channel_id;

DO $$
DECLARE 
    column_exist boolean := false;
BEGIN
SELECT count(*) != 0 INTO column_exist
    FROM information_schema.columns
    WHERE table_name = 'posts'
    AND table_schema = current_schema()
    AND column_name = 'fileids'
    AND NOT data_type = 'varchar(300)';
IF column_exist THEN
    ALTER TABLE posts ALTER COLUMN fileids TYPE varchar(300);
END IF;
END $$;

-- ---------------------------------------------------------- 000024_create_audits.up.sql
CREATE TABLE IF NOT EXISTS audits (
    id VARCHAR(26) PRIMARY KEY,
    createat bigint,
    userid VARCHAR(26),
    action VARCHAR(512),
    extrainfo VARCHAR(1024),
    ipaddress VARCHAR(64),
    sessionid VARCHAR(26)
);

-- nolint:concurrentIndex
CREATE INDEX IF NOT EXISTS idx_audits_user_id ON audits (userid);

-- zoo: table=mattermost.posts column=createat kind=epoch_ms features=expression_index,unique_without_time,nullable_time,non_public_schema
-- zoo: table=mattermost.audits column=createat kind=epoch_ms features=unique_without_time,nullable_time,non_public_schema
