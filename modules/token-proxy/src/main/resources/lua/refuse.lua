-- Counts one request refused outside admit.lua (a bad request, an inactive account, a wait for held
-- tokens that ran out) in the customer's period, and marks the period for the refusal writer.
-- KEYS: 1 quota hash, 2 set of periods with refusals not yet written to PostgreSQL
-- ARGV: 1 the period's member of KEYS[2]
-- Returns 1, or -2 when the quota is not loaded (the caller loads it from PostgreSQL and retries).
if redis.call('HEXISTS', KEYS[1], 'allowance') == 0 then
  return -2
end
redis.call('HINCRBY', KEYS[1], 'refused', 1)
redis.call('SADD', KEYS[2], ARGV[1])
return 1
