// A room, live: the page (templates/rooms/room.html) is complete without this script; with it the
// form sends through the /rooms Socket.IO namespace, messages arrive as they are written, and the
// people present and who is typing are shown. Protocol: README, "Stanze in tempo reale".
//
// - Each message carries a key (crypto.randomUUID()); a retry resends the same key, so a message
//   whose acknowledgement was lost is stored once, and the stored id replaces the optimistic copy.
// - Every (re)connection joins again with the last id seen: the server replays what was missed,
//   and messages are deduplicated by id.
// - payload.html is sanitised on the server: it goes, as HTML, only into the message body element;
//   names and everything else are set as text.
(function () {
  "use strict";

  var root = document.getElementById("room");
  if (!root || root.dataset.live !== "1" || !root.dataset.userId || typeof window.io !== "function") {
    return;  // an older page of history, an anonymous visitor, or no client: the page as drawn
  }

  var ACK_TIMEOUT_MS = 10000;
  var TYPING_EVERY_MS = 2500;
  var TYPING_SHOWN_MS = 4000;
  var READ_EVERY_MS = 2000;
  var MESSAGE_MAX = 2000;

  var strings = JSON.parse(document.getElementById("room-strings").textContent);
  var roomId = Number(root.dataset.roomId);
  var userId = Number(root.dataset.userId);
  var userName = root.dataset.userName;
  var canModerate = root.dataset.canModerate === "1";
  var lastId = Number(root.dataset.lastId) || 0;
  var locale = root.dataset.locale === "en" ? "en-GB" : "it-IT";

  var list = document.getElementById("room-messages");
  var empty = document.getElementById("room-empty");
  var form = document.getElementById("room-form");
  var fieldset = document.getElementById("room-fieldset");
  var textarea = document.getElementById("room-body");
  var refusalBox = document.getElementById("room-refusal");
  var alerts = document.getElementById("room-alerts");
  var announcer = document.getElementById("room-announcer");
  var typingLine = document.getElementById("room-typing");
  var connectionLine = document.getElementById("room-connection");
  var presenceList = document.getElementById("room-presence");
  var lockedBox = document.getElementById("room-locked");
  var lockedReason = document.getElementById("room-locked-reason");
  var moderationTemplate = document.getElementById("room-moderation-template");
  var reportTemplate = document.getElementById("room-report-template");

  var timeFormat = new Intl.DateTimeFormat(locale, {dateStyle: "short", timeStyle: "short", timeZone: "Europe/Rome"});
  var pending = {};  // key -> {body, element}: optimistic copies waiting for their stored id
  var joining = false;  // replayed messages are not announced one by one

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
    });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function newKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    // Pages served over plain HTTP (not localhost) have no randomUUID: 128 random bits instead.
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  // ---- alerts and announcements --------------------------------------------------------------

  function showAlert(message) {
    var box = element("div", "alert alert-danger alert-dismissible", message);
    var close = element("button", "btn-close");
    close.type = "button";
    close.setAttribute("aria-label", strings.close);
    close.addEventListener("click", function () { box.remove(); });
    box.appendChild(close);
    alerts.replaceChildren(box);
  }

  function announce(text) {
    var line = element("p", null, text);
    announcer.appendChild(line);
    while (announcer.childElementCount > 3) {
      announcer.firstElementChild.remove();
    }
  }

  function setConnection(text) {
    connectionLine.textContent = text || "";
    connectionLine.hidden = !text;
  }

  // ---- the list of messages ------------------------------------------------------------------

  function nearBottom() {
    return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  }

  function toBottom() {
    list.scrollTop = list.scrollHeight;
  }

  function placeholder(payload) {
    var text = payload && payload.erased ? strings.erased : strings.deleted;
    return element("p", "cl-room-deleted fst-italic text-muted mb-0", text);
  }

  function reportControls(payload) {
    // "Segnala" under others' messages that arrive live (the page draws it under the others).
    if (!reportTemplate || payload.author.id === userId) {
      return null;
    }
    var copy = reportTemplate.content.cloneNode(true);
    copy.querySelectorAll("[action], [id], [for]").forEach(function (node) {
      ["action", "id", "for"].forEach(function (name) {
        var value = node.getAttribute(name);
        if (value) {
          node.setAttribute(name, value.replace(/__MID__/g, String(payload.id)));
        }
      });
    });
    return copy;
  }

  function sendReport(event) {
    // A report form under a message: through the socket when connected, else the form POSTs.
    var form = event.target;
    var item = form.closest && form.closest(".cl-room-message");
    if (!item || !form.closest(".cl-room-report") || !socket.connected) {
      return;
    }
    event.preventDefault();
    var reason = form.querySelector("textarea").value;
    socket.emit("report", {room: roomId, id: Number(item.dataset.id), reason: reason}, function (ack) {
      if (ack && ack.ok) {
        var done = element("p", "small text-muted mb-0", strings.reported);
        form.closest(".cl-room-report").replaceWith(done);
        announce(ack.message || strings.reported);
      } else {
        showAlert((ack && ack.error && ack.error.message) || strings.failed);
      }
    });
  }

  function moderationControls(payload) {
    if (!canModerate || !moderationTemplate) {
      return null;
    }
    var copy = moderationTemplate.content.cloneNode(true);
    copy.querySelectorAll("[action], [id], [for]").forEach(function (node) {
      ["action", "id", "for"].forEach(function (name) {
        var value = node.getAttribute(name);
        if (value) {
          node.setAttribute(name, value.replace(/__MID__/g, String(payload.id)).replace(/__UID__/g, String(payload.author.id)));
        }
      });
    });
    if (payload.author.id === userId) {
      var mute = copy.querySelectorAll("details")[1];  // nobody mutes themselves
      if (mute) {
        mute.remove();
      }
    }
    return copy;
  }

  function messageElement(payload) {
    var own = payload.author.id === userId;
    var item = element("li", "cl-room-message" + (own ? " is-own" : ""));
    item.id = "messaggio-" + payload.id;
    item.dataset.id = String(payload.id);
    var meta = element("p", "cl-room-meta mb-1");
    var time = element("time", null, timeFormat.format(new Date(payload.created_at)));
    time.dateTime = payload.created_at;
    meta.append(element("strong", "cl-room-author", payload.author.name), " ", time, " ", element("span", "cl-room-state"));
    item.appendChild(meta);
    if (payload.deleted) {
      item.appendChild(placeholder(payload));
    } else {
      var body = element("div", "cl-room-body cl-user-html");
      body.innerHTML = payload.html;  // sanitised by the server (core/sanitize.py), never re-escaped
      item.appendChild(body);
      var controls = moderationControls(payload) || reportControls(payload);
      if (controls) {
        item.appendChild(controls);
      }
    }
    return item;
  }

  // Stored messages in id order; optimistic copies (no id yet) stay after them.
  function insertInOrder(item, id) {
    var before = null;
    for (var child = list.firstElementChild; child; child = child.nextElementSibling) {
      if (!child.dataset.id || Number(child.dataset.id) > id) {
        before = child;
        break;
      }
    }
    list.insertBefore(item, before);
    empty.hidden = true;
  }

  function markDeleted(item) {
    item.querySelectorAll(".cl-room-body, .cl-room-moderation").forEach(function (node) { node.remove(); });
    if (!item.querySelector(".cl-room-deleted")) {
      item.appendChild(placeholder());
    }
  }

  function plainText(html) {
    var scratch = document.createElement("template");
    scratch.innerHTML = html;
    var text = (scratch.content.textContent || "").replace(/\s+/g, " ").trim();
    return text.length > 140 ? text.slice(0, 139) + "…" : text;
  }

  // One stored message, from a broadcast, a replay or an acknowledgement: shown once.
  function receive(payload) {
    if (!payload || payload.room !== roomId || typeof payload.id !== "number") {
      return;
    }
    lastId = Math.max(lastId, payload.id);
    var existing = document.getElementById("messaggio-" + payload.id);
    if (existing) {
      if (payload.deleted) {
        markDeleted(existing);
      }
      return;
    }
    var stick = nearBottom();
    var mine = payload.author.id === userId;
    var waiting = mine && payload.key ? pending[payload.key] : null;
    var item = messageElement(payload);
    if (waiting) {
      delete pending[payload.key];
      waiting.element.remove();
      item.querySelector(".cl-room-state").textContent = strings.sent;
    }
    insertInOrder(item, payload.id);
    if (!mine && !joining && !payload.deleted) {
      announce(fill(strings.new_message, {name: payload.author.name}) + ": " + plainText(payload.html));
    }
    if (stick || mine) {
      toBottom();
    }
    sendRead();
  }

  // ---- sending -------------------------------------------------------------------------------

  function setState(entry, state) {
    var item = entry.element;
    var stateNode = item.querySelector(".cl-room-state");
    item.classList.toggle("is-failed", state === "failed");
    stateNode.replaceChildren(document.createTextNode(strings[state]));
    if (state === "failed") {
      var retry = element("button", "btn btn-xs btn-outline-primary ms-2", strings.retry);
      retry.type = "button";
      retry.addEventListener("click", function () { send(entry.key); });
      stateNode.appendChild(retry);
    }
  }

  function optimisticCopy(key, body) {
    var item = element("li", "cl-room-message is-own is-pending");
    item.dataset.key = key;
    var meta = element("p", "cl-room-meta mb-1");
    meta.append(element("strong", "cl-room-author", userName), " ", element("span", "cl-room-state"));
    item.append(meta, element("div", "cl-room-body", body));  // as typed, as text
    list.appendChild(item);
    empty.hidden = true;
    toBottom();
    return item;
  }

  function send(key) {
    var entry = pending[key];
    if (!entry) {
      return;
    }
    setState(entry, "sending");
    socket.timeout(ACK_TIMEOUT_MS).emit("message", {room: roomId, body: entry.body, key: key}, function (err, ack) {
      if (!pending[key]) {
        return;  // the broadcast came first and settled it
      }
      if (err) {
        setState(entry, "failed");  // no answer: retrying with the same key cannot store twice
      } else if (ack && ack.ok) {
        receive(ack.message);
      } else {
        setState(entry, "failed");
        var error = (ack && ack.error) || {};
        showAlert(error.message || strings.failed);
        if (["locked", "muted", "blocked", "forbidden"].indexOf(error.code) >= 0) {
          setWritable(false, error.message);
        }
      }
    });
  }

  function submit() {
    var body = textarea.value.trim();
    if (!body) {
      showAlert(strings.empty);
      return;
    }
    if (body.length > MESSAGE_MAX) {
      showAlert(strings.too_long);
      return;
    }
    alerts.replaceChildren();
    var key = newKey();
    pending[key] = {key: key, body: body, element: optimisticCopy(key, body)};
    textarea.value = "";
    textarea.focus();
    send(key);
  }

  function setWritable(writable, reason) {
    if (!fieldset) {
      return;
    }
    fieldset.disabled = !writable;
    if (refusalBox) {
      refusalBox.textContent = writable ? "" : (reason || "");
      refusalBox.hidden = writable || !reason;
    }
  }

  function setLocked(locked, reason) {
    lockedBox.hidden = !locked;
    lockedReason.textContent = locked && reason ? fill(strings.reason, {reason: reason}) : "";
  }

  // ---- typing, read markers, presence ----------------------------------------------------------

  var lastTypingSent = 0;
  function typed() {
    var now = Date.now();
    if (now - lastTypingSent >= TYPING_EVERY_MS && socket.connected) {
      lastTypingSent = now;
      socket.emit("typing", {room: roomId});
    }
  }

  var typingNow = {};  // user id -> {name, timer}
  function showTyping() {
    var names = Object.keys(typingNow).map(function (id) { return typingNow[id].name; });
    typingLine.textContent = names.length === 0 ? "" :
      names.length === 1 ? fill(strings.typing, {name: names[0]}) : strings.typing_many;
  }

  function someoneTyping(data) {
    if (!data || data.room !== roomId || !data.user || data.user.id === userId) {
      return;
    }
    var id = String(data.user.id);
    if (typingNow[id]) {
      clearTimeout(typingNow[id].timer);
    }
    typingNow[id] = {name: data.user.name, timer: setTimeout(function () {
      delete typingNow[id];
      showTyping();
    }, TYPING_SHOWN_MS)};
    showTyping();
  }

  var readSent = 0;
  var readTimer = null;
  function sendRead() {
    if (document.visibilityState !== "visible" || readSent >= lastId || !socket.connected) {
      return;
    }
    if (readTimer) {
      return;
    }
    readTimer = setTimeout(function () {
      readTimer = null;
      if (socket.connected && lastId > readSent) {
        readSent = lastId;
        socket.emit("read", {room: roomId, last_id: lastId});
      }
    }, READ_EVERY_MS);
  }

  // Presence: the whole list when this tab joins, then one arrival or departure at a time.
  var present = [];

  function showPresence(data) {
    if (!data || data.room !== roomId) {
      return;
    }
    if (Array.isArray(data.users)) {
      present = data.users.slice();
    } else if (data.joined && !present.some(function (user) { return user.id === data.joined.id; })) {
      present.push(data.joined);
      present.sort(function (a, b) { return a.name.localeCompare(b.name); });
    } else if (data.left) {
      present = present.filter(function (user) { return user.id !== data.left.id; });
    } else {
      return;
    }
    presenceList.replaceChildren();
    present.forEach(function (user) {
      var item = element("li", null, user.name);
      if (user.id === userId) {
        item.appendChild(element("span", "text-muted", " (" + strings.you + ")"));
      }
      presenceList.appendChild(item);
    });
    if (present.every(function (user) { return user.id === userId; })) {
      presenceList.appendChild(element("li", "text-muted small", strings.nobody));
    }
  }

  // ---- the connection --------------------------------------------------------------------------

  var socket = window.io("/rooms", {
    transports: ["websocket", "polling"],
    tryAllTransports: true,  // a proxy without WebSocket: long-polling instead
    reconnection: true,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 30000,
    randomizationFactor: 0.5,
  });

  function join() {
    joining = true;
    socket.timeout(ACK_TIMEOUT_MS).emit("join", {room: roomId, after: lastId}, function (err, ack) {
      joining = false;
      if (err) {
        return;  // the next reconnection joins again
      }
      if (!ack || !ack.ok) {
        showAlert((ack && ack.error && ack.error.message) || strings.refused);
        return;
      }
      setConnection("");
      setLocked(ack.locked, ack.lock_reason);
      setWritable(ack.can_write, ack.reason && ack.reason.message);
      // Copies that never got an answer: resent with their own key (stored at most once).
      Object.keys(pending).forEach(function (key) {
        if (pending[key].element.classList.contains("is-failed")) {
          send(key);
        }
      });
      sendRead();
    });
  }

  socket.on("connect", join);
  socket.on("disconnect", function (reason) {
    if (reason !== "io client disconnect") {
      setConnection(strings.offline);
    }
  });
  socket.on("connect_error", function (error) {
    if (!socket.active) {  // refused by the server (signed out, blocked): it will not retry
      var data = error && error.data;
      setConnection("");
      showAlert((data && data.message) || strings.refused);
      setWritable(false, data && data.message);
    } else {
      setConnection(strings.offline);
    }
  });
  socket.on("message", receive);
  socket.on("message_deleted", function (data) {
    var item = data && data.room === roomId && document.getElementById("messaggio-" + data.id);
    if (item) {
      markDeleted(item);
    }
  });
  socket.on("room_locked", function (data) {
    if (!data || data.room !== roomId) {
      return;
    }
    setLocked(data.locked, data.reason);
    announce(data.locked ? strings.locked : strings.unlocked);
    join();  // asks again whether this user may write now (a moderator still may)
  });
  socket.on("presence", showPresence);
  socket.on("typing", someoneTyping);
  socket.on("error", function (data) {
    // Refusals of this client's own events come back in their acknowledgements too.
    if (!data || data.event || (data.room && data.room !== roomId)) {
      return;
    }
    var message = data.message;
    if (data.code === "muted" && data.until) {
      message = fill(strings.muted, {time: timeFormat.format(new Date(data.until))}) +
        (data.message ? " " + fill(strings.reason, {reason: data.message}) : "");
    }
    showAlert(message);
    if (["muted", "blocked", "session_ended"].indexOf(data.code) >= 0) {
      setWritable(false, message);
    }
  });

  // ---- the page ---------------------------------------------------------------------------------

  setConnection(strings.connecting);
  toBottom();
  if (form) {
    document.getElementById("room-keys-help").hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();  // sent through the socket; without this script the form POSTs
      submit();
    });
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey &&
          !event.isComposing) {
        event.preventDefault();
        submit();
      }
    });
    textarea.addEventListener("input", typed);
  }
  list.addEventListener("submit", sendReport);
  document.addEventListener("visibilitychange", sendRead);
})();
