-- Shared prologue of every confkit script (prepended when a script is loaded).
--
-- KEYS (same order for every meeting script, built by Keys.meeting_script_keys):
--   1 catalog meeting hash      2 audience set          3 instances zset
--   4 instance key prefix       5 event_seq             6 events hash
--   7 open-instances set        8 presence key prefix   9 message_seq
--  10 messages hash            11 message texts hash   12 messages by time
--  13 per-user messages prefix 14 user hash (single server only, else absent)
-- The prefixes are key names without their suffix: they carry the meeting's hash
-- tag, so every key derived from them lives in the same cluster slot.
-- ARGV: 1 catalog db, 2 activity db ("" on a cluster, where there is only db 0),
--       3 now (epoch ms), then script-specific arguments.

local K_MEETING, K_AUDIENCE, K_INSTANCES, K_INSTANCE_PREFIX = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local K_EVENT_SEQ, K_EVENTS, K_OPEN, K_PRESENCE_PREFIX = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local K_MESSAGE_SEQ, K_MESSAGES, K_TEXTS = KEYS[9], KEYS[10], KEYS[11]
local K_MESSAGES_BY_TIME, K_USER_MESSAGES_PREFIX, K_USER = KEYS[12], KEYS[13], KEYS[14]
local CATALOG_DB, ACTIVITY_DB = ARGV[1], ARGV[2]
local NOW = tonumber(ARGV[3])

local JOIN, LEAVE, TIMEOUT = 1, 2, 3

-- The db this script has selected ('' = not yet: the caller's db is not assumed).
local selected_db = ''

local function use_catalog()
  if CATALOG_DB ~= selected_db then
    redis.call('SELECT', CATALOG_DB)
    selected_db = CATALOG_DB
  end
end

local function use_activity()
  if ACTIVITY_DB ~= selected_db then
    redis.call('SELECT', ACTIVITY_DB)
    selected_db = ACTIVITY_DB
  end
end

local function fail(code)
  return redis.error_reply('CONFKIT_' .. code)
end

local function int(n)
  return string.format('%d', n)
end

-- Must match confkit.codec.event_record byte for byte.
local function event_json(user_id, order_id, event_type, ts)
  return '{"user_id":' .. user_id .. ',"order_id":' .. order_id ..
         ',"event_type":' .. event_type .. ',"timestamp":' .. int(ts) .. '}'
end

-- The latest started instance: highest order_id whose from_ms <= NOW.
-- Returns order_id (string), from_ms, to_ms (numbers), or nil.
local function latest_started()
  use_catalog()
  local start = 0
  while true do
    local orders = redis.call('ZREVRANGE', K_INSTANCES, start, start + 15)
    if #orders == 0 then return nil end
    for _, order in ipairs(orders) do
      local span = redis.call('HMGET', K_INSTANCE_PREFIX .. order, 'from_ms', 'to_ms')
      local from_ms, to_ms = tonumber(span[1]), tonumber(span[2])
      if from_ms <= NOW then return order, from_ms, to_ms end
    end
    start = start + 16
  end
end

-- The running instance (latest started and not yet at its to_ms), or nil.
local function active_instance()
  local order, from_ms, to_ms = latest_started()
  if order and NOW < to_ms then return order, from_ms, to_ms end
  return nil
end

-- When an instance that is no longer running stopped: at its to_ms, when the
-- next instance by order_id started, or now, whichever came first.
local function stopped_at(order)
  use_catalog()
  local stamp = math.min(NOW, tonumber(redis.call('HGET', K_INSTANCE_PREFIX .. order, 'to_ms')))
  local following = redis.call('ZRANGEBYSCORE', K_INSTANCES, '(' .. order, '+inf', 'LIMIT', 0, 1)
  if #following == 1 then
    local next_from = tonumber(redis.call('HGET', K_INSTANCE_PREFIX .. following[1], 'from_ms'))
    stamp = math.min(stamp, next_from)
  end
  return stamp
end

-- Write a timeout event, stamped `stamp`, for everyone still present in `order`,
-- but never before the user's join (a next instance may have been scheduled to
-- start before someone joined this one). Appends event id / record pairs to `out`.
local function close_instance(order, stamp, out)
  use_activity()
  local presence = K_PRESENCE_PREFIX .. order
  local inside = redis.call('ZRANGE', presence, 0, -1, 'WITHSCORES')
  for i = 1, #inside, 2 do
    local user_id = inside[i]
    local joined = cjson.decode(redis.call('HGET', K_EVENTS, inside[i + 1])).timestamp
    local id = redis.call('INCR', K_EVENT_SEQ)
    local record = event_json(user_id, order, TIMEOUT, math.max(stamp, joined))
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
  use_activity()
  local open = redis.call('SMEMBERS', K_OPEN)
  local keep_open = false
  if #open > 1 then
    table.sort(open, function(a, b) return tonumber(a) < tonumber(b) end)
  end
  for _, order in ipairs(open) do
    if order == keep then
      keep_open = true
    else
      close_instance(order, stopped_at(order), out)
    end
  end
  return keep_open
end

-- Write one join or leave event; returns its id and record.
local function write_event(user_id, order, event_type)
  use_activity()
  local id = redis.call('INCR', K_EVENT_SEQ)
  local record = event_json(user_id, order, event_type, NOW)
  redis.call('HSET', K_EVENTS, id, record)
  return id, record
end

local function meeting_exists()
  use_catalog()
  return redis.call('EXISTS', K_MEETING) == 1
end

-- Why there is no running instance: the meeting is missing, or nothing runs.
local function no_instance_error()
  if meeting_exists() then return fail('NO_ACTIVE_INSTANCE') end
  return fail('MEETING_NOT_FOUND')
end
