-- post_message: ARGV 4 user_id, 5 text. Returns "message_id:order_id": the message
-- is stamped NOW.
-- A user present in this meeting implies the meeting exists, so its existence is
-- only looked up to explain a refusal.
-- needs: running, timeouts
local user_id, text = ARGV[4], ARGV[5]
local order = active_instance()
if not order then return fail('NO_ACTIVE_INSTANCE', true) end
use(ACTIVITY_DB)
if not redis.call('ZSCORE', K_PRESENCE_PREFIX .. order, user_id) then
  return fail('NOT_JOINED', true)
end

sweep(order, {})
use(ACTIVITY_DB)
local id = redis.call('INCR', KEYS[9])
-- Must match confkit.codec.message_record byte for byte.
local record = '{"user_id":' .. user_id .. ',"order_id":' .. order .. ',"timestamp":' .. NOW_TEXT .. '}'
redis.call('HSET', KEYS[10], id, record)
redis.call('HSET', KEYS[11], id, text)
redis.call('ZADD', KEYS[12], NOW_TEXT, id)
redis.call('ZADD', KEYS[13] .. user_id, NOW_TEXT, id)
return id .. ':' .. order
