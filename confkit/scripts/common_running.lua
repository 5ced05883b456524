-- The running instance (helpers for scripts that need it).

-- The running instance: the latest started one (highest order_id whose from_ms <=
-- NOW) if NOW is before its to_ms, of this meeting or of the one whose hash key is
-- `meeting` (its instances zset and instance prefix: that key followed by the
-- suffixes `instances` and `prefix`); with `ended_too`, the latest started one even
-- when it has ended. Returns order_id (string), from_ms, to_ms (numbers) and the
-- same two as stored (text), or nil. `last`: the meeting hash's last_order,
-- last_from, last_to (common_latest.lua), if the caller read them. The last instance
-- has usually started: then it is the answer, read in one call.
local function active_instance(meeting, instances, prefix, last, ended_too)
  use(CATALOG_DB)
  last = last or redis.call('HMGET', meeting or K_MEETING, 'last_order', 'last_from', 'last_to')
  local order, from_ms, from_text, to_text = last[1], tonumber(last[2]), last[2], last[3]
  if not (from_ms and from_ms <= NOW) then
    -- Later instances are scheduled (or no copy): look through them, latest first.
    if meeting then
      instances, prefix = meeting .. instances, meeting .. prefix
    else
      instances, prefix = K_INSTANCES, K_INSTANCE_PREFIX
    end
    order = nil
    local start = 0
    while not order do
      local orders = redis.call('ZREVRANGE', instances, start, start + 15)
      if #orders == 0 then return nil end
      for _, candidate in ipairs(orders) do
        local span = redis.call('HMGET', prefix .. candidate, 'from_ms', 'to_ms')
        from_ms = tonumber(span[1])
        if from_ms <= NOW then
          order, from_text, to_text = candidate, span[1], span[2]
          break
        end
      end
      start = start + 16
    end
  end
  local to_ms = tonumber(to_text)
  if ended_too or NOW < to_ms then return order, from_ms, to_ms, from_text, to_text end
  return nil
end
