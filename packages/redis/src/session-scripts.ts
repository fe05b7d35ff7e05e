import { LuaScript } from './command-runner.js';

// Shared Lua helpers. Times come from the Redis server clock (TIME), so pods with skewed clocks
// agree on every expiry. Numbers are formatted with %.0f: Lua's tostring would use exponents.
const PRELUDE = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function fmt(n) return string.format('%.0f', n) end
-- Size of the record's JSON text: the frame plus every field value, plus commas between
-- metadata entries (see record-codec.ts).
local function record_size(frame, fields)
  local size, meta = frame, 0
  for f, v in pairs(fields) do
    size = size + #v
    if string.sub(f, 1, 2) == 'm:' then meta = meta + 1 end
  end
  if meta > 1 then size = size + meta - 1 end
  return size
end
-- HSET/HDEL in chunks: unpack() of a very long list would overflow Lua's C stack.
local function hset_all(key, fields)
  local batch = {}
  for f, v in pairs(fields) do
    batch[#batch + 1] = f
    batch[#batch + 1] = v
    if #batch >= 200 then redis.call('HSET', key, unpack(batch)); batch = {} end
  end
  if #batch > 0 then redis.call('HSET', key, unpack(batch)) end
end
local function hdel_all(key, names)
  for i = 1, #names, 100 do
    redis.call('HDEL', key, unpack(names, i, math.min(i + 99, #names)))
  end
end
local function expiry(created, now, idle, max_life)
  local e = now + idle
  if max_life > 0 and created + max_life < e then e = created + max_life end
  return e
end
`;

/**
 * KEYS: record. ARGV: idleMs, maxLifetimeMs (0: none), maxBytes, frameBytes, n, then n field/value
 * pairs. Reply: {'OK', createdAt, expiresAt} | {'EXISTS'} | {'TOO_LARGE', bytes}.
 */
export const CREATE = new LuaScript(
  'session create',
  `${PRELUDE}
if redis.call('EXISTS', KEYS[1]) == 1 then return {'EXISTS'} end
local now = now_ms()
local e = expiry(now, now, tonumber(ARGV[1]), tonumber(ARGV[2]))
local fields = {}
local n = tonumber(ARGV[5])
for i = 0, n - 1 do fields[ARGV[6 + 2 * i]] = ARGV[7 + 2 * i] end
fields['c'] = fmt(now); fields['a'] = fmt(now); fields['e'] = fmt(e); fields['v'] = '1'
local size = record_size(tonumber(ARGV[4]), fields)
if size > tonumber(ARGV[3]) then return {'TOO_LARGE', size} end
hset_all(KEYS[1], fields)
redis.call('PEXPIREAT', KEYS[1], e)
return {'OK', fmt(now), fmt(e)}
`,
  1,
);

/**
 * KEYS: record. ARGV: expectedVersion ('' for none), maxBytes, frameBytes, nSet, nSet pairs, nUnset,
 * nUnset names. Reply: {'OK', field, value, ...} (the new record) | {'NOT_FOUND'} |
 * {'CONFLICT', currentVersion} | {'TOO_LARGE', bytes} | {'CORRUPT'}.
 */
export const UPDATE = new LuaScript(
  'session update',
  `${PRELUDE}
local flat = redis.call('HGETALL', KEYS[1])
if #flat == 0 then return {'NOT_FOUND'} end
local fields = {}
for i = 1, #flat, 2 do fields[flat[i]] = flat[i + 1] end
local version = tonumber(fields['v'])
if version == nil then return {'CORRUPT'} end
if ARGV[1] ~= '' and tonumber(ARGV[1]) ~= version then return {'CONFLICT', fields['v']} end
local changed, removed = {}, {}
local i = 5
for _ = 1, tonumber(ARGV[4]) do
  fields[ARGV[i]] = ARGV[i + 1]; changed[ARGV[i]] = ARGV[i + 1]; i = i + 2
end
local n_unset = tonumber(ARGV[i]); i = i + 1
for _ = 1, n_unset do
  if fields[ARGV[i]] ~= nil then removed[#removed + 1] = ARGV[i] end
  fields[ARGV[i]] = nil; changed[ARGV[i]] = nil; i = i + 1
end
fields['v'] = fmt(version + 1); changed['v'] = fields['v']
local size = record_size(tonumber(ARGV[3]), fields)
if size > tonumber(ARGV[2]) then return {'TOO_LARGE', size} end
hset_all(KEYS[1], changed)
if #removed > 0 then hdel_all(KEYS[1], removed) end
local reply = {'OK'}
for f, v in pairs(fields) do reply[#reply + 1] = f; reply[#reply + 1] = v end
return reply
`,
  1,
);

/**
 * KEYS: record. ARGV: idleMs, maxLifetimeMs (0: none). Slides expiry only if the record exists.
 * Reply: {expiresAt, principalJson} | false (absent: nothing written).
 */
export const TOUCH = new LuaScript(
  'session touch',
  `${PRELUDE}
local found = redis.call('HMGET', KEYS[1], 'c', 'p')
if not found[1] then return false end
local now = now_ms()
local e = expiry(tonumber(found[1]), now, tonumber(ARGV[1]), tonumber(ARGV[2]))
if e <= now then redis.call('DEL', KEYS[1]); return false end
redis.call('HSET', KEYS[1], 'a', fmt(now), 'e', fmt(e))
redis.call('PEXPIREAT', KEYS[1], e)
return {fmt(e), found[2] or 'null'}
`,
  1,
);

/**
 * KEYS: principal index. ARGV: sessionId, expiresAt. Adds the id and makes sure the index lives
 * at least as long as that session (a fresh key gets an expiry; PEXPIREAT GT alone would not set
 * one on a key that has none).
 */
export const INDEX_ADD = new LuaScript(
  'principal index add',
  `
redis.call('ZADD', KEYS[1], 0, ARGV[1])
local current = redis.call('PEXPIRETIME', KEYS[1])
if current < 0 or current < tonumber(ARGV[2]) then redis.call('PEXPIREAT', KEYS[1], ARGV[2]) end
return 1
`,
  1,
);
