"""Who is connected to each room, across processes: Redis with REDIS_URL, else this process's memory.

Both stores answer the same small interface. Connections are Socket.IO sids of the /rooms
namespace; a sid belongs to one user and may be in several rooms, a user may have several sids
(tabs, devices), at most ROOMS_MAX_SOCKETS_PER_USER at once. The store also answers "which sids does this user have", so that a user blocked
site-wide can be disconnected from every process, and "which sids were opened with this sign-in
session", so that a session ended elsewhere (a log-out) closes its sockets. It keeps each user's display name as of connect,
so that announcing presence needs no database (the disconnect handler may run inside another
request's context, e.g. when a block disconnects a user, and must not touch its session).

In Redis an entry lives `ttl` seconds unless refreshed: every process refreshes its own sids on
their events and from a background task, so a process that dies takes its entries with it.
"""
import threading
import time

ROOM_KEY = "{prefix}:room:{room_id}"  # sorted set of "sid|user_id|name", score = expiry (unix time)
USER_KEY = "{prefix}:user:{user_id}"  # sorted set of sids, score = expiry
SID_KEY = "{prefix}:sid:{sid}"  # set of room ids the sid joined (expires with the sid)
SESSION_KEY = "{prefix}:session:{session_id}"  # sorted set of sids opened with a sign-in session


