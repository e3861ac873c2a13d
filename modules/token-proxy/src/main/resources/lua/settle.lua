-- Settles one admitted request: its hold is released and what it really used is counted.
-- KEYS: 1 quota hash, 2 holds zset
-- ARGV: 1 hold member, 2 tokens held, 3 tokens used, 4 warning threshold in percent
-- Returns 1 when this request made usage cross the threshold (once per period), else 0.
if redis.call('ZREM', KEYS[2], ARGV[1]) == 1 then
  redis.call('HINCRBY', KEYS[1], 'reserved', -tonumber(ARGV[2]))
end
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
local used = redis.call('HINCRBY', KEYS[1], 'used', tonumber(ARGV[3]))
local allowance = tonumber(redis.call('HGET', KEYS[1], 'allowance'))
if used * 100 >= allowance * tonumber(ARGV[4]) and redis.call('HSETNX', KEYS[1], 'warned', 1) == 1 then
  return 1
end
return 0
