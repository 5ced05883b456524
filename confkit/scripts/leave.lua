-- leave_meeting: ARGV 4 user_id. Returns {event_id, record, timeout pairs...}.
local user_id = ARGV[4]
if not meeting_exists() then return fail('MEETING_NOT_FOUND') end
local order = active_instance()
if not order then return fail('NO_ACTIVE_INSTANCE') end
use_activity()
local presence = K_PRESENCE_PREFIX .. order
if not redis.call('ZSCORE', presence, user_id) then return fail('NOT_JOINED') end

local out = {}
sweep(order, out)
local id, record = write_event(user_id, order, LEAVE)
redis.call('ZREM', presence, user_id)
if redis.call('ZCARD', presence) == 0 then redis.call('SREM', K_OPEN, order) end
table.insert(out, 1, record)
table.insert(out, 1, id)
return out
