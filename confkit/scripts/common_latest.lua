-- The meeting's latest instance, copied into its hash (helper for scripts that
-- write instances).

-- Copy the span of the instance with the highest order_id into the meeting hash
-- (last_order, last_from, last_to): the operations that look for the running
-- instance read it there with the meeting, one call instead of three. Every write
-- of an instance's span is followed by this; a meeting hash without the fields (or
-- whose last instance has not started yet) makes them look through the instances.
local function remember_latest()
  use(CATALOG_DB)
  local top = redis.call('ZREVRANGE', K_INSTANCES, 0, 0)
  if #top == 0 or redis.call('EXISTS', K_MEETING) == 0 then return end
  local span = redis.call('HMGET', K_INSTANCE_PREFIX .. top[1], 'from_ms', 'to_ms')
  redis.call('HSET', K_MEETING, 'last_order', top[1], 'last_from', span[1], 'last_to', span[2])
end
