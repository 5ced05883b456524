-- Meetings and their running instances, read only: for active_meetings.
-- KEYS: per meeting, its catalog hash, audience, instances zset and instance prefix
-- (the first four meeting script keys), ARGV[4] keys per meeting (default: all KEYS
-- are one meeting's). One call checks many meetings on a single server.
-- Returns one state per meeting: the fields common_state.lua's meeting_state
-- appends (none when the meeting does not exist, four when nothing runs, else seven).
-- needs: running, state
local stride = tonumber(ARGV[4]) or #KEYS
local states = {}
for i = 1, #KEYS, stride do
  local n = #KEYS[i] + 1  -- the other three keys are the hash's key and a suffix
  local state = {}
  meeting_state(KEYS[i], KEYS[i + 1]:sub(n), KEYS[i + 2]:sub(n), KEYS[i + 3]:sub(n), state)
  states[#states + 1] = state
end
return states
