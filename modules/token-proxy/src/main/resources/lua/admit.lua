-- Admits one request, atomically: the token's rate (GCRA) and the customer's allowance (a hold).
-- A refusal is counted in the quota hash ('refused') and the period marked for the refusal writer.
-- KEYS: 1 rate (per token), 2 quota hash (per customer and period), 3 holds zset (same),
--       4 set of periods with refusals not yet written to PostgreSQL
-- ARGV: 1 emission interval ms, 2 burst tolerance ms, 3 hold member "<request id>:<tokens>",
--       4 tokens to hold, 5 hold lifetime ms, 6 the period's member of KEYS[4]
-- Returns {1, remaining} admitted, {0, retry after ms} rate limited, {-1, used, first} allowance
--         used up (first = 1 when no request had found it used up before: 'spent' was not set, as
--         when a lower allowance, not a request, used it up),
--         {-2, 0} quota not loaded (the caller loads it from PostgreSQL and retries),
--         {-3, used} what is left is held by requests in flight (the caller waits for them to settle).
local quota = redis.call('HMGET', KEYS[2], 'allowance', 'used', 'reserved')
if not quota[1] then
  return {-2, 0}
end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then
  tat = now
end
local function refused()
  redis.call('HINCRBY', KEYS[2], 'refused', 1)
  redis.call('SADD', KEYS[4], ARGV[6])
end
if now < tat - tolerance then
  refused()
  return {0, tat - tolerance - now}
end
local allowance = tonumber(quota[1])
local used = tonumber(quota[2] or '0')
local reserved = tonumber(quota[3] or '0')
-- Admitted while anything is left: the overshoot is at most one request (docs/token-proxy.md).
if used >= allowance then
  refused()
  return {-1, used, redis.call('HSETNX', KEYS[2], 'spent', 1)}
end
if used + reserved >= allowance then
  -- Only now do holds matter: those of requests whose proxy died before settling (expired) give
  -- their tokens back. Until then they cost nothing but a larger "reserved".
  local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
  if #expired > 0 then
    local back = 0
    for _, member in ipairs(expired) do
      back = back + tonumber(string.match(member, ':(%d+)$'))
    end
    redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
    reserved = redis.call('HINCRBY', KEYS[2], 'reserved', -back)
  end
  if used + reserved >= allowance then
    return {-3, used}
  end
end
local next_tat = tat + interval
redis.call('SET', KEYS[1], next_tat, 'PX', math.floor(next_tat - now + tolerance) + 1000)
redis.call('HINCRBY', KEYS[2], 'reserved', tonumber(ARGV[4]))
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[5]), ARGV[3])
redis.call('PEXPIRE', KEYS[3], 2 * tonumber(ARGV[5]))
return {1, allowance - used - reserved}
