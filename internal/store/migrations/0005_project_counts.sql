-- How many records of a kind each project has, kept by Insert and Delete,
-- so that a quota check reads one row instead of counting them all.
CREATE TABLE project_counts (
    kind TEXT NOT NULL,
    project_id TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (kind, project_id)
);
INSERT INTO project_counts (kind, project_id, n) SELECT 'clusters', project_id, COUNT(*) FROM clusters GROUP BY project_id;
