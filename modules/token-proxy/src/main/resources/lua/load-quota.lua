-- Loads a period's counters from PostgreSQL's totals unless another replica did it first.
-- KEYS: 1 quota hash; ARGV: 1 allowance, 2 used, 3 already warned (0/1), 4 expire at (unix ms),
--       5 requests refused so far, 6 already used up (0/1)
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'allowance', ARGV[1], 'used', ARGV[2], 'reserved', 0, 'refused', ARGV[5])
if ARGV[3] == '1' then
  redis.call('HSET', KEYS[1], 'warned', 1)
end
if ARGV[6] == '1' then
  redis.call('HSET', KEYS[1], 'spent', 1)
end
redis.call('PEXPIREAT', KEYS[1], ARGV[4])
return 1
