-- How many committed transactions wrote records of a kind that the change
-- feed (0009) does not follow: every transaction that inserts, updates or
-- deletes one bumps its kind's row before it commits, so that a reader
-- tells with one row whether anything of that kind changed since it last
-- looked (the REST API's cached pages of templates).
CREATE TABLE write_counts (
    kind TEXT PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO write_counts (kind, n) VALUES ('cluster_templates', 0);
