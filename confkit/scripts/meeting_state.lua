-- Meetings and their running instances, read only: for active_meetings.
-- KEYS: per meeting, its catalog hash, audience, instances zset and instance prefix
-- (the first four meeting script keys), ARGV[4] keys per meeting (default: all KEYS
-- are one meeting's). One call checks many meetings on a single server.
-- Returns one state per meeting (common_state.lua's meeting_state).
-- needs: running, state
local stride = tonumber(ARGV[4]) or #KEYS
local states = {}
for i = 1, #KEYS, stride do
  states[#states + 1] = meeting_state(KEYS[i], KEYS[i + 1], KEYS[i + 2], KEYS[i + 3])
end
return states
