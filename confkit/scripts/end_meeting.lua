-- end_meeting: close the latest started instance.
-- Running: its to_ms becomes NOW and everyone present times out at NOW.
-- Already past its end: anyone still recorded times out at its to_ms.
-- Returns {order_id, to_ms, timeout pairs...}.
-- needs: running, timeouts
use(CATALOG_DB)
if redis.call('EXISTS', K_MEETING) == 0 then return fail('MEETING_NOT_FOUND') end
local order, _, to_ms = latest_started()
if not order then return fail('NO_STARTED_INSTANCE') end
if NOW < to_ms then
  use(CATALOG_DB)
  redis.call('HSET', K_INSTANCE_PREFIX .. order, 'to_ms', NOW_TEXT)
  to_ms = NOW
end
local out = {}
sweep(order, out)
use(ACTIVITY_DB)
if redis.call('SISMEMBER', K_OPEN, order) == 1 then close_instance(order, to_ms, out) end
table.insert(out, 1, string.format('%d', to_ms))
table.insert(out, 1, order)
return out
