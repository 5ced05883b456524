-- leave_meeting: ARGV 4 user_id. Returns "event_id:order_id": the event is the
-- leave, stamped NOW. A user present in this meeting implies the meeting exists, so
-- its existence is only looked up to explain a refusal.
-- needs: running, timeouts
local user_id = ARGV[4]
local order = active_instance()
if not order then return fail('NO_ACTIVE_INSTANCE', true) end
use(ACTIVITY_DB)
local presence = K_PRESENCE_PREFIX .. order
if redis.call('ZREM', presence, user_id) == 0 then  -- not inside: nothing changed
  return fail('NOT_JOINED', true)
end

sweep(order, {})
local id = write_event(user_id, order, LEAVE, NOW_TEXT)
if redis.call('ZCARD', presence) == 0 then redis.call('SREM', K_OPEN, order) end
return id .. ':' .. order
