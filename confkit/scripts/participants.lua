-- meeting_participants and join_times: read only. ARGV 4, 5 (single server only): a
-- user's catalog key before and after its id, to read each participant's name here
-- (on a cluster users live in other slots: the caller reads the names).
-- Returns {order_id, from_ms, to_ms, meeting title, then per participant in join
-- order: user_id, join record, name ('' when not read or unknown)}, or an error when
-- the meeting has no running instance.
-- needs: running
local meeting = redis.call('HMGET', K_MEETING, 'last_order', 'last_from', 'last_to', 'title')
local order, _, _, from_text, to_text = active_instance(nil, nil, nil, meeting)
if not order then return fail('NO_ACTIVE_INSTANCE', true) end
use(ACTIVITY_DB)
local present = redis.call('ZRANGE', K_PRESENCE_PREFIX .. order, 0, -1, 'WITHSCORES')
local out = {order, from_text, to_text, meeting[4]}
-- The join records, read 500 at a time (unpack has a limit).
for first = 1, #present, 1000 do
  local ids = {}
  for i = first + 1, math.min(first + 999, #present), 2 do ids[#ids + 1] = present[i] end
  local records = redis.call('HMGET', K_EVENTS, unpack(ids))
  for j, record in ipairs(records) do
    local n = #out
    out[n + 1], out[n + 2], out[n + 3] = present[first + 2 * j - 2], record, ''
  end
end
local head, tail = ARGV[4], ARGV[5]
if head and #out > 4 then
  use(CATALOG_DB)
  for i = 5, #out, 3 do out[i + 2] = redis.call('HGET', head .. out[i] .. tail, 'name') or '' end
end
return out
