-- Where a running operation is, so that whoever takes it over resumes it.
ALTER TABLE operations ADD COLUMN step TEXT NOT NULL DEFAULT '';
