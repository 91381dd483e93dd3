-- 2: revisions (the index follows the store by revision), content
-- hashes (an unchanged item is not an update), per-source run counts,
-- rejected items, HTTP validators per URL, source registry details.
ALTER TABLE documents ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
ALTER TABLE documents ADD COLUMN content_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX documents_rev ON documents(rev);
CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO counters (name, value) VALUES ('rev', 0), ('reindex_requested', 0), ('reindex_done', 0);
UPDATE documents SET rev = id;
UPDATE counters SET value = COALESCE((SELECT MAX(id) FROM documents), 0) WHERE name = 'rev';
ALTER TABLE sources ADD COLUMN publisher_short TEXT NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN schedule TEXT NOT NULL DEFAULT '';
ALTER TABLE fetch_state ADD COLUMN items_seen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE fetch_state ADD COLUMN items_new INTEGER NOT NULL DEFAULT 0;
ALTER TABLE fetch_state ADD COLUMN items_updated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE fetch_state ADD COLUMN items_rejected INTEGER NOT NULL DEFAULT 0;
ALTER TABLE fetch_state ADD COLUMN duration_ms INTEGER NOT NULL DEFAULT 0;
CREATE TABLE rejections (
    id INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL,
    at TEXT NOT NULL,
    item TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX rejections_source ON rejections(source_id, id);
CREATE TABLE http_cache (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT
);
