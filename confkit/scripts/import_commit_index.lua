-- import_commit_index: move a batch of staged per-user message indexes into place,
-- before import_commit makes their messages exist (confkit.importer).
-- KEYS 1-13: the meeting's keys (common.lua); 14 import fingerprints hash;
-- 15..: pairs (staged sorted set, live sorted set), activity store, this slot.
-- ARGV 4 fingerprint, 5 event_seq and 6 message_seq seen when staging began.
-- Returns 1 moved, 0 if that content was committed before (nothing moved).
-- Until import_commit runs, the new ids in these indexes have no message record, and
-- meeting_messages / user_messages skip such ids.
use_activity()
if redis.call('HGET', KEYS[14], ARGV[4]) then return 0 end
if (redis.call('GET', K_EVENT_SEQ) or '0') ~= ARGV[5] or (redis.call('GET', K_MESSAGE_SEQ) or '0') ~= ARGV[6]
    or redis.call('SCARD', K_OPEN) ~= 0 then
  return fail('IMPORT_CONFLICT')
end
for i = 15, #KEYS, 2 do
  if redis.call('EXISTS', KEYS[i]) == 0 then return fail('IMPORT_EXPIRED') end
end
for i = 15, #KEYS, 2 do
  redis.call('ZREM', KEYS[i], '')
  redis.call('UNLINK', KEYS[i + 1])
  redis.call('RENAME', KEYS[i], KEYS[i + 1])
  redis.call('PERSIST', KEYS[i + 1])
end
return 1
