-- add_user (standalone: KEYS[1] user hash; ARGV 1 catalog db or "", 2.. field/value pairs).
-- Creates the user, or accepts an identical repeat; a different user under the same
-- id is refused. Returns 1 created, 0 already there.
if ARGV[1] ~= '' then redis.call('SELECT', ARGV[1]) end
if redis.call('EXISTS', KEYS[1]) == 1 then
  if redis.call('HLEN', KEYS[1]) ~= (#ARGV - 1) / 2 then
    return redis.error_reply('CONFKIT_USER_EXISTS')  -- a field more or less (unknown age, ...)
  end
  for i = 2, #ARGV, 2 do
    if redis.call('HGET', KEYS[1], ARGV[i]) ~= ARGV[i + 1] then
      return redis.error_reply('CONFKIT_USER_EXISTS')
    end
  end
  return 0
end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return 1
