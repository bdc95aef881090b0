-- How many transactions wrote each kind of record: every transaction that
-- inserts, updates or deletes one bumps its kind's row before it commits,
-- so that a reader tells with one row whether anything of a kind changed
-- since it last looked (the REST API's cached pages).
CREATE TABLE changes (
    kind TEXT PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO changes (kind, n) VALUES ('cluster_templates', 0);
INSERT INTO changes (kind, n) VALUES ('clusters', 0);
INSERT INTO changes (kind, n) VALUES ('nodegroups', 0);
INSERT INTO changes (kind, n) VALUES ('federations', 0);
