-- Event records and the lazy sweep (helpers for scripts that write events).

local JOIN, LEAVE, TIMEOUT = 1, 2, 3

-- Write one event of `user_id` in instance `order`, stamped `ts` (text), under `id`
-- (default: the next event id); returns its id and record. The record must match
-- confkit.codec.event_record byte for byte.
local function write_event(user_id, order, event_type, ts, id)
  use(ACTIVITY_DB)
  id = id or redis.call('INCR', K_EVENT_SEQ)
  local record = '{"user_id":' .. user_id .. ',"order_id":' .. order ..
                 ',"event_type":' .. event_type .. ',"timestamp":' .. ts .. '}'
  redis.call('HSET', K_EVENTS, id, record)
  return id, record
end

-- Time out everyone left in instances other than `keep` (the running one), and in
-- `keep` itself at `keep_ends` when that stamp is given. Appends the timeouts' event
-- id / record pairs to `out`; returns whether `keep` is in the open set.
local function sweep(keep, out, keep_ends)
  use(ACTIVITY_DB)
  local open = redis.call('SRANDMEMBER', K_OPEN, 2)  -- usually none or `keep` alone
  if #open == 0 then return false end
  if #open == 1 and open[1] == keep and not keep_ends then return true end

  -- The rare path: its helpers are built only here.
  open = redis.call('SMEMBERS', K_OPEN)
  -- When an instance that is no longer running stopped: at its to_ms, when the
  -- next instance by order_id started, or now, whichever came first.
  local function stopped_at(order)
    use(CATALOG_DB)
    local stamp = math.min(NOW, tonumber(redis.call('HGET', K_INSTANCE_PREFIX .. order, 'to_ms')))
    local following = redis.call('ZRANGEBYSCORE', K_INSTANCES, '(' .. order, '+inf', 'LIMIT', 0, 1)
    if #following == 1 then
      local next_from = tonumber(redis.call('HGET', K_INSTANCE_PREFIX .. following[1], 'from_ms'))
      stamp = math.min(stamp, next_from)
    end
    return stamp
  end

  -- A timeout stamped `stamp` for everyone still in `order`, but never before the
  -- user's join (a next instance may have been scheduled to start before someone
  -- joined this one); the join's time is read from its record (fixed shape).
  local function close_instance(order, stamp)
    use(ACTIVITY_DB)
    local presence = K_PRESENCE_PREFIX .. order
    local inside = redis.call('ZRANGE', presence, 0, -1, 'WITHSCORES')
    for i = 1, #inside, 2 do
      local joined = tonumber(string.match(redis.call('HGET', K_EVENTS, inside[i + 1]), '"timestamp":(-?%d+)'))
      local id, record = write_event(inside[i], order, TIMEOUT, string.format('%d', math.max(stamp, joined)))
      out[#out + 1] = id
      out[#out + 1] = record
    end
    redis.call('DEL', presence)
    redis.call('SREM', K_OPEN, order)
  end

  -- `keep` is the latest started instance, so it sorts (and is closed) last.
  local keep_open = false
  table.sort(open, function(a, b) return tonumber(a) < tonumber(b) end)
  for _, order in ipairs(open) do
    if order ~= keep then
      close_instance(order, stopped_at(order))
    elseif keep_ends then
      close_instance(order, keep_ends)
    else
      keep_open = true
    end
  end
  return keep_open
end
