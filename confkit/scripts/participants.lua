-- meeting_participants: read only.
-- Returns {order_id, from_ms, to_ms, user_id, join record, user_id, join record...}
-- in join order, or an error when the meeting has no running instance.
-- needs: running
local order, from_ms, to_ms = active_instance()
if not order then return no_instance_error() end
use(ACTIVITY_DB)
local present = redis.call('ZRANGE', K_PRESENCE_PREFIX .. order, 0, -1, 'WITHSCORES')
local out = {order, string.format('%d', from_ms), string.format('%d', to_ms)}
for i = 1, #present, 2 do
  out[#out + 1] = present[i]
  out[#out + 1] = redis.call('HGET', K_EVENTS, present[i + 1])
end
return out
