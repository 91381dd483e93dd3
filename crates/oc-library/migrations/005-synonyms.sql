-- 5: acronyms and their expansions for the library search (seeded from
-- data/synonyms.csv when this migration runs; librarians edit them).
CREATE TABLE synonyms (
    acronym TEXT NOT NULL PRIMARY KEY,
    expansions TEXT NOT NULL,
    position INTEGER NOT NULL
);
