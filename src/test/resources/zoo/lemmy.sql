-- =============================================================================
-- zoo fixture: Lemmy (federated link aggregator) -- first migrations: user_, community, post, comment
-- repository : LemmyNet/lemmy
-- paths / commits (each as the search tool returned it):
--   migrations/2019-02-26-002946_create_user/up.sql       01b79c134d60dc94966598cef5d335e010a8e6ec
--   migrations/2019-02-27-170003_create_community/up.sql  68b0d62d5ade2e5118e8b575b8f6a0e31ea40237
--   migrations/2019-03-03-163336_create_post/up.sql       01b79c134d60dc94966598cef5d335e010a8e6ec
--   migrations/2019-03-05-233828_create_comment/up.sql    01b79c134d60dc94966598cef5d335e010a8e6ec
-- taken      : every CREATE TABLE of the four files, verbatim (user_, user_ban, category,
--              community, community_moderator, community_follower, community_user_ban, site,
--              post, post_like, post_saved, post_read, comment, comment_like, comment_saved).
--              Note the stored versions mix styles: user_/post/comment use
--              `GENERATED ALWAYS AS IDENTITY`, the community file still uses `serial`.
-- changed    :
--   * leading `CREATE SCHEMA lemmy; SET search_path = lemmy, public;` added: the
--     migrations create `post`, `comment`, `site`... in the current schema.
--   * the seed-data INSERTs are not taken (INSERT INTO user_ 'admin', the 26
--     category rows, INSERT INTO community 'main'): fixtures carry DDL only.
-- =============================================================================
CREATE SCHEMA lemmy;
SET search_path = lemmy, public;

-- ------------------------------------------------ 2019-02-26-002946_create_user/up.sql
CREATE TABLE user_ (
    id integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
    name varchar(20) NOT NULL,
    fedi_name varchar(40) NOT NULL,
    preferred_username varchar(20),
    password_encrypted text NOT NULL,
    email text UNIQUE,
    icon bytea,
    admin boolean DEFAULT FALSE NOT NULL,
    banned boolean DEFAULT FALSE NOT NULL,
    published timestamp NOT NULL DEFAULT now(),
    updated timestamp,
    UNIQUE (name, fedi_name)
);

CREATE TABLE user_ban (
    id integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
    user_id int REFERENCES user_ ON UPDATE CASCADE ON DELETE CASCADE NOT NULL,
    published timestamp NOT NULL DEFAULT now(),
    UNIQUE (user_id)
);

-- ------------------------------------------------ 2019-02-27-170003_create_community/up.sql
CREATE TABLE category (
    id serial PRIMARY KEY,
    name varchar(100) NOT NULL UNIQUE
);

CREATE TABLE community (
    id serial PRIMARY KEY,
    name varchar(20) NOT NULL UNIQUE,
    title varchar(100) NOT NULL,
    description text,
    category_id int REFERENCES category ON UPDATE CASCADE ON DELETE CASCADE NOT NULL,
    creator_id int REFERENCES user_ ON UPDATE CASCADE ON DELETE CASCADE NOT NULL,
    removed boolean DEFAULT FALSE NOT NULL,
    published timestamp NOT NULL DEFAULT now(),
    updated timestamp
);

CREATE TABLE community_moderator (
    id serial PRIMARY KEY,
    community_id int REFERENCES community ON UPDATE CASCADE ON DELETE CASCADE NOT NULL,
    user_id int REFERENCES user_ ON UPDATE CASCADE ON DELETE CASCADE NOT NULL,
    published timestamp NOT NULL DEFAULT now(),
    UNIQUE (community_id, user_id)
);

CREATE TABLE community_follower (
    id serial PRIMARY KEY,
    community_id int REFERENCES community ON UPDATE CASCADE ON DELETE CASCADE NOT NULL,
    user_id int REFERENCES user_ ON UPDATE CASCADE ON DELETE CASCADE NOT NULL,
    published timestamp NOT NULL DEFAULT now(),
    UNIQUE (community_id, user_id)
);

CREATE TABLE community_user_ban (
    id serial PRIMARY KEY,
    community_id int REFERENCES community ON UPDATE CASCADE ON DELETE CASCADE NOT NULL,
    user_id int REFERENCES user_ ON UPDATE CASCADE ON DELETE CASCADE NOT NULL,
    published timestamp NOT NULL DEFAULT now(),
    UNIQUE (community_id, user_id)
);

