-- meeting_messages / user_messages: read only. ARGV 4 user_id or "" for everyone.
-- Returns {message_id, record, text, ...} in timestamp order.
if not meeting_exists() then return fail('MEETING_NOT_FOUND') end
use_activity()
local index = K_MESSAGES_BY_TIME
if ARGV[4] ~= '' then index = K_USER_MESSAGES_PREFIX .. ARGV[4] end
local ids = redis.call('ZRANGE', index, 0, -1)
local out = {}
local chunk = 1000  -- unpack() has a stack limit of a few thousand values
for first = 1, #ids, chunk do
  local part = {unpack(ids, first, math.min(first + chunk - 1, #ids))}
  local records = redis.call('HMGET', K_MESSAGES, unpack(part))
  local texts = redis.call('HMGET', K_TEXTS, unpack(part))
  for i, id in ipairs(part) do
    out[#out + 1] = id
    out[#out + 1] = records[i]
    out[#out + 1] = texts[i]
  end
end
return out
