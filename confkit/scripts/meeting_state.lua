-- The meeting and its running instance, read only.
-- Returns {title, description, is_public, audience (array), order_id, from_ms, to_ms};
-- the last three are absent when nothing runs; {} when the meeting does not exist.
use_catalog()
local fields = redis.call('HMGET', K_MEETING, 'title', 'description', 'is_public')
if not fields[3] then return {} end
local out = {fields[1], fields[2], fields[3], redis.call('SMEMBERS', K_AUDIENCE)}
local order, from_ms, to_ms = active_instance()
if order then
  out[5], out[6], out[7] = order, int(from_ms), int(to_ms)
end
return out
