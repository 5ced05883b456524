-- change_audience: ARGV 4 "add" or "remove", 5.. normalised e-mails.
-- Only private meetings have an audience. Returns the audience size after the change.
use(CATALOG_DB)
local is_public = redis.call('HGET', K_MEETING, 'is_public')
if not is_public then return fail('MEETING_NOT_FOUND') end
if is_public == '1' then return fail('MEETING_IS_PUBLIC') end
if ARGV[4] == 'add' then
  redis.call('SADD', K_AUDIENCE, unpack(ARGV, 5))
else
  redis.call('SREM', K_AUDIENCE, unpack(ARGV, 5))
end
return redis.call('SCARD', K_AUDIENCE)
