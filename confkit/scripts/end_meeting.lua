-- end_meeting: close the latest started instance.
-- Running: its to_ms becomes NOW and everyone present times out at NOW.
-- Already past its end: anyone still recorded times out at its to_ms.
-- Returns {order_id, to_ms, timeout pairs...}.
-- needs: running, timeouts, latest
use(CATALOG_DB)
if redis.call('EXISTS', K_MEETING) == 0 then return fail('MEETING_NOT_FOUND') end
local order, _, to_ms = active_instance(nil, nil, nil, nil, true)
if not order then return fail('NO_STARTED_INSTANCE') end
if NOW < to_ms then
  use(CATALOG_DB)
  redis.call('HSET', K_INSTANCE_PREFIX .. order, 'to_ms', NOW_TEXT)
  remember_latest()
  to_ms = NOW
end
local out = {order, string.format('%d', to_ms)}
sweep(order, out, to_ms)
return out
