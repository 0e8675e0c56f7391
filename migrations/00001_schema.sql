-- +goose Up
-- The domain of DESIGN.md. The database itself enforces vocabularies, slugs,
-- required text and references, so no writer (form, import, seed, psql) can
-- store what the application would refuse.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE DOMAIN slug AS text
    CHECK (VALUE ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(VALUE) <= 100);

CREATE TABLE regions (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug       slug NOT NULL UNIQUE,
    name       text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
    country    text NOT NULL CHECK (btrim(country) <> '' AND length(country) <= 100),
    kind       text NOT NULL CHECK (kind IN ('oblast', 'autonomous-republic', 'city', 'other')),
    version    integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);

CREATE TABLE actors (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug       slug NOT NULL UNIQUE,
    name       text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
    aliases    text[] NOT NULL DEFAULT '{}',
    kind       text NOT NULL CHECK (kind IN ('person', 'government', 'ministry', 'military',
                                              'alliance', 'organization', 'analyst', 'anonymous')),
    side       slug NOT NULL,
    role       text NOT NULL DEFAULT '' CHECK (length(role) <= 300),
    parent_id  bigint REFERENCES actors (id),
    version    integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    CHECK (parent_id <> id),
    CHECK (array_position(aliases, NULL) IS NULL)
);
CREATE INDEX actors_parent_idx ON actors (parent_id);

CREATE TABLE demands (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug        slug NOT NULL UNIQUE,
    title       text NOT NULL CHECK (btrim(title) <> '' AND length(title) <= 300),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    side        slug NOT NULL,
    category    text NOT NULL CHECK (category IN ('territory', 'security', 'sanctions-economy',
                                                  'political', 'process')),
    version     integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz
);

CREATE TABLE demand_regions (
    demand_id bigint NOT NULL REFERENCES demands (id) ON DELETE CASCADE,
    region_id bigint NOT NULL REFERENCES regions (id),
    PRIMARY KEY (demand_id, region_id)
);
CREATE INDEX demand_regions_region_idx ON demand_regions (region_id);

CREATE TABLE sources (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- ref names where the record came from (the seed article's file name);
    -- it lets the seed find its own sources again.
    ref                 text UNIQUE CHECK (ref <> ''),
    outlet              text NOT NULL CHECK (btrim(outlet) <> '' AND length(outlet) <= 200),
    title               text NOT NULL DEFAULT '' CHECK (length(title) <= 500),
    url                 text NOT NULL DEFAULT '' CHECK (url = '' OR url ~* '^https?://[^\s]+$'),
    published           date,
    published_precision text NOT NULL DEFAULT 'day' CHECK (published_precision IN ('day', 'month', 'year')),
    via                 text NOT NULL DEFAULT '' CHECK (length(via) <= 300),
    version             integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    deleted_at          timestamptz,
    CHECK (published IS NULL
           OR (published_precision = 'day')
           OR (published_precision = 'month' AND extract(day FROM published) = 1)
           OR (published_precision = 'year' AND extract(day FROM published) = 1 AND extract(month FROM published) = 1))
);

CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 254),
    password_hash text NOT NULL,
    role          text NOT NULL CHECK (role IN ('editor', 'admin')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    disabled_at   timestamptz
);
CREATE UNIQUE INDEX users_email_idx ON users (lower(email));

CREATE TABLE statements (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor_id        bigint NOT NULL REFERENCES actors (id),
    date            date NOT NULL,
    date_precision  text NOT NULL CHECK (date_precision IN ('day', 'month', 'year')),
    quote           text NOT NULL DEFAULT '' CHECK (length(quote) <= 10000),
    summary         text NOT NULL CHECK (btrim(summary) <> '' AND length(summary) <= 2000),
    occasion        text NOT NULL DEFAULT '' CHECK (length(occasion) <= 500),
    attribution     text NOT NULL CHECK (attribution IN ('on_record', 'spokesperson', 'anonymous', 'reported')),
    source_id       bigint REFERENCES sources (id),
    -- seed_key identifies a statement of the seed dataset, so seeding again
    -- never duplicates it; idempotency_key makes a resubmitted form a no-op.
    seed_key        text UNIQUE CHECK (seed_key <> ''),
    idempotency_key uuid UNIQUE,
    created_by      bigint REFERENCES users (id) ON DELETE SET NULL,
    version         integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz,
    CHECK ((date_precision = 'day')
           OR (date_precision = 'month' AND extract(day FROM date) = 1)
           OR (date_precision = 'year' AND extract(day FROM date) = 1 AND extract(month FROM date) = 1))
);
CREATE INDEX statements_date_idx ON statements (date DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX statements_actor_date_idx ON statements (actor_id, date DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX statements_source_idx ON statements (source_id);

CREATE TABLE positions (
    statement_id bigint NOT NULL REFERENCES statements (id) ON DELETE CASCADE,
    demand_id    bigint NOT NULL REFERENCES demands (id),
    stance       text NOT NULL CHECK (stance IN ('insists', 'supports', 'open', 'opposes', 'rejects')),
    PRIMARY KEY (statement_id, demand_id)
);
CREATE INDEX positions_demand_idx ON positions (demand_id);

CREATE TABLE statement_regions (
    statement_id bigint NOT NULL REFERENCES statements (id) ON DELETE CASCADE,
    region_id    bigint NOT NULL REFERENCES regions (id),
    PRIMARY KEY (statement_id, region_id)
);
CREATE INDEX statement_regions_region_idx ON statement_regions (region_id);

-- Sessions in the layout of scs's pgxstore, so app instances share them.
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- revisions is the append-only history of every editable record: a full
-- snapshot per version, written in the same transaction as the change.
-- user_email is copied so history outlives the account.
CREATE TABLE revisions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity_type text NOT NULL CHECK (entity_type IN ('statement', 'actor', 'demand', 'region', 'source', 'user')),
    entity_id   bigint NOT NULL,
    version     integer NOT NULL,
    action      text NOT NULL CHECK (action IN ('create', 'update', 'delete', 'restore', 'seed', 'import')),
    data        jsonb NOT NULL,
    user_id     bigint REFERENCES users (id) ON DELETE SET NULL,
    user_email  text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX revisions_entity_idx ON revisions (entity_type, entity_id, id DESC);
CREATE INDEX revisions_created_idx ON revisions (created_at DESC, id DESC);

-- +goose StatementBegin
CREATE FUNCTION revisions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'revisions are append-only';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER revisions_append_only BEFORE UPDATE OR DELETE ON revisions
    FOR EACH ROW EXECUTE FUNCTION revisions_append_only();

-- +goose Down
DROP TABLE revisions;
DROP FUNCTION revisions_append_only();
DROP TABLE sessions;
DROP TABLE statement_regions;
DROP TABLE positions;
DROP TABLE statements;
DROP TABLE users;
DROP TABLE sources;
DROP TABLE demand_regions;
DROP TABLE demands;
DROP TABLE actors;
DROP TABLE regions;
DROP DOMAIN slug;
DROP EXTENSION IF EXISTS pg_trgm;
