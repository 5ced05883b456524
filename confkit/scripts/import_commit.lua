-- import_commit: make one staged import visible at once (confkit.importer).
-- KEYS 1-13: the meeting's keys (common.lua); 14 import fingerprints hash;
-- 15..: pairs (staged key, live key), all in the activity store and this slot.
-- ARGV 4 fingerprint, 5 order_id, 6 from_ms, 7 to_ms, 8 meeting_id, 9 event_seq and
-- 10 message_seq seen when staging began, 11 events and 12 messages staged,
-- 13 instances seen, 14 "1" to create the meeting, 15 title, 16 description.
-- Returns {1, order_id} committed, or {0, order_id} if that content was committed before.
-- Every check runs before any write; the writes are O(1) per key (UNLINK frees the
-- replaced values in the background, RENAME moves the staged ones).
local fingerprint, order, from_ms, to_ms = ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local events, messages = tonumber(ARGV[11]), tonumber(ARGV[12])
use_activity()
local done = redis.call('HGET', KEYS[14], fingerprint)
if done then return {0, done} end
use_catalog()
local exists = redis.call('EXISTS', K_MEETING) == 1
if ARGV[14] == '1' and exists then return fail('MEETING_EXISTS') end
if ARGV[14] ~= '1' and not exists then return fail('MEETING_NOT_FOUND') end
if redis.call('ZCARD', K_INSTANCES) ~= tonumber(ARGV[13])
    or redis.call('EXISTS', K_INSTANCE_PREFIX .. order) == 1 then
  return fail('IMPORT_CONFLICT')
end
use_activity()
if (redis.call('GET', K_EVENT_SEQ) or '0') ~= ARGV[9] or (redis.call('GET', K_MESSAGE_SEQ) or '0') ~= ARGV[10]
    or redis.call('SCARD', K_OPEN) ~= 0 then
  return fail('IMPORT_CONFLICT')
end
for i = 15, #KEYS, 2 do
  if redis.call('EXISTS', KEYS[i]) == 0 then return fail('IMPORT_EXPIRED') end
end

use_catalog()
if ARGV[14] == '1' then
  redis.call('HSET', K_MEETING, 'meeting_id', ARGV[8], 'title', ARGV[15],
             'description', ARGV[16], 'is_public', '1')
end
redis.call('HSET', K_INSTANCE_PREFIX .. order, 'meeting_id', ARGV[8], 'order_id', order,
           'from_ms', from_ms, 'to_ms', to_ms)
redis.call('ZADD', K_INSTANCES, order, order)
use_activity()
if events > 0 then redis.call('SET', K_EVENT_SEQ, int(tonumber(ARGV[9]) + events)) end
if messages > 0 then redis.call('SET', K_MESSAGE_SEQ, int(tonumber(ARGV[10]) + messages)) end
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
redis.call('HSET', KEYS[14], fingerprint, order)
return {1, order}