class MemoryPresence:
    """One process: presence lives in dictionaries (development, tests)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._user_of = {}  # sid -> (user id, name)
        self._rooms_of = {}  # sid -> set of room ids
        self._sids_in = {}  # room id -> {sid: user id}
        self._session_of = {}  # sid -> sign-in session id

    def connect(self, sid, user_id, name, max_sids=None):
        """Record the connection; False (nothing recorded) when the user already has `max_sids`."""
        with self._lock:
            if max_sids is not None and sum(1 for owner, _ in self._user_of.values() if owner == user_id) >= max_sids:
                return False
            self._user_of[sid] = (user_id, name)
            self._rooms_of.setdefault(sid, set())
            return True

    def join(self, sid, room_id):
        with self._lock:
            if sid not in self._user_of:
                return
            self._rooms_of[sid].add(room_id)
            self._sids_in.setdefault(room_id, {})[sid] = self._user_of[sid]

    def leave(self, sid, room_id):
        """Remove `sid` from the room; True if it was there."""
        with self._lock:
            return self._leave(sid, room_id)

    def _leave(self, sid, room_id):
        self._rooms_of.get(sid, set()).discard(room_id)
        sids = self._sids_in.get(room_id, {})
        present = sids.pop(sid, None) is not None
        if not sids:
            self._sids_in.pop(room_id, None)
        return present

    def disconnect(self, sid):
        """Forget `sid`; returns the ids of the rooms it was in."""
        with self._lock:
            rooms = sorted(self._rooms_of.pop(sid, set()))
            for room_id in rooms:
                self._leave(sid, room_id)
            self._user_of.pop(sid, None)
            self._session_of.pop(sid, None)
            return rooms

    def users(self, room_id):
        """[{"id", "name"}] of the users present in the room, each once, by name."""
        with self._lock:
            return _distinct(self._sids_in.get(room_id, {}).values())

    def rooms_of(self, sid):
        with self._lock:
            return sorted(self._rooms_of.get(sid, set()))

    def sids_of(self, user_id):
        with self._lock:
            return sorted(sid for sid, (owner, _name) in self._user_of.items() if owner == user_id)

    def bind_session(self, sid, session_id):
        with self._lock:
            if sid in self._user_of:
                self._session_of[sid] = session_id

    def sids_of_session(self, session_id):
        with self._lock:
            return sorted(sid for sid, owner in self._session_of.items() if owner == session_id)

    def touch(self, sid):
        pass

    def start_refresher(self, socketio):
        pass

    def clear(self):
        with self._lock:
            self._user_of.clear()
            self._rooms_of.clear()
            self._sids_in.clear()
            self._session_of.clear()


class RedisPresence:
    """Several processes: presence in Redis, each entry expiring unless its process refreshes it."""

    def __init__(self, redis_url, prefix="civiclab:presence", ttl=90, client=None):
        import redis

        self.redis = client or redis.Redis.from_url(redis_url, decode_responses=True)
        self.prefix = prefix
        self.ttl = ttl
        self._local = {}  # this process's sids -> (user id, name): what its refresher keeps alive
        self._sessions = {}  # this process's sids -> sign-in session id
        self._touched = {}  # this process's sids -> when touch() last refreshed them (monotonic)
        self._lock = threading.Lock()
        self._refresher_started = False

    def _room_key(self, room_id):
        return ROOM_KEY.format(prefix=self.prefix, room_id=room_id)

    def _user_key(self, user_id):
        return USER_KEY.format(prefix=self.prefix, user_id=user_id)

    def _sid_key(self, sid):
        return SID_KEY.format(prefix=self.prefix, sid=sid)

    def _session_key(self, session_id):
        return SESSION_KEY.format(prefix=self.prefix, session_id=session_id)

    def _expiry(self):
        return time.time() + self.ttl

    def connect(self, sid, user_id, name, max_sids=None):
        """Record the connection; False (nothing recorded) when the user already has `max_sids`
        live connections on all processes together. Adding and counting are one MULTI, so two
        processes connecting the same user at once cannot both squeeze in."""
        key = self._user_key(user_id)
        pipe = self.redis.pipeline()  # transaction=True: MULTI … EXEC
        pipe.zremrangebyscore(key, "-inf", time.time())  # sids of processes that stopped refreshing
        pipe.zadd(key, {sid: self._expiry()})
        pipe.zcard(key)
        pipe.expire(key, self.ttl * 2)
        _, _, count, _ = pipe.execute()
        if max_sids is not None and count > max_sids:
            self.redis.zrem(key, sid)
            return False
        with self._lock:
            self._local[sid] = (user_id, name)
        return True

    @staticmethod
    def _member(sid, user):
        user_id, name = user
        return f"{sid}|{user_id}|{name}"

    def join(self, sid, room_id):
        user = self._local.get(sid)
        if user is None:
            return
        pipe = self.redis.pipeline()
        pipe.zadd(self._room_key(room_id), {self._member(sid, user): self._expiry()})
        pipe.expire(self._room_key(room_id), self.ttl * 2)
        pipe.sadd(self._sid_key(sid), room_id)
        pipe.expire(self._sid_key(sid), self.ttl)
        pipe.execute()

    def leave(self, sid, room_id):
        user = self._local.get(sid)
        if user is None:
            return False
        pipe = self.redis.pipeline()
        pipe.zrem(self._room_key(room_id), self._member(sid, user))
        pipe.srem(self._sid_key(sid), room_id)
        removed, _ = pipe.execute()
        return bool(removed)

    def disconnect(self, sid):
        with self._lock:
            user = self._local.pop(sid, None)
            session_id = self._sessions.pop(sid, None)
            self._touched.pop(sid, None)
        if session_id is not None:
            self.redis.zrem(self._session_key(session_id), sid)
        if user is None:
            return []
        rooms = sorted(int(room_id) for room_id in self.redis.smembers(self._sid_key(sid)))
        pipe = self.redis.pipeline()
        for room_id in rooms:
            pipe.zrem(self._room_key(room_id), self._member(sid, user))
        pipe.zrem(self._user_key(user[0]), sid)
        pipe.delete(self._sid_key(sid))
        pipe.execute()
        return rooms

    def users(self, room_id):
        key, now = self._room_key(room_id), time.time()
        pipe = self.redis.pipeline()
        pipe.zremrangebyscore(key, "-inf", now)  # entries of processes that stopped refreshing
        pipe.zrangebyscore(key, now, "+inf")
        _, members = pipe.execute()
        users = []
        for member in members:
            _sid, user_id, name = member.split("|", 2)
            users.append((int(user_id), name))
        return _distinct(users)

    def rooms_of(self, sid):
        return sorted(int(room_id) for room_id in self.redis.smembers(self._sid_key(sid)))

    def sids_of(self, user_id):
        return sorted(self.redis.zrangebyscore(self._user_key(user_id), time.time(), "+inf"))

    def bind_session(self, sid, session_id):
        with self._lock:
            if sid not in self._local:
                return
            self._sessions[sid] = session_id
        self._refresh_sessions({sid: session_id})

    def _refresh_sessions(self, sessions):
        expiry = self._expiry()
        pipe = self.redis.pipeline()
        for sid, session_id in sessions.items():
            pipe.zadd(self._session_key(session_id), {sid: expiry})
            pipe.expire(self._session_key(session_id), self.ttl * 2)
        pipe.execute()

    def sids_of_session(self, session_id):
        return sorted(self.redis.zrangebyscore(self._session_key(session_id), time.time(), "+inf"))

    def touch(self, sid):
        """Keep `sid`'s entries alive (called on its events): at most once a third of the ttl per
        sid, as the refresher does, so a busy writer's messages cost no Redis round trip each."""
        user = self._local.get(sid)
        now = time.monotonic()
        if user is not None and now - self._touched.get(sid, 0.0) >= self.ttl / 3:
            self._touched[sid] = now
            self._refresh({sid: user})

    def _refresh(self, sids):
        expiry = self._expiry()
        rooms_of = {}
        pipe = self.redis.pipeline()
        for sid in sids:
            pipe.smembers(self._sid_key(sid))
        for sid, rooms in zip(sids, pipe.execute()):
            rooms_of[sid] = rooms
        pipe = self.redis.pipeline()
        for sid, user in sids.items():
            pipe.zadd(self._user_key(user[0]), {sid: expiry})
            pipe.expire(self._user_key(user[0]), self.ttl * 2)
            for room_id in rooms_of[sid]:
                pipe.zadd(self._room_key(room_id), {self._member(sid, user): expiry}, xx=True)
                pipe.expire(self._room_key(room_id), self.ttl * 2)
            if rooms_of[sid]:
                pipe.expire(self._sid_key(sid), self.ttl)
        pipe.execute()

    def refresh_local(self):
        with self._lock:
            sids = dict(self._local)
            sessions = dict(self._sessions)
        if sids:
            self._refresh(sids)
        if sessions:
            self._refresh_sessions(sessions)

    def start_refresher(self, socketio):
        """Refresh this process's sids every third of the ttl, in a Socket.IO background task."""
        with self._lock:
            if self._refresher_started:
                return
            self._refresher_started = True

        def loop():
            while True:
                socketio.sleep(self.ttl / 3)
                try:
                    self.refresh_local()
                except Exception:  # Redis away for a moment: entries expire, the next round restores them
                    socketio.server.logger.exception("presence refresh failed")

        socketio.start_background_task(loop)

    def clear(self):
        for key in self.redis.scan_iter(f"{self.prefix}:*"):
            self.redis.delete(key)


def _distinct(users):
    """(id, name) pairs -> [{"id", "name"}], one per user, ordered by name then id."""
    by_id = dict(users)
    return [{"id": user_id, "name": name}
            for user_id, name in sorted(by_id.items(), key=lambda item: (item[1].casefold(), item[0]))]


def with_user(users, user_id, name):
    """`users` (as a store's users() lists them) with one more person, in the same order."""
    return _distinct([(user["id"], user["name"]) for user in users] + [(user_id, name)])


def make_presence(config):
    if config.get("REDIS_URL"):
        return RedisPresence(config["REDIS_URL"], prefix=config.get("ROOMS_PRESENCE_PREFIX", "civiclab:presence"),
                             ttl=config.get("ROOMS_PRESENCE_TTL", 90))
    return MemoryPresence()


def init_presence(app):
    app.extensions["civiclab_rooms_presence"] = make_presence(app.config)


def presence_store():
    """The presence store of the current app."""
    from flask import current_app

    return current_app.extensions["civiclab_rooms_presence"]
