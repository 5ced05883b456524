-- join_meeting: ARGV 4 user_id, 5 user's normalised e-mail ("" = read it from KEYS[14]).
-- Returns {event_id, record, timeout pairs...}.
local user_id, email = ARGV[4], ARGV[5]
if email == '' then
  use_catalog()
  email = redis.call('HGET', K_USER, 'email')
  if not email then return fail('USER_NOT_FOUND') end
  email = string.lower(email)
end
if not meeting_exists() then return fail('MEETING_NOT_FOUND') end
if redis.call('HGET', K_MEETING, 'is_public') ~= '1'
   and redis.call('SISMEMBER', K_AUDIENCE, email) == 0 then
  return fail('NOT_INVITED')
end
local order = active_instance()
if not order then return fail('NO_ACTIVE_INSTANCE') end
use_activity()
if redis.call('ZSCORE', K_PRESENCE_PREFIX .. order, user_id) then
  return fail('ALREADY_JOINED')
end

local out = {}
sweep(order, out)
local id, record = write_event(user_id, order, JOIN)
redis.call('ZADD', K_PRESENCE_PREFIX .. order, id, user_id)
redis.call('SADD', K_OPEN, order)
table.insert(out, 1, record)
table.insert(out, 1, id)
return out
