-- join_meeting: ARGV 4 user_id, 5 user's normalised e-mail ("" = read it from KEYS[14];
-- "@" = the user has none).
-- Returns "event_id:order_id": the event is the join, stamped NOW.
-- needs: running, timeouts
local user_id, email = ARGV[4], ARGV[5]
local meeting = redis.call('HMGET', K_MEETING, 'is_public', 'last_order', 'last_from', 'last_to')
local is_public = meeting[1]  -- nil: no such meeting
if email == '' then  -- a public meeting needs only that the user exists
  if is_public == '1' then
    if redis.call('EXISTS', K_USER) == 0 then return fail('USER_NOT_FOUND') end
  else
    local user = redis.call('HMGET', K_USER, 'user_id', 'email')
    if not user[1] then return fail('USER_NOT_FOUND') end
    email = user[2] or '@'  -- '@': no e-mail, in no audience
  end
end
if not is_public then return fail('MEETING_NOT_FOUND') end
if is_public ~= '1' and redis.call('SISMEMBER', K_AUDIENCE, string.lower(email)) == 0 then
  return fail('NOT_INVITED')
end
local order = active_instance(nil, nil, nil, {meeting[2], meeting[3], meeting[4]})
if not order then return fail('NO_ACTIVE_INSTANCE') end
use(ACTIVITY_DB)
local presence = K_PRESENCE_PREFIX .. order
local open = redis.call('SRANDMEMBER', K_OPEN, 2)
if #open == 0 or (#open == 1 and open[1] == order) then
  -- Nothing to sweep (the usual case): take the next event id and enter with it,
  -- unless inside already; then give the id back (someone inside means ids were
  -- issued, so the counter exists), and the refusal leaves the store as it was.
  local id = redis.call('INCR', K_EVENT_SEQ)
  if redis.call('ZADD', presence, 'NX', id, user_id) == 0 then
    redis.call('DECR', K_EVENT_SEQ)
    return fail('ALREADY_JOINED')
  end
  write_event(user_id, order, JOIN, NOW_TEXT, id)
  if #open == 0 then redis.call('SADD', K_OPEN, order) end
  return id .. ':' .. order
end

if redis.call('ZSCORE', presence, user_id) then return fail('ALREADY_JOINED') end
local already_open = sweep(order, {})
local id = write_event(user_id, order, JOIN, NOW_TEXT)
redis.call('ZADD', presence, id, user_id)
if not already_open then redis.call('SADD', K_OPEN, order) end
return id .. ':' .. order
