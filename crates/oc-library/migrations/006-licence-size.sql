-- 6: what the source says of a document's licence, and the size of the
-- file its link leads to (bytes; from the server at harvest).
ALTER TABLE documents ADD COLUMN licence TEXT;
ALTER TABLE documents ADD COLUMN size INTEGER;
