-- meeting_participants: read only.
-- Returns {order_id, from_ms, to_ms, user_id, join record, user_id, join record...}
-- in join order, or an error when the meeting has no running instance.
local order, from_ms, to_ms = active_instance()
if not order then return no_instance_error() end
use_activity()
local present = redis.call('ZRANGE', K_PRESENCE_PREFIX .. order, 0, -1, 'WITHSCORES')
local out = {order, int(from_ms), int(to_ms)}
for i = 1, #present, 2 do
  out[#out + 1] = present[i]
  out[#out + 1] = redis.call('HGET', K_EVENTS, present[i + 1])
end
return out
