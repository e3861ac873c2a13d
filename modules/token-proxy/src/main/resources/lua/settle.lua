-- Settles one admitted request, atomically with its usage record: the hold is released, what it
-- really used is counted, and its usage event goes into the usage stream (so a counter is never
-- updated without the record that explains it, nor the other way round).
-- KEYS: 1 quota hash, 2 holds zset, 3 usage stream
-- ARGV: 1 hold member, 2 tokens held, 3 tokens used, 4 warning threshold in percent,
--       5 stream field, 6 usage event (JSON), 7 stream length bound (approximate)
-- Returns 100 when this request used up the allowance, else ARGV[4] when it made usage cross the
-- warning threshold, else 0: each once per period ('spent', 'warned'). Using it all up at once
-- announces only the 100 (and counts as warned).
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
if used >= tonumber(allowance) and redis.call('HSETNX', KEYS[1], 'spent', 1) == 1 then
  redis.call('HSET', KEYS[1], 'warned', 1)
  return 100
end
if used * 100 >= tonumber(allowance) * tonumber(ARGV[4]) and redis.call('HSETNX', KEYS[1], 'warned', 1) == 1 then
  return tonumber(ARGV[4])
end
return 0
