"""Every key a ConferenceApp owns, with its type and full value, for comparing stores."""

from __future__ import annotations

from typing import Any


def store_state(app: Any) -> dict[tuple[str, str], tuple[str, Any]]:
    """{(store, key without the namespace): (type, value)} over both stores, so two
    namespaces, or a store before and after a call, compare with ``==``."""
    out = {}
    for store, client in (("catalog", app.stores.catalog), ("activity", app.stores.activity)):
        for key in client.scan_iter(match=app.keys.all_pattern, count=1000):
            kind = client.type(key)
            if kind == "hash":
                value = client.hgetall(key)
            elif kind == "zset":
                value = client.zrange(key, 0, -1, withscores=True)
            elif kind == "set":
                value = sorted(client.smembers(key))
            else:
                value = client.get(key)
            out[(store, key.split(":", 1)[1])] = (kind, value)
    return out
