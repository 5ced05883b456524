-- add_instance: ARGV 4 meeting_id, 5 order_id, 6 from_ms, 7 to_ms.
-- Creates the instance, or accepts an identical repeat. Returns 1 created, 0 same.
-- needs: latest
use(CATALOG_DB)
if redis.call('EXISTS', K_MEETING) == 0 then return fail('MEETING_NOT_FOUND') end
local meeting_id, order, from_ms, to_ms = ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local key = K_INSTANCE_PREFIX .. order
if redis.call('EXISTS', key) == 1 then
  local have = redis.call('HMGET', key, 'from_ms', 'to_ms')
  if have[1] == from_ms and have[2] == to_ms then return 0 end
  return fail('INSTANCE_EXISTS')
end
redis.call('HSET', key, 'meeting_id', meeting_id, 'order_id', order,
           'from_ms', from_ms, 'to_ms', to_ms)
redis.call('ZADD', K_INSTANCES, order, order)
remember_latest()
return 1
