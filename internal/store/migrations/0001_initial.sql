-- Cluster templates, clusters and node groups: a JSON document plus the
-- columns the service filters, sorts and counts on. Times are
-- microseconds since the epoch (0 = unset).
CREATE TABLE cluster_templates (
    id {{serial}},
    uuid TEXT NOT NULL UNIQUE,
    project_id TEXT NOT NULL,
    name TEXT NOT NULL,
    public INTEGER NOT NULL DEFAULT 0,
    hidden INTEGER NOT NULL DEFAULT 0,
    version BIGINT NOT NULL,
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX cluster_templates_project ON cluster_templates (project_id);
CREATE INDEX cluster_templates_name ON cluster_templates (name);

CREATE TABLE clusters (
    id {{serial}},
    uuid TEXT NOT NULL UNIQUE,
    project_id TEXT NOT NULL,
    name TEXT NOT NULL,
    template_uuid TEXT NOT NULL,
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX clusters_project ON clusters (project_id);
CREATE INDEX clusters_name ON clusters (name);
CREATE INDEX clusters_template ON clusters (template_uuid);
CREATE INDEX clusters_status ON clusters (status);

CREATE TABLE nodegroups (
    id {{serial}},
    uuid TEXT NOT NULL UNIQUE,
    project_id TEXT NOT NULL,
    name TEXT NOT NULL,
    cluster_uuid TEXT NOT NULL,
    role TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0,
    node_count BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL,
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL DEFAULT 0,
    UNIQUE (cluster_uuid, name)
);
CREATE INDEX nodegroups_project ON nodegroups (project_id);

CREATE TABLE quotas (
    id {{serial}},
    project_id TEXT NOT NULL,
    resource TEXT NOT NULL,
    hard_limit BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL DEFAULT 0,
    UNIQUE (project_id, resource)
);

CREATE TABLE services (
    id {{serial}},
    host TEXT NOT NULL,
    binary_name TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    disabled_reason TEXT NOT NULL DEFAULT '',
    forced_down INTEGER NOT NULL DEFAULT 0,
    report_count BIGINT NOT NULL DEFAULT 0,
    last_seen_up BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL DEFAULT 0,
    UNIQUE (host, binary_name)
);

-- Work the API hands to the conductor, and who holds it.
CREATE TABLE operations (
    id {{serial}},
    uuid TEXT NOT NULL UNIQUE,
    cluster_uuid TEXT NOT NULL,
    nodegroup_uuid TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    params TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL,
    owner TEXT NOT NULL DEFAULT '',
    lease_until BIGINT NOT NULL DEFAULT 0,
    attempts BIGINT NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX operations_state ON operations (state, lease_until);
CREATE INDEX operations_cluster ON operations (cluster_uuid);

CREATE TABLE blobs (
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    value BYTEA NOT NULL,
    PRIMARY KEY (namespace, key)
);
