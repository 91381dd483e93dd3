-- 1: documents, sources, curation, fetch state.
CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    publisher TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    url TEXT NOT NULL DEFAULT '',
    enabled INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    summary_html TEXT NOT NULL DEFAULT '',
    summary_text TEXT NOT NULL DEFAULT '',
    publisher TEXT NOT NULL DEFAULT '',
    published TEXT,
    precision TEXT,
    resource_type TEXT NOT NULL DEFAULT '',
    themes TEXT NOT NULL DEFAULT '[]',
    scope TEXT NOT NULL DEFAULT '[]',
    territories TEXT NOT NULL DEFAULT '[]',
    subjects TEXT NOT NULL DEFAULT '[]',
    image TEXT,
    first_seen TEXT NOT NULL,
    last_updated TEXT NOT NULL
);
CREATE TABLE document_sources (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    source_id TEXT NOT NULL,
    PRIMARY KEY (document_id, source_id)
);
CREATE TABLE overrides (
    document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    title TEXT,
    summary TEXT,
    publisher TEXT,
    published TEXT,
    resource_type TEXT,
    themes TEXT,
    scope TEXT,
    territories TEXT,
    status TEXT NOT NULL DEFAULT 'published' CHECK (status IN ('published', 'unpublished', 'deleted')),
    featured INTEGER NOT NULL DEFAULT 0,
    weight REAL NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);
CREATE TABLE fetch_state (
    source_id TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    cursor TEXT,
    last_fetch TEXT,
    last_ok TEXT,
    last_error TEXT
);
