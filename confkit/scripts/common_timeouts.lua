-- Event records and the lazy sweep (helpers for scripts that write events).

local JOIN, LEAVE, TIMEOUT = 1, 2, 3

-- Must match confkit.codec.event_record byte for byte.
local function event_json(user_id, order_id, event_type, ts)
  return '{"user_id":' .. user_id .. ',"order_id":' .. order_id ..
         ',"event_type":' .. event_type .. ',"timestamp":' .. ts .. '}'
end

-- Write a timeout event, stamped `stamp`, for everyone still present in `order`,
-- but never before the user's join (a next instance may have been scheduled to
-- start before someone joined this one). Appends event id / record pairs to `out`.
local function close_instance(order, stamp, out)
  use(ACTIVITY_DB)
  local presence = K_PRESENCE_PREFIX .. order
  local inside = redis.call('ZRANGE', presence, 0, -1, 'WITHSCORES')
  for i = 1, #inside, 2 do
    -- The join's timestamp, read from its record (the shape is fixed: no JSON parser).
    local joined = tonumber(string.match(redis.call('HGET', K_EVENTS, inside[i + 1]), '"timestamp":(-?%d+)'))
    local id = redis.call('INCR', K_EVENT_SEQ)
    local record = event_json(inside[i], order, TIMEOUT, string.format('%d', math.max(stamp, joined)))
    redis.call('HSET', K_EVENTS, id, record)
    out[#out + 1] = id
    out[#out + 1] = record
  end
  redis.call('DEL', presence)
  redis.call('SREM', K_OPEN, order)
end

-- Time out everyone left in instances other than `keep` (the running one).
-- Returns whether `keep` itself is in the open set.
local function sweep(keep, out)
  use(ACTIVITY_DB)
  local open = redis.call('SMEMBERS', K_OPEN)
  if #open == 0 then return false end
  if #open == 1 and open[1] == keep then return true end

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

  local keep_open = false
  table.sort(open, function(a, b) return tonumber(a) < tonumber(b) end)
  for _, order in ipairs(open) do
    if order == keep then
      keep_open = true
    else
      close_instance(order, stopped_at(order), out)
    end
  end
  return keep_open
end

-- Write one join or leave event at NOW; returns its id and record.
local function write_event(user_id, order, event_type)
  use(ACTIVITY_DB)
  local id = redis.call('INCR', K_EVENT_SEQ)
  local record = event_json(user_id, order, event_type, NOW_TEXT)
  redis.call('HSET', K_EVENTS, id, record)
  return id, record
end
