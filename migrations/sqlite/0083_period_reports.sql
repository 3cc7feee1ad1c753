-- A commune's report of its teams' work for a period ('2026-11' a month, '2026-Q4' a
-- quarter): a commune official submits it, a province official approves it or returns it
-- with a reason, and the commune corrects and submits again. Once approved the period is
-- locked for the commune: its report is read as of `decided_at`, and entries recorded
-- later show as late. Each step is also in the audit log.
CREATE TABLE period_reports (
    unit_code     TEXT NOT NULL REFERENCES units (code),
    period        TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('submitted', 'returned', 'approved')),
    submitted_at  TEXT NOT NULL,
    -- the submitting account's channel:id
    submitted_by  TEXT NOT NULL,
    decided_at    TEXT,
    decided_by    TEXT,
    return_reason TEXT,
    -- how many times it was submitted
    submissions   INTEGER NOT NULL DEFAULT 1,
    -- optimistic concurrency: every write bumps it
    version       INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (unit_code, period)
);
CREATE INDEX period_reports_status ON period_reports (status, period);
