-- The request id of what enqueued the job (an api request, a Stripe event): the operator runs the
-- job with it, so one id follows a change from the api through the operator to the token proxy's
-- log lines. NULL for jobs enqueued outside any request (the reconciler, the bot watcher).
ALTER TABLE operator_jobs ADD COLUMN request_id text;
