import { LuaScript } from './command-runner.js';

/**
 * KEYS: session events hash, stream. ARGV: proposed token, streamId, message JSON, maxEventsPerStream,
 * ttlMs. Appends the event, trims the stream to the cap, refreshes both expiries.
 * Reply: {token, entryId}.
 */
export const APPEND = new LuaScript(
  'event append',
  `
local token = redis.call('HGET', KEYS[1], 't')
if not token then
  token = ARGV[1]
  redis.call('HSET', KEYS[1], 't', token)
end
redis.call('HSET', KEYS[1], 's:' .. ARGV[2], '1')
local id = redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[4], '*', 's', ARGV[2], 'm', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return {token, id}
`,
  2,
);

/**
 * KEYS: session events hash, stream. ARGV: token, entryId. The stream id stored with the event, or
 * false if the token is not this session's or the entry is gone (trimmed, expired, never stored).
 */
export const LOOKUP = new LuaScript(
  'event lookup',
  `
if redis.call('HGET', KEYS[1], 't') ~= ARGV[1] then return false end
local entries = redis.call('XRANGE', KEYS[2], ARGV[2], ARGV[2])
if #entries == 0 then return false end
local f = entries[1][2]
for i = 1, #f, 2 do
  if f[i] == 's' then return f[i + 1] end
end
return false
`,
  2,
);

/**
 * KEYS: session events hash, stream. Where a priming id resumes: the session's token (false if it
 * holds no event yet) and how many events the stream holds (a priming id of a stream at the cap is
 * refused: its oldest events may have been trimmed). Reply: {token | false, length}.
 */
export const PRIMING_LOOKUP = new LuaScript(
  'event priming lookup',
  `
return {redis.call('HGET', KEYS[1], 't'), redis.call('XLEN', KEYS[2])}
`,
  2,
);

/**
 * KEYS: session events hash, stream. The stream's last entry, to resume from now: {token, entryId},
 * or false if the stream holds no entry (or the session no token).
 */
export const TAIL = new LuaScript(
  'event tail',
  `
local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
if #last == 0 then return false end
local token = redis.call('HGET', KEYS[1], 't')
if not token then return false end
return {token, last[1][1]}
`,
  2,
);
