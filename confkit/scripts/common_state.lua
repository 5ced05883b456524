-- A meeting and its running instance, read only (helper for active_meetings and
-- meeting_state).

-- {title, description, is_public, audience (array), order_id, from_ms, to_ms} of the
-- meeting whose hash, audience set, instances zset and instance prefix are given;
-- the last three absent when nothing runs; {} when the meeting does not exist. A
-- public meeting has no audience, so its set is not read.
local function meeting_state(meeting, audience, instances, prefix)
  use(CATALOG_DB)
  local fields = redis.call('HMGET', meeting, 'title', 'description', 'is_public',
                            'last_order', 'last_from', 'last_to')
  if not fields[3] then return {} end
  local state = {fields[1], fields[2], fields[3], {}}
  if fields[3] ~= '1' then state[4] = redis.call('SMEMBERS', audience) end
  local order, from_ms, to_ms = active_instance(meeting, instances, prefix, {fields[4], fields[5], fields[6]})
  if order then
    state[5], state[6], state[7] = order, string.format('%d', from_ms), string.format('%d', to_ms)
  end
  return state
end
