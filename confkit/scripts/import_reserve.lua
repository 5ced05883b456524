-- import_reserve (standalone): KEYS[1] an id index (users or meetings ZSET, score = id),
-- KEYS[2] the import's id counter in the same slot; ARGV 1 catalog db or "", 2 count.
-- Reserves `count` ids above every id in the index and every id reserved before;
-- returns the first.
if ARGV[1] ~= '' then redis.call('SELECT', ARGV[1]) end
local top = 0
local last = redis.call('ZREVRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #last == 2 then top = tonumber(last[2]) end
local seq = tonumber(redis.call('GET', KEYS[2]) or '0')
if seq > top then top = seq end
redis.call('SET', KEYS[2], string.format('%d', top + tonumber(ARGV[2])))
return top + 1
