-- The steps a job has gone through, appended as they happen (the operator's Progress):
-- [{"step": "token", "message": "...", "at": "2026-11-26T12:00:01Z", "attempt": 1}, ...].
-- Retries append to the same list, so a job's history shows every attempt.
ALTER TABLE operator_jobs ADD COLUMN steps jsonb NOT NULL DEFAULT '[]'::jsonb
    CHECK (jsonb_typeof(steps) = 'array');
