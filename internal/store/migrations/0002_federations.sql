-- Federations: groups of clusters around a host cluster.
CREATE TABLE federations (
    id {{serial}},
    uuid TEXT NOT NULL UNIQUE,
    project_id TEXT NOT NULL,
    name TEXT NOT NULL,
    host_cluster_uuid TEXT NOT NULL,
    version BIGINT NOT NULL,
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX federations_project ON federations (project_id);
