-- join_meeting: ARGV 4 user_id, 5 user's normalised e-mail ("" = read it from KEYS[14];
-- "@" = the user has none).
-- Returns {event_id, order_id}: the event is the join, stamped NOW.
-- needs: running, timeouts
local user_id, email = ARGV[4], ARGV[5]
if email == '' then
  local user = redis.call('HMGET', K_USER, 'user_id', 'email')
  if not user[1] then return fail('USER_NOT_FOUND') end
  email = user[2] or '@'  -- '@': no e-mail, in no audience
end
local meeting = redis.call('HMGET', K_MEETING, 'is_public', 'last_order', 'last_from', 'last_to')
local is_public = meeting[1]  -- nil: no such meeting
if not is_public then return fail('MEETING_NOT_FOUND') end
if is_public ~= '1' and redis.call('SISMEMBER', K_AUDIENCE, string.lower(email)) == 0 then
  return fail('NOT_INVITED')
end
local order = active_instance(nil, nil, nil, {meeting[2], meeting[3], meeting[4]})
if not order then return fail('NO_ACTIVE_INSTANCE') end
use(ACTIVITY_DB)
local presence = K_PRESENCE_PREFIX .. order
if redis.call('ZSCORE', presence, user_id) then return fail('ALREADY_JOINED') end

local already_open = sweep(order, {})
local id = write_event(user_id, order, JOIN, NOW_TEXT)
redis.call('ZADD', presence, id, user_id)
if not already_open then redis.call('SADD', K_OPEN, order) end
return {id, order}
