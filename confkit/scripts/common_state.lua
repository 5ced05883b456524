-- A meeting and its running instance, read only (helper for active_meetings and
-- meeting_state).

-- {title, description, is_public, audience (array), order_id, from_ms, to_ms} of the
-- meeting whose hash is given (its audience set, instances zset and instance prefix
-- are that key followed by the given suffixes); the last three absent when nothing
-- runs; {} when the meeting does not exist. A public meeting has no audience, so its
-- set is not read; the copy of the latest instance usually answers the rest.
local function meeting_state(meeting, audience, instances, prefix)
  use(CATALOG_DB)
  local f = redis.call('HMGET', meeting, 'title', 'description', 'is_public',
                       'last_order', 'last_from', 'last_to')
  if not f[3] then return {} end
  local state = {f[1], f[2], f[3], {}}
  if f[3] ~= '1' then state[4] = redis.call('SMEMBERS', meeting .. audience) end
  local last_from = tonumber(f[5])
  if last_from and last_from <= NOW then
    if NOW < tonumber(f[6]) then state[5], state[6], state[7] = f[4], f[5], f[6] end
  else
    local order, _, _, from_text, to_text =
      active_instance(meeting, meeting .. instances, meeting .. prefix, {f[4], f[5], f[6]})
    if order then state[5], state[6], state[7] = order, from_text, to_text end
  end
  return state
end
