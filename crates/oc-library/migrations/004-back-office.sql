-- 4: the back office: login throttling, taxonomies with renames
-- (aliases map old names for later harvests), merges, fiche messages,
-- sources managed in the back office.
ALTER TABLE users ADD COLUMN last_login TEXT;
ALTER TABLE users ADD COLUMN previous_login TEXT;
ALTER TABLE sessions ADD COLUMN last_seen TEXT;
CREATE TABLE login_failures (scope TEXT NOT NULL, key TEXT NOT NULL, at TEXT NOT NULL);
CREATE INDEX login_failures_key ON login_failures(scope, key, at);
ALTER TABLE overrides ADD COLUMN merged_into INTEGER;
CREATE TABLE terms (
    kind TEXT NOT NULL CHECK (kind IN ('theme', 'scope', 'resource_type', 'publisher')),
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    retired INTEGER NOT NULL DEFAULT 0,
    acronym TEXT NOT NULL DEFAULT '',
    parent TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (kind, name)
);
CREATE TABLE term_aliases (kind TEXT NOT NULL, alias TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (kind, alias));
CREATE TABLE fiche_messages (
    id INTEGER PRIMARY KEY,
    territory TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    starts TEXT,
    ends TEXT,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX fiche_messages_territory ON fiche_messages(territory);
ALTER TABLE sources ADD COLUMN spec TEXT NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN managed INTEGER NOT NULL DEFAULT 0;
