-- messages (standalone: run on the activity store, read only). KEYS 1 a message index
-- (messages:by_time or messages:user:U), 2 the records hash, 3 the texts hash;
-- ARGV 1, 2: the first and last rank to read (0-based, inclusive).
-- Returns {index size, ids, records, texts} for those ranks: the listings get a chunk
-- of messages in one round trip without sending their ids back and forth.
local ids = redis.call('ZRANGE', KEYS[1], ARGV[1], ARGV[2])
if #ids == 0 then return {redis.call('ZCARD', KEYS[1]), {}, {}, {}} end
return {redis.call('ZCARD', KEYS[1]), ids, redis.call('HMGET', KEYS[2], unpack(ids)),
        redis.call('HMGET', KEYS[3], unpack(ids))}
