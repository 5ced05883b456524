-- Shared prologue of every meeting script (prepended when a script is loaded; the
-- helper files a script names on its "-- needs:" line follow it).
--
-- KEYS (same order for every meeting script, built by Keys.meeting_script_keys):
--   1 catalog meeting hash      2 audience set          3 instances zset
--   4 instance key prefix       5 event_seq             6 events hash
--   7 open-instances set        8 presence key prefix   9 message_seq
--  10 messages hash            11 message texts hash   12 messages by time
--  13 per-user messages prefix 14 user hash (single server only, else absent)
-- The prefixes are key names without their suffix: they carry the meeting's hash
-- tag, so every key derived from them lives in the same cluster slot.
-- ARGV: 1 catalog db, 2 activity db ("" on a cluster, where there is only db 0),
--       3 now (epoch ms), then script-specific arguments.
--
-- Every redis.call costs the server about as much as the rest of a short script, and
-- every function defined at the top level is built again on each call, so scripts
-- make few calls, load only the helpers they use, and build the ones needed on a rare
-- path only on that path.

local K_MEETING, K_AUDIENCE, K_INSTANCES, K_INSTANCE_PREFIX = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local K_EVENT_SEQ, K_EVENTS, K_OPEN, K_PRESENCE_PREFIX = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local K_MESSAGE_SEQ, K_USER = KEYS[9], KEYS[14]
local CATALOG_DB, ACTIVITY_DB = ARGV[1], ARGV[2]
local NOW_TEXT = ARGV[3]
local NOW = tonumber(NOW_TEXT)

-- The db this script has selected. Scripts run on the catalog store's connection
-- (Stores.script_client), so they start in the catalog db.
local selected_db = CATALOG_DB

local function use(db)
  if db ~= selected_db then
    redis.call('SELECT', db)
    selected_db = db
  end
end

-- Refuse with CONFKIT_<code>; with `in_meeting`, MEETING_NOT_FOUND instead when the
-- meeting does not exist (only a refusal looks that up: a meeting with someone
-- inside or a running instance exists).
local function fail(code, in_meeting)
  if in_meeting then
    use(CATALOG_DB)
    if redis.call('EXISTS', K_MEETING) == 0 then code = 'MEETING_NOT_FOUND' end
  end
  return redis.error_reply('CONFKIT_' .. code)
end
