-- sweep: time out everyone left in instances that are no longer running.
-- Returns {timeout pairs...}.
-- needs: running, timeouts
local out = {}
sweep(active_instance() or '', out)
return out
