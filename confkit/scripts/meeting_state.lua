-- Meetings and their running instances, read only: for active_meetings.
-- KEYS: per meeting, its catalog hash, audience, instances zset and instance prefix
-- (the first four meeting script keys), ARGV[4] keys per meeting (default: all KEYS
-- are one meeting's). One call checks many meetings on a single server.
-- Returns one state per meeting (common_state.lua's meeting_state).
-- needs: running, state
local stride = tonumber(ARGV[4]) or #KEYS
local states = {}
for i = 1, #KEYS, stride do
  local n = #KEYS[i] + 1  -- the other three keys are the hash's key and a suffix
  states[#states + 1] = meeting_state(KEYS[i], KEYS[i + 1]:sub(n), KEYS[i + 2]:sub(n), KEYS[i + 3]:sub(n))
end
return states
