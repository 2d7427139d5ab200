/**
 * Writes one student's keys in one atomic step, if the stored state still has the version the
 * write was planned from (optimistic concurrency; '' = "no state stored").
 *
 * KEYS: state (a hash: see student-state-fields), current, outbox (a hash of the student's
 *       pending mastery.updated: event_id → JSON), the day-component keys, the raw-events hashes
 *       (one per day), then the processed markers of the applied events (on a single server
 *       only: in a cluster they live in other slots and are set apart).
 * ARGV: expected version, new version, '1' to replace the state's fields whole ('0': set only
 *       those given), TTL in seconds of the state, current and outbox keys, current JSON ('' deletes
 *       it), the number of state (field, value) pairs, the number of day-component keys, the
 *       number of raw-events hashes, the markers' TTL, the update's event_id and its JSON ('':
 *       the outbox is left as it is); then the state pairs; per day-component key its value and
 *       TTL; per raw-events hash a count, a TTL and that many (event_id, event JSON) pairs. A
 *       day's keys expire when the day leaves the retention period. Raw events are hashed by
 *       event_id: applying one twice keeps one copy. The update replaces any pending one: the
 *       outbox holds one per student at most (the newest carries the whole current result).
 * Returns 1 when written, 0 on a version conflict.
 */
export const SAVE_STUDENT_LUA = `
local kind = redis.call('TYPE', KEYS[1])['ok']
local held = ''
if kind == 'hash' then held = redis.call('HGET', KEYS[1], 'version') or '?' end
if held ~= ARGV[1] then return 0 end
if ARGV[3] == '1' then redis.call('DEL', KEYS[1]) end
local ttl = tonumber(ARGV[4])
redis.call('HSET', KEYS[1], 'version', ARGV[2])
local pairs = tonumber(ARGV[6])
local a = 12
-- HSET in slices: unpack() is bounded by Lua's stack.
local done = 0
while done < pairs do
  local n = math.min(pairs - done, 500)
  redis.call('HSET', KEYS[1], unpack(ARGV, a, a + 2 * n - 1))
  a = a + 2 * n
  done = done + n
end
redis.call('EXPIRE', KEYS[1], ttl)
if ARGV[5] == '' then redis.call('DEL', KEYS[2]) else redis.call('SET', KEYS[2], ARGV[5], 'EX', ttl) end
if ARGV[10] ~= '' then
  redis.call('DEL', KEYS[3])
  redis.call('HSET', KEYS[3], ARGV[10], ARGV[11])
  redis.call('EXPIRE', KEYS[3], ttl)
end
local days = tonumber(ARGV[7])
for i = 1, days do
  redis.call('SET', KEYS[3 + i], ARGV[a], 'EX', tonumber(ARGV[a + 1]))
  a = a + 2
end
local rawDays = tonumber(ARGV[8])
for k = 4 + days, 3 + days + rawDays do
  local n = tonumber(ARGV[a])
  local dayTtl = tonumber(ARGV[a + 1])
  a = a + 2
  for _ = 1, n do
    redis.call('HSET', KEYS[k], ARGV[a], ARGV[a + 1])
    a = a + 2
  end
  redis.call('EXPIRE', KEYS[k], dayTtl)
end
for k = 4 + days + rawDays, #KEYS do
  redis.call('SET', KEYS[k], '1', 'EX', ARGV[9])
end
return 1
`;
