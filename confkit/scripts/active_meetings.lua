-- active_meetings on a single server, in one call (read-mostly). KEYS 1 instances:by_end,
-- 2 instances:by_start. ARGV 4, 5: a meeting's catalog key before and after its id;
-- 6, 7, 8: the audience, instances and instance-prefix suffixes of that key; 9: how
-- many candidate meetings to check here (the rest go back to the caller, so no call
-- holds the server long). Builds key names from those parts, so it runs only where
-- every key is on this server (never on a cluster).
-- Moves instances of by_start that have started into by_end (scored by to_ms), then
-- checks each meeting with an instance in by_end not yet at its end.
-- Returns {unchecked meeting ids, then per running meeting: meeting_id, title,
-- description, is_public, audience (array), order_id, from_ms, to_ms}.
-- needs: running, state
use(CATALOG_DB)
local head, tail, audience, instances, instance = ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local limit = tonumber(ARGV[9])
local members = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. NOW_TEXT, '+inf')
local started = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', NOW_TEXT)
for _, member in ipairs(started) do
  local mid, order = string.match(member, '^(%d+):(%d+)$')
  local to_ms = redis.call('HGET', head .. mid .. tail .. instance .. order, 'to_ms')
  if to_ms then redis.call('ZADD', KEYS[1], 'LT', to_ms, member) end
  members[#members + 1] = member
end
if #started > 0 then redis.call('ZREM', KEYS[2], unpack(started)) end

-- Meeting ids in numeric order: sorted as numbers (no comparator: calling one per
-- comparison costs more than the rest of the script), kept as their own text.
local text_of, ids = {}, {}
for _, member in ipairs(members) do
  local mid = string.match(member, '^(%d+):')
  local n = tonumber(mid)
  if not text_of[n] then
    text_of[n] = mid
    ids[#ids + 1] = n
  end
end
table.sort(ids)

local out = {{}}
for i, n in ipairs(ids) do
  local mid = text_of[n]
  if i > limit then
    out[1][#out[1] + 1] = mid
  else
    local n = #out
    out[n + 1] = mid
    if not meeting_state(head .. mid .. tail, audience, instances, instance, out) then
      for j = #out, n + 1, -1 do out[j] = nil end  -- not running: take its fields back
    end
  end
end
return out
