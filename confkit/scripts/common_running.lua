-- The running instance (helpers for scripts that need it).

-- The latest started instance: highest order_id whose from_ms <= NOW, of this
-- meeting or of the one whose hash, instances zset and instance prefix are given.
-- Returns order_id (string), from_ms, to_ms (numbers), or nil. `last`: the meeting
-- hash's last_order, last_from, last_to (common_latest.lua), if the caller read them.
-- The last instance has usually started: then it is the answer, read in one call.
local function latest_started(meeting, instances, prefix, last)
  use(CATALOG_DB)
  last = last or redis.call('HMGET', meeting or K_MEETING, 'last_order', 'last_from', 'last_to')
  local last_from = tonumber(last[2])
  if last_from and last_from <= NOW then return last[1], last_from, tonumber(last[3]) end
  -- Later instances are scheduled (or no copy): look through them, latest first.
  instances, prefix = instances or K_INSTANCES, prefix or K_INSTANCE_PREFIX
  local start = 0
  while true do
    local orders = redis.call('ZREVRANGE', instances, start, start + 15)
    if #orders == 0 then return nil end
    for _, order in ipairs(orders) do
      local span = redis.call('HMGET', prefix .. order, 'from_ms', 'to_ms')
      local from_ms = tonumber(span[1])
      if from_ms <= NOW then return order, from_ms, tonumber(span[2]) end
    end
    start = start + 16
  end
end

-- The running instance (latest started and not yet at its to_ms), or nil.
local function active_instance(meeting, instances, prefix, last)
  local order, from_ms, to_ms = latest_started(meeting, instances, prefix, last)
  if order and NOW < to_ms then return order, from_ms, to_ms end
  return nil
end

-- Why there is no running instance: the meeting is missing, or nothing runs.
local function no_instance_error()
  use(CATALOG_DB)
  if redis.call('EXISTS', K_MEETING) == 1 then return fail('NO_ACTIVE_INSTANCE') end
  return fail('MEETING_NOT_FOUND')
end
