"""Every Redis key name confkit uses, in one place.

Two logical stores:

* catalog (Redis db 0 on a single server): users, meetings, audiences, instances;
* activity (Redis db 1): events, messages, their counters and presence indexes.

Per-meeting keys carry the hash tag ``{m:<id>}`` and per-user keys ``{u:<id>}``, so
every atomic operation on a meeting touches a single Redis Cluster slot.  On a
cluster (which has only db 0) the ``catalog:`` and ``activity:`` prefixes keep the
two stores apart as namespaces.  ``docs/schema.md`` documents each key.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_NAMESPACE = "confkit"
CATALOG_DB = 0
ACTIVITY_DB = 1


@dataclass(frozen=True)
class Keys:
    """Key builder for one namespace (``confkit`` unless configured otherwise)."""

    namespace: str = DEFAULT_NAMESPACE

    # -- catalog store (db 0) -------------------------------------------------
    @property
    def catalog_prefix(self) -> str:
        return f"{self.namespace}:catalog:"

    @property
    def users(self) -> str:
        """ZSET user_id -> user_id: every user, in id order."""
        return f"{self.catalog_prefix}users"

    @property
    def meetings(self) -> str:
        """ZSET meeting_id -> meeting_id: every meeting, in id order."""
        return f"{self.catalog_prefix}meetings"

    @property
    def instances_by_end(self) -> str:
        """ZSET "meeting_id:order_id" -> to_ms of instances that have started: with
        by_start, the candidates for active_meetings."""
        return f"{self.catalog_prefix}instances:by_end"

    @property
    def instances_by_start(self) -> str:
        """ZSET "meeting_id:order_id" -> from_ms of instances not yet seen to start;
        moved into by_end once they have, so future ones cost the listings nothing."""
        return f"{self.catalog_prefix}instances:by_start"

    def meeting_key_parts(self) -> tuple[str, str, str, str, str]:
        """A meeting's catalog key before and after its id, then the suffixes of its
        audience, instances and instance-prefix keys: for a script that builds these
        names for many meetings (single server only)."""
        head, _, tail = self.meeting(0).rpartition("0")
        base = len(self.meeting(0))
        return head, tail, self.audience(0)[base:], self.instances(0)[base:], self.instance_prefix(0)[base:]

    def user_key_parts(self) -> tuple[str, str]:
        """A user's key before and after its id: for a script that reads many users
        (single server only)."""
        head, _, tail = self.user(0).rpartition("0")
        return head, tail

    def user(self, user_id: int) -> str:
        """HASH user_id, name, age, gender, email."""
        return f"{self.catalog_prefix}user:{{u:{user_id}}}"

    def meeting(self, meeting_id: int) -> str:
        """HASH meeting_id, title, description, is_public."""
        return f"{self.catalog_prefix}meeting:{{m:{meeting_id}}}"

    def audience(self, meeting_id: int) -> str:
        """SET of normalised (trimmed, lower-case) e-mail addresses."""
        return f"{self.meeting(meeting_id)}:audience"

    def instances(self, meeting_id: int) -> str:
        """ZSET order_id -> order_id: the meeting's instances."""
        return f"{self.meeting(meeting_id)}:instances"

    def instance_prefix(self, meeting_id: int) -> str:
        return f"{self.meeting(meeting_id)}:instance:"

    def instance(self, meeting_id: int, order_id: int) -> str:
        """HASH meeting_id, order_id, from_ms, to_ms."""
        return f"{self.instance_prefix(meeting_id)}{order_id}"

    # -- activity store (db 1) ------------------------------------------------
    @property
    def activity_prefix(self) -> str:
        return f"{self.namespace}:activity:"

    def activity(self, meeting_id: int) -> str:
        return f"{self.activity_prefix}meeting:{{m:{meeting_id}}}"

    def event_seq(self, meeting_id: int) -> str:
        """STRING: last event id issued in this meeting (INCR)."""
        return f"{self.activity(meeting_id)}:event_seq"

    def events(self, meeting_id: int) -> str:
        """HASH event_id -> JSON event record."""
        return f"{self.activity(meeting_id)}:events"

    def open_instances(self, meeting_id: int) -> str:
        """SET of order_ids that still have someone present."""
        return f"{self.activity(meeting_id)}:open"

    def presence_prefix(self, meeting_id: int) -> str:
        return f"{self.activity(meeting_id)}:present:"

    def presence(self, meeting_id: int, order_id: int) -> str:
        """ZSET user_id -> event_id of the join that opened the current session."""
        return f"{self.presence_prefix(meeting_id)}{order_id}"

    def message_seq(self, meeting_id: int) -> str:
        """STRING: last message id issued in this meeting (INCR)."""
        return f"{self.activity(meeting_id)}:message_seq"

    def messages(self, meeting_id: int) -> str:
        """HASH message_id -> JSON message record."""
        return f"{self.activity(meeting_id)}:messages"

    def message_texts(self, meeting_id: int) -> str:
        """HASH message_id -> the message text, stored byte for byte."""
        return f"{self.activity(meeting_id)}:messages:text"

    def messages_by_time(self, meeting_id: int) -> str:
        """ZSET message_id -> timestamp ms."""
        return f"{self.activity(meeting_id)}:messages:by_time"

    def user_messages_prefix(self, meeting_id: int) -> str:
        return f"{self.activity(meeting_id)}:messages:user:"

    def user_messages(self, meeting_id: int, user_id: int) -> str:
        """ZSET message_id -> timestamp ms, for one user in one meeting."""
        return f"{self.user_messages_prefix(meeting_id)}{user_id}"

    # -- meeting-export imports (confkit.importer, confkit.identity) ------------
    @property
    def identities_email(self) -> str:
        """HASH e-mail (trimmed, case-folded) -> user_id: who an address is."""
        return f"{self.catalog_prefix}{{imports}}:identities:email"

    @property
    def identities_name(self) -> str:
        """HASH name (suffixes removed, case-folded) -> "U1,U2": the users known by it."""
        return f"{self.catalog_prefix}{{imports}}:identities:name"

    @property
    def import_meetings(self) -> str:
        """HASH "ref\t<platform>\t<meeting_ref>" or "title\t<title>" -> meeting_id."""
        return f"{self.catalog_prefix}{{imports}}:meetings"

    @property
    def import_pending(self) -> str:
        """SET "M:O:token": imports committing or committed whose follow-up may be unfinished."""
        return f"{self.catalog_prefix}{{imports}}:pending"

    @property
    def import_user_seq(self) -> str:
        """STRING: last user id reserved by an import; in the slot of ``users``."""
        return f"{self.catalog_prefix}{{{self.users}}}:import_seq"

    @property
    def import_meeting_seq(self) -> str:
        """STRING: last meeting id reserved by an import; in the slot of ``meetings``."""
        return f"{self.catalog_prefix}{{{self.meetings}}}:import_seq"

    def import_fingerprints(self, meeting_id: int) -> str:
        """HASH content fingerprint -> order_id of the instance it was imported as."""
        return f"{self.activity(meeting_id)}:import:fingerprints"

    def import_instance(self, meeting_id: int, order_id: int) -> str:
        """HASH result, users, identities: what the import of that instance did."""
        return f"{self.activity(meeting_id)}:import:{order_id}"

    def import_sessions(self, meeting_id: int, order_id: int) -> str:
        """HASH join event_id -> {"user_id","segments","devices","line"}."""
        return f"{self.activity(meeting_id)}:import:{order_id}:sessions"

    def staging(self, meeting_id: int, token: str, live_key: str) -> str:
        """Where an import stages ``live_key`` (a key of this meeting) before commit."""
        suffix = live_key.removeprefix(self.activity(meeting_id))
        return f"{self.activity(meeting_id)}:staging:{token}{suffix}"

    # -- what a meeting script is given (the order scripts/common.lua expects) --
    def meeting_script_keys(self, meeting_id: int) -> list[str]:
        return [
            self.meeting(meeting_id),
            self.audience(meeting_id),
            self.instances(meeting_id),
            self.instance_prefix(meeting_id),
            self.event_seq(meeting_id),
            self.events(meeting_id),
            self.open_instances(meeting_id),
            self.presence_prefix(meeting_id),
            self.message_seq(meeting_id),
            self.messages(meeting_id),
            self.message_texts(meeting_id),
            self.messages_by_time(meeting_id),
            self.user_messages_prefix(meeting_id),
        ]

    # -- whole-namespace patterns (reset only, never an operation) ------------
    @property
    def all_pattern(self) -> str:
        return f"{self.namespace}:*"
