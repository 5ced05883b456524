-- Meetings and their running instances, read only: for active_meetings.
-- KEYS: per meeting, its catalog hash, audience, instances zset and instance prefix
-- (the first four meeting script keys), ARGV[4] keys per meeting (default: all KEYS
-- are one meeting's). One call checks many meetings on a single server.
-- Returns one state per meeting: {title, description, is_public, audience (array),
-- order_id, from_ms, to_ms}; the last three are absent when nothing runs; {} when
-- the meeting does not exist.
-- needs: running
local stride = tonumber(ARGV[4]) or #KEYS
local states = {}
for i = 1, #KEYS, stride do
  use(CATALOG_DB)
  local fields = redis.call('HMGET', KEYS[i], 'title', 'description', 'is_public')
  local state = {}
  if fields[3] then
    state = {fields[1], fields[2], fields[3], redis.call('SMEMBERS', KEYS[i + 1])}
    local order, from_ms, to_ms = active_instance(KEYS[i + 2], KEYS[i + 3])
    if order then
      state[5], state[6], state[7] = order, string.format('%d', from_ms), string.format('%d', to_ms)
    end
  end
  states[#states + 1] = state
end
return states
