-- Settles one admitted request, atomically with its usage record: the hold is released, what it
-- really used is counted, and its usage event goes into the usage stream (so a counter is never
-- updated without the record that explains it, nor the other way round).
-- KEYS: 1 quota hash, 2 holds zset, 3 usage stream
-- ARGV: 1 hold member, 2 tokens held, 3 tokens used, 4 warning threshold in percent,
--       5 stream field, 6 usage event (JSON), 7 stream length bound (approximate)
-- Returns 1 when this request made usage cross the threshold (once per period), else 0.
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[7], '*', ARGV[5], ARGV[6])
local released = redis.call('ZREM', KEYS[2], ARGV[1])
local allowance = redis.call('HGET', KEYS[1], 'allowance')
if not allowance then
  -- The period's counters are gone (reset, or expired): they load again from PostgreSQL, which the
  -- event above reaches.
  return 0
end
if released == 1 then
  redis.call('HINCRBY', KEYS[1], 'reserved', -tonumber(ARGV[2]))
end
local used = redis.call('HINCRBY', KEYS[1], 'used', tonumber(ARGV[3]))
if used * 100 >= tonumber(allowance) * tonumber(ARGV[4]) and redis.call('HSETNX', KEYS[1], 'warned', 1) == 1 then
  return 1
end
return 0
