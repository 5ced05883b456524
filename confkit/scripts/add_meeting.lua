-- add_meeting: ARGV 4 meeting_id, 5 title, 6 description, 7 is_public ("1"/"0"),
-- 8.. normalised audience e-mails. Creates the meeting, or accepts an identical
-- repeat; a different meeting under the same id is refused. Returns 1 created, 0 same.
use(CATALOG_DB)
local meeting_id, title, description, is_public = ARGV[4], ARGV[5], ARGV[6], ARGV[7]
if redis.call('EXISTS', K_MEETING) == 1 then
  local have = redis.call('HMGET', K_MEETING, 'title', 'description', 'is_public')
  local same = have[1] == title and have[2] == description and have[3] == is_public
      and redis.call('SCARD', K_AUDIENCE) == #ARGV - 7
  for i = 8, #ARGV do
    same = same and redis.call('SISMEMBER', K_AUDIENCE, ARGV[i]) == 1
  end
  if same then return 0 end
  return fail('MEETING_EXISTS')
end
redis.call('HSET', K_MEETING, 'meeting_id', meeting_id, 'title', title,
           'description', description, 'is_public', is_public)
if #ARGV >= 8 then redis.call('SADD', K_AUDIENCE, unpack(ARGV, 8)) end
return 1