CREATE TABLE site (
    id serial PRIMARY KEY,
    name varchar(20) NOT NULL UNIQUE,
    description text,
    creator_id int REFERENCES user_ ON UPDATE CASCADE ON DELETE CASCADE NOT NULL,
    published timestamp NOT NULL DEFAULT now(),
    updated timestamp
);

-- ------------------------------------------------ 2019-03-03-163336_create_post/up.sql
CREATE TABLE post (
    id integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
    name varchar(100) NOT NULL,
    url text, -- These are both optional, a post can just have a title
    body text,
    creator_id int REFERENCES user_ ON UPDATE CASCADE ON DELETE CASCADE NOT NULL,
    community_id int REFERENCES community ON UPDATE CASCADE ON DELETE CASCADE NOT NULL,
    removed boolean DEFAULT FALSE NOT NULL,
    locked boolean DEFAULT FALSE NOT NULL,
    published timestamp NOT NULL DEFAULT now(),
    updated timestamp
);

CREATE TABLE post_like (
    id integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
    post_id int REFERENCES post ON UPDATE CASCADE ON DELETE CASCADE NOT NULL,
    user_id int REFERENCES user_ ON UPDATE CASCADE ON DELETE CASCADE NOT NULL,
    score smallint NOT NULL, -- -1, or 1 for dislike, like, no row for no opinion
    published timestamp NOT NULL DEFAULT now(),
    UNIQUE (post_id, user_id)
);

CREATE TABLE post_saved (
    id integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
    post_id int REFERENCES post ON UPDATE CASCADE ON DELETE CASCADE NOT NULL,
    user_id int REFERENCES user_ ON UPDATE CASCADE ON DELETE CASCADE NOT NULL,
    published timestamp NOT NULL DEFAULT now(),
    UNIQUE (post_id, user_id)
);

CREATE TABLE post_read (
    id integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
    post_id int REFERENCES post ON UPDATE CASCADE ON DELETE CASCADE NOT NULL,
    user_id int REFERENCES user_ ON UPDATE CASCADE ON DELETE CASCADE NOT NULL,
    published timestamp NOT NULL DEFAULT now(),
    UNIQUE (post_id, user_id)
);

-- ------------------------------------------------ 2019-03-05-233828_create_comment/up.sql
CREATE TABLE comment (
    id integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
    creator_id int REFERENCES user_ ON UPDATE CASCADE ON DELETE CASCADE NOT NULL,
    post_id int REFERENCES post ON UPDATE CASCADE ON DELETE CASCADE NOT NULL,
    parent_id int REFERENCES COMMENT ON UPDATE CASCADE ON DELETE CASCADE,
    content text NOT NULL,
    removed boolean DEFAULT FALSE NOT NULL,
    read boolean DEFAULT FALSE NOT NULL,
    published timestamp NOT NULL DEFAULT now(),
    updated timestamp
);

CREATE TABLE comment_like (
    id integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
    user_id int REFERENCES user_ ON UPDATE CASCADE ON DELETE CASCADE NOT NULL,
    comment_id int REFERENCES COMMENT ON UPDATE CASCADE ON DELETE CASCADE NOT NULL,
    post_id int REFERENCES post ON UPDATE CASCADE ON DELETE CASCADE NOT NULL,
    score smallint NOT NULL, -- -1, or 1 for dislike, like, no row for no opinion
    published timestamp NOT NULL DEFAULT now(),
    UNIQUE (comment_id, user_id)
);

CREATE TABLE comment_saved (
    id integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
    comment_id int REFERENCES COMMENT ON UPDATE CASCADE ON DELETE CASCADE NOT NULL,
    user_id int REFERENCES user_ ON UPDATE CASCADE ON DELETE CASCADE NOT NULL,
    published timestamp NOT NULL DEFAULT now(),
    UNIQUE (comment_id, user_id)
);

-- zoo: table=lemmy.comment column=published kind=timestamp features=identity,self_fk,on_delete_cascade,inbound_fk,function_default,unique_without_time,non_public_schema
-- zoo: table=lemmy.post column=published kind=timestamp features=identity,on_delete_cascade,inbound_fk,function_default,unique_without_time,non_public_schema
-- zoo: table=lemmy.comment_like column=published kind=timestamp features=identity,on_delete_cascade,function_default,unique_without_time,non_public_schema
-- zoo: table=lemmy.post_read column=published kind=timestamp features=identity,on_delete_cascade,function_default,unique_without_time,non_public_schema
