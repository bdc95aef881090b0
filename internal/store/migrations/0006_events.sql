-- The outbox of event notifications: each event is written in the
-- transaction of the change it reports, and deleted once delivered.
CREATE TABLE events (
    id {{serial}},
    cluster_uuid TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
-- Named leases: one holder at a time per name, until lease_until (the
-- event dispatcher's).
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    lease_until BIGINT NOT NULL
);
