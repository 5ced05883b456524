-- end_meeting: close the latest started instance.
-- Running: its to_ms becomes NOW and everyone present times out at NOW.
-- Already past its end: anyone still recorded times out at its to_ms.
-- Returns {order_id, to_ms, timeout pairs...}.
if not meeting_exists() then return fail('MEETING_NOT_FOUND') end
local order, _, to_ms = latest_started()
if not order then return fail('NO_STARTED_INSTANCE') end
if NOW < to_ms then
  use_catalog()
  redis.call('HSET', K_INSTANCE_PREFIX .. order, 'to_ms', int(NOW))
  to_ms = NOW
end
local out = {}
sweep(order, out)
use_activity()
if redis.call('SISMEMBER', K_OPEN, order) == 1 then close_instance(order, to_ms, out) end
table.insert(out, 1, int(to_ms))
table.insert(out, 1, order)
return out
