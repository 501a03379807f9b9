"""Arrivals in a room, told to the others in batches while it fills up.

Someone entering a room is told to everyone already there (`presence {room, joined: [...]}`). A
room filling with N people would cost N announcements to up to N clients each, N² events in all
(a 1,000-person room: half a million). So the first arrival is told at once and opens a window
(ROOMS_PRESENCE_BATCH seconds); those who arrive while it is open are told together when it
closes, and the window stays open while people keep arriving. Each process batches the arrivals it
accepted; the emits cross processes through the message queue like any other.

A departure is told at once (rooms.sockets) and first takes the person out of the open batch, so a
late `joined` never brings back someone who has left. Clients keep each person once by id: the
whole list a joiner gets and a batch that includes those it already lists agree.
"""
import threading

from civiclab.extensions import socketio
from civiclab.rooms.broadcast import NAMESPACE, channel


class Arrivals:
    def __init__(self, window):
        self.window = window  # seconds; 0: every arrival is told at once
        self._open = {}  # room id -> [{"id", "name"}] waiting for the window to close
        self._lock = threading.Lock()

    def arrived(self, room_id, user, skip_sid=None):
        """`user` ({"id", "name"}) entered `room_id`: tell the room now (all but `skip_sid`, the
        joiner, who has the whole list) or with the open batch."""
        with self._lock:
            if room_id in self._open:
                if all(known["id"] != user["id"] for known in self._open[room_id]):
                    self._open[room_id].append(user)
                return
            if self.window > 0:
                self._open[room_id] = []
            self._emit(room_id, [user], skip_sid)
        if self.window > 0:
            socketio.start_background_task(self._close_later, room_id)

    def departed(self, room_id, user_id, announce):
        """`user_id` left `room_id` (their last connection there): out of the open batch, then
        `announce()` (the `left` event), under the same lock as a batch's emit, so the two never
        cross."""
        with self._lock:
            if room_id in self._open:
                self._open[room_id] = [user for user in self._open[room_id] if user["id"] != user_id]
            announce()

    def flush(self, room_id):
        """Tell the room who arrived since the window opened; close it if nobody did. Returns
        whether it is still open."""
        with self._lock:
            batch = self._open.get(room_id)
            if not batch:
                self._open.pop(room_id, None)
                return False
            self._open[room_id] = []
            self._emit(room_id, batch)
            return True

    def _close_later(self, room_id):
        while True:
            socketio.sleep(self.window)
            if not self.flush(room_id):
                return

    @staticmethod
    def _emit(room_id, users, skip_sid=None):
        socketio.emit("presence", {"room": room_id, "joined": users}, to=channel(room_id), namespace=NAMESPACE,
                      skip_sid=skip_sid)


def init_arrivals(app):
    app.extensions["civiclab_rooms_arrivals"] = Arrivals(float(app.config.get("ROOMS_PRESENCE_BATCH") or 0))


def arrivals():
    from flask import current_app

    return current_app.extensions["civiclab_rooms_arrivals"]
