/**
 * Writes one student's keys in one atomic step, if the stored state still has the version the
 * write was planned from (optimistic concurrency; '' = "no state stored").
 *
 * KEYS: state, current, the day-component keys, then the raw-events hashes (one per day).
 * ARGV: expected version, state JSON, current JSON ('' deletes it), TTL in seconds of the state
 *       and current keys, the number of day-component keys, then per day-component key its
 *       value and TTL, then per raw-events hash: a count, a TTL and that many (event_id,
 *       event JSON) pairs. A day's keys expire when the day leaves the retention period. Raw
 *       events are hashed by event_id, so applying an event twice keeps one copy.
 * Returns 1 when written, 0 on a version conflict.
 */
export const SAVE_STUDENT_LUA = `
local stored = redis.call('GET', KEYS[1])
local held = ''
if stored then held = string.match(stored, '^{"version":(%d+)') or '?' end
if held ~= ARGV[1] then return 0 end
local ttl = tonumber(ARGV[4])
redis.call('SET', KEYS[1], ARGV[2], 'EX', ttl)
if ARGV[3] == '' then redis.call('DEL', KEYS[2]) else redis.call('SET', KEYS[2], ARGV[3], 'EX', ttl) end
local days = tonumber(ARGV[5])
local a = 6
for i = 1, days do
  redis.call('SET', KEYS[2 + i], ARGV[a], 'EX', tonumber(ARGV[a + 1]))
  a = a + 2
end
for k = 3 + days, #KEYS do
  local n = tonumber(ARGV[a])
  local dayTtl = tonumber(ARGV[a + 1])
  a = a + 2
  for _ = 1, n do
    redis.call('HSET', KEYS[k], ARGV[a], ARGV[a + 1])
    a = a + 2
  end
  redis.call('EXPIRE', KEYS[k], dayTtl)
end
return 1
`;
