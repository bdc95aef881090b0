-- What a waiting operation waits for: its stacks, and until when.
ALTER TABLE operations ADD COLUMN stacks TEXT NOT NULL DEFAULT '';
ALTER TABLE operations ADD COLUMN deadline BIGINT NOT NULL DEFAULT 0;
