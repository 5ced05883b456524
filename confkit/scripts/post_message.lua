-- post_message: ARGV 4 user_id, 5 text. Returns {message_id, record, timeout pairs...}.
-- A user present in this meeting implies the meeting exists, so its existence is
-- only looked up to explain a refusal.
local user_id, text = ARGV[4], ARGV[5]
local order = active_instance()
if not order then return no_instance_error() end
use_activity()
if not redis.call('ZSCORE', K_PRESENCE_PREFIX .. order, user_id) then
  if not meeting_exists() then return fail('MEETING_NOT_FOUND') end
  return fail('NOT_JOINED')
end

local out = {}
sweep(order, out)
use_activity()
local id = redis.call('INCR', K_MESSAGE_SEQ)
-- Must match confkit.codec.message_record byte for byte.
local record = '{"user_id":' .. user_id .. ',"order_id":' .. order .. ',"timestamp":' .. int(NOW) .. '}'
redis.call('HSET', K_MESSAGES, id, record)
redis.call('HSET', K_TEXTS, id, text)
redis.call('ZADD', K_MESSAGES_BY_TIME, NOW, id)
redis.call('ZADD', K_USER_MESSAGES_PREFIX .. user_id, NOW, id)
table.insert(out, 1, record)
table.insert(out, 1, id)
return out
