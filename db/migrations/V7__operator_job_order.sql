-- One job at a time per box, in the order the jobs were enqueued (docs/architecture.md, the job queue).
--
-- seq: the job's place in its box's line. Taken from a sequence at insert (an admin's retry takes a
-- new one: the retried job goes to the back of the line). A job is claimed only while no job of its
-- box with a smaller seq is queued or running, and no other job of its box is running.
CREATE SEQUENCE operator_jobs_seq AS bigint;
ALTER TABLE operator_jobs ADD COLUMN seq bigint;
UPDATE operator_jobs j SET seq = o.n
  FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM operator_jobs) o
 WHERE j.id = o.id;
DO $$ BEGIN PERFORM setval('operator_jobs_seq', coalesce((SELECT max(seq) FROM operator_jobs), 0) + 1, false); END $$;
ALTER TABLE operator_jobs ALTER COLUMN seq SET DEFAULT nextval('operator_jobs_seq');
ALTER TABLE operator_jobs ALTER COLUMN seq SET NOT NULL;
ALTER SEQUENCE operator_jobs_seq OWNED BY operator_jobs.seq;
-- The unfinished jobs of a box in line order: the claim's check, the next job after one ends.
CREATE INDEX operator_jobs_box_line_idx ON operator_jobs (box_id, seq)
    WHERE status IN ('queued', 'running');

-- superseded: the job ran when the box's desired state no longer asked for it (a suspend of a box
-- meant to run again, a reactivate of a box suspended since, anything of a box being destroyed) and
-- did nothing; its steps say why. Final, like succeeded, and neither an error nor a failure.
ALTER TABLE operator_jobs DROP CONSTRAINT operator_jobs_status_check;
ALTER TABLE operator_jobs ADD CONSTRAINT operator_jobs_status_check
    CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'dead', 'superseded'));
