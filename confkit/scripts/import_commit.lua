-- import_commit: make a staged import visible (confkit.importer), in two modes.
-- 'index': move a batch of staged per-user message indexes into place first; their
--   new ids have no message record until the commit, and the listings skip such ids.
-- 'commit': create the meeting if asked, the instance, set the counters and move the
--   rest into place: the moment the instance appears, whole.
-- KEYS 1-13: the meeting's keys (common.lua); 14 import fingerprints hash;
-- 15..: pairs (staged key, live key), all in the activity store and this slot.
-- ARGV 4 fingerprint, 5 event_seq and 6 message_seq seen when staging began, 7 mode;
-- for 'commit': 8 order_id, 9 from_ms, 10 to_ms, 11 meeting_id, 12 events and
-- 13 messages staged, 14 instances seen, 15 "1" to create the meeting, 16 title,
-- 17 description.
-- Returns {1, order_id or ""} done, or {0, order_id} if that content was committed before.
-- Every check runs before any write; each write is O(1) per key (UNLINK frees a
-- replaced value in the background, RENAME moves the staged one).
-- needs: latest
local fingerprint, event_seq, message_seq, commit = ARGV[4], ARGV[5], ARGV[6], ARGV[7] == 'commit'
local order = ARGV[8] or ''
use(ACTIVITY_DB)
local done = redis.call('HGET', KEYS[14], fingerprint)
if done then return {0, done} end
if commit then
  use(CATALOG_DB)
  local exists = redis.call('EXISTS', K_MEETING) == 1
  if ARGV[15] == '1' and exists then return fail('MEETING_EXISTS') end
  if ARGV[15] ~= '1' and not exists then return fail('MEETING_NOT_FOUND') end
  if redis.call('ZCARD', K_INSTANCES) ~= tonumber(ARGV[14])
      or redis.call('EXISTS', K_INSTANCE_PREFIX .. order) == 1 then
    return fail('IMPORT_CONFLICT')
  end
end
use(ACTIVITY_DB)
if (redis.call('GET', K_EVENT_SEQ) or '0') ~= event_seq or (redis.call('GET', K_MESSAGE_SEQ) or '0') ~= message_seq
    or redis.call('SCARD', K_OPEN) ~= 0 then
  return fail('IMPORT_CONFLICT')
end
for i = 15, #KEYS, 2 do
  if redis.call('EXISTS', KEYS[i]) == 0 then return fail('IMPORT_EXPIRED') end
end

if commit then
  use(CATALOG_DB)
  if ARGV[15] == '1' then
    redis.call('HSET', K_MEETING, 'meeting_id', ARGV[11], 'title', ARGV[16],
               'description', ARGV[17], 'is_public', '1')
  end
  redis.call('HSET', K_INSTANCE_PREFIX .. order, 'meeting_id', ARGV[11], 'order_id', order,
             'from_ms', ARGV[9], 'to_ms', ARGV[10])
  redis.call('ZADD', K_INSTANCES, order, order)
  remember_latest()
  use(ACTIVITY_DB)
  local events, messages = tonumber(ARGV[12]), tonumber(ARGV[13])
  if events > 0 then redis.call('SET', K_EVENT_SEQ, string.format('%d', tonumber(event_seq) + events)) end
  if messages > 0 then redis.call('SET', K_MESSAGE_SEQ, string.format('%d', tonumber(message_seq) + messages)) end
end
for i = 15, #KEYS, 2 do
  -- the placeholder ('') that created the staged key with its expiry goes first
  if redis.call('TYPE', KEYS[i]).ok == 'zset' then
    redis.call('ZREM', KEYS[i], '')
  else
    redis.call('HDEL', KEYS[i], '')
  end
  if redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('UNLINK', KEYS[i + 1])
    redis.call('RENAME', KEYS[i], KEYS[i + 1])
    redis.call('PERSIST', KEYS[i + 1])
  end
end
if commit then redis.call('HSET', KEYS[14], fingerprint, order) end
return {1, order}
