-- meeting_participants: read only.
-- Returns {order_id, from_ms, to_ms, user_id, join record, user_id, join record...}
-- in join order, or an error when the meeting has no running instance.
-- needs: running
local order, _, _, from_text, to_text = active_instance()
if not order then return fail('NO_ACTIVE_INSTANCE', true) end
use(ACTIVITY_DB)
local present = redis.call('ZRANGE', K_PRESENCE_PREFIX .. order, 0, -1, 'WITHSCORES')
local out = {order, from_text, to_text}
-- The join records, read 500 at a time (unpack has a limit).
for first = 1, #present, 1000 do
  local ids = {}
  for i = first + 1, math.min(first + 999, #present), 2 do ids[#ids + 1] = present[i] end
  local records = redis.call('HMGET', K_EVENTS, unpack(ids))
  for j, record in ipairs(records) do
    out[#out + 1] = present[first + 2 * j - 2]
    out[#out + 1] = record
  end
end
return out
