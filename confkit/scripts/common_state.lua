-- A meeting and its running instance, read only (helper for active_meetings and
-- meeting_state).

local NO_AUDIENCE = {}

-- Append title, description, is_public, audience (array), then (if an instance runs)
-- order_id, from_ms, to_ms of the meeting whose hash is given (its audience set,
-- instances zset and instance prefix are that key followed by the given suffixes)
-- to `out`; nothing when the meeting does not exist. Returns whether one runs. A
-- public meeting has no audience, so its set is not read.
local function meeting_state(meeting, audience, instances, prefix, out)
  use(CATALOG_DB)
  local f = redis.call('HMGET', meeting, 'title', 'description', 'is_public',
                       'last_order', 'last_from', 'last_to')
  if not f[3] then return false end
  local n = #out
  out[n + 1], out[n + 2], out[n + 3], out[n + 4] = f[1], f[2], f[3], NO_AUDIENCE
  if f[3] ~= '1' then out[n + 4] = redis.call('SMEMBERS', meeting .. audience) end
  local order, _, _, from_text, to_text = active_instance(meeting, instances, prefix, {f[4], f[5], f[6]})
  if not order then return false end
  out[n + 5], out[n + 6], out[n + 7] = order, from_text, to_text
  return true
end
