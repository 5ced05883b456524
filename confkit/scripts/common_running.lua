-- The running instance (helpers for scripts that need it).

-- The latest started instance: highest order_id whose from_ms <= NOW, of this
-- meeting or of the one whose instances zset and instance prefix are given.
-- Returns order_id (string), from_ms, to_ms (numbers), or nil. The highest order_id
-- is asked for alone first: it is the running one unless later ones are scheduled.
local function latest_started(instances, prefix)
  use(CATALOG_DB)
  instances, prefix = instances or K_INSTANCES, prefix or K_INSTANCE_PREFIX
  local start, stop = 0, 0
  while true do
    local orders = redis.call('ZREVRANGE', instances, start, stop)
    for _, order in ipairs(orders) do
      local span = redis.call('HMGET', prefix .. order, 'from_ms', 'to_ms')
      local from_ms = tonumber(span[1])
      if from_ms <= NOW then return order, from_ms, tonumber(span[2]) end
    end
    if #orders <= stop - start then return nil end
    start, stop = stop + 1, stop + 16
  end
end

-- The running instance (latest started and not yet at its to_ms), or nil.
local function active_instance(instances, prefix)
  local order, from_ms, to_ms = latest_started(instances, prefix)
  if order and NOW < to_ms then return order, from_ms, to_ms end
  return nil
end

-- Why there is no running instance: the meeting is missing, or nothing runs.
local function no_instance_error()
  use(CATALOG_DB)
  if redis.call('EXISTS', K_MEETING) == 1 then return fail('NO_ACTIVE_INSTANCE') end
  return fail('MEETING_NOT_FOUND')
end
