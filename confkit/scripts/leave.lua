-- leave_meeting: ARGV 4 user_id. Returns {event_id, record, timeout pairs...}.
-- A user present in this meeting implies the meeting exists, so its existence is
-- only looked up to explain a refusal.
-- needs: running, timeouts
local user_id = ARGV[4]
local order = active_instance()
if not order then return no_instance_error() end
use(ACTIVITY_DB)
local presence = K_PRESENCE_PREFIX .. order
if not redis.call('ZSCORE', presence, user_id) then
  use(CATALOG_DB)
  if redis.call('EXISTS', K_MEETING) == 0 then return fail('MEETING_NOT_FOUND') end
  return fail('NOT_JOINED')
end

local out = {0, 0}
sweep(order, out)
out[1], out[2] = write_event(user_id, order, LEAVE)
redis.call('ZREM', presence, user_id)
if redis.call('ZCARD', presence) == 0 then redis.call('SREM', K_OPEN, order) end
return out
