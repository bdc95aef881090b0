-- The change feed: one row per change of a cluster or of one of its node
-- groups, written in the transaction of the change, read by watchers in
-- ID order (the order the changes committed in), pruned to the newest rows.
CREATE TABLE changes (
    id {{serial}},
    cluster_uuid TEXT NOT NULL,
    project_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    version BIGINT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX changes_cluster ON changes (cluster_uuid, id);
