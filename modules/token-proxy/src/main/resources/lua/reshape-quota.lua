-- A loaded period's counters take a new allowance and expiry (a plan change, or Stripe's period
-- confirming the one the proxy rolled over to); used and reserved stay. Counters not loaded are
-- left alone: they load from PostgreSQL, which has the change already.
-- KEYS: 1 quota hash; ARGV: 1 allowance, 2 expire at (unix ms)
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('HSET', KEYS[1], 'allowance', ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return 1
