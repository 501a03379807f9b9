// A room, live: the page (templates/rooms/room.html) is complete without this script; with it the
// form sends through the /rooms Socket.IO namespace, messages arrive as they are written, and the
// people present and who is typing are shown. Protocol: README, "Stanze in tempo reale".
//
// - Each message carries a key (crypto.randomUUID()); a retry resends the same key, so a message
//   whose acknowledgement was lost is stored once, and the stored id replaces the optimistic copy.
// - Every (re)connection joins again with the last id seen: the server replays what was missed,
//   and messages are deduplicated by id.
// - The limits are the page's (data attributes rendered from the server's constants).
import { element, fill, newKey, plainText } from "./dom.js";
import { MessageList } from "./messages.js";
import { readPage } from "./page.js";
import { Presence, Typing } from "./presence.js";

const ACK_TIMEOUT_MS = 10000;  // an event not acknowledged by then is taken as lost
const READ_EVERY_MS = 2000;  // the read marker is moved at most this often
// Refusals after which this person cannot write until something changes (the page says why).
const STOPS_WRITING = ["locked", "muted", "blocked", "forbidden"];
const STOPS_WRITING_LIVE = ["muted", "blocked", "session_ended"];

function start(page) {
  const strings = page.strings;
  const roomId = page.roomId;
  const userId = page.userId;
  // One notice per the server's interval, plus a quarter: a notice that arrives a little early
  // (clocks, latency) is not refused by rooms/limits.py.
  const typingEveryMs = page.typingIntervalMs * 1.25;
  const timeFormat = new Intl.DateTimeFormat(page.locale, {dateStyle: "short", timeStyle: "short",
                                                           timeZone: "Europe/Rome"});
  const messages = new MessageList(page, timeFormat);
  const presence = new Presence(page);
  const typing = new Typing(page);
  const pending = new Map();  // key -> {key, body, element}: optimistic copies waiting for their stored id
  let lastId = page.lastId;
  let joining = false;  // replayed messages are not announced one by one

  const socket = window.io("/rooms", {
    transports: ["websocket", "polling"],
    tryAllTransports: true,  // a proxy without WebSocket: long-polling instead
    reconnection: true,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 30000,
    randomizationFactor: 0.5,
  });

  // ---- alerts and announcements ------------------------------------------------------------

  function showAlert(message) {
    const box = element("div", "alert alert-danger alert-dismissible", message);
    const close = element("button", "btn-close");
    close.type = "button";
    close.setAttribute("aria-label", strings.close);
    close.addEventListener("click", () => box.remove());
    box.appendChild(close);
    page.alerts.replaceChildren(box);
  }

  function announce(text) {
    const announcer = page.announcer;
    announcer.appendChild(element("p", null, text));
    while (announcer.childElementCount > 3) {
      announcer.firstElementChild.remove();
    }
  }

  function setConnection(text) {
    page.connectionLine.textContent = text || "";
    page.connectionLine.hidden = !text;
  }

  // ---- read markers ----------------------------------------------------------------------------

  let readSent = 0;
  let readTimer = null;
  function sendRead() {
    if (document.visibilityState !== "visible" || readSent >= lastId || !socket.connected || readTimer) {
      return;
    }
    readTimer = setTimeout(() => {
      readTimer = null;
      if (socket.connected && lastId > readSent) {
        readSent = lastId;
        socket.emit("read", {room: roomId, last_id: lastId});
      }
    }, READ_EVERY_MS);
  }

  // ---- receiving ---------------------------------------------------------------------------------

  // One stored message, from a broadcast, a replay or an acknowledgement: shown once.
  function receive(payload) {
    if (!payload || payload.room !== roomId || typeof payload.id !== "number") {
      return;
    }
    lastId = Math.max(lastId, payload.id);
    const existing = messages.find(payload.id);
    if (existing) {
      if (payload.deleted) {
        messages.markDeleted(existing);
      }
      return;
    }
    const stick = messages.nearBottom();
    const mine = payload.author.id === userId;
    const waiting = mine && payload.key ? pending.get(payload.key) : null;
    const item = messages.messageElement(payload);
    if (waiting) {
      pending.delete(payload.key);
      waiting.element.remove();
      item.querySelector(".cl-room-state").textContent = strings.sent;
    }
    messages.insert(item, payload.id);
    if (!mine && !joining && !payload.deleted) {
      announce(fill(strings.new_message, {name: payload.author.name}) + ": " + plainText(payload.html));
    }
    if (stick || mine) {
      messages.toBottom();
    }
    sendRead();
  }

  // ---- writing -------------------------------------------------------------------------------------

  function setWritable(writable, reason) {
    if (!page.fieldset) {
      return;
    }
    page.fieldset.disabled = !writable;
    if (page.refusalBox) {
      page.refusalBox.textContent = writable ? "" : (reason || "");
      page.refusalBox.hidden = writable || !reason;
    }
  }

  function setLocked(locked, reason) {
    page.lockedBox.hidden = !locked;
    page.lockedReason.textContent = locked && reason ? fill(strings.reason, {reason: reason}) : "";
  }

  function send(key) {
    const entry = pending.get(key);
    if (!entry) {
      return;
    }
    messages.setState(entry.element, "sending");
    socket.timeout(ACK_TIMEOUT_MS).emit("message", {room: roomId, body: entry.body, key: key}, (err, ack) => {
      if (!pending.has(key)) {
        return;  // the broadcast came first and settled it
      }
      if (err) {
        messages.setState(entry.element, "failed", () => send(key));  // retrying with the same key cannot store twice
      } else if (ack && ack.ok) {
        receive(ack.message);
      } else {
        messages.setState(entry.element, "failed", () => send(key));
        const error = (ack && ack.error) || {};
        showAlert(error.message || strings.failed);
        if (STOPS_WRITING.includes(error.code)) {
          setWritable(false, error.message);
        }
      }
    });
  }

  function submit() {
    const body = page.textarea.value.trim();
    if (!body) {
      showAlert(strings.empty);
      return;
    }
    if (body.length > page.messageMax) {
      showAlert(strings.too_long);
      return;
    }
    page.alerts.replaceChildren();
    const key = newKey();
    pending.set(key, {key: key, body: body, element: messages.optimisticCopy(key, body)});
    page.textarea.value = "";
    page.textarea.focus();
    send(key);
  }

  // A report form under a message: through the socket when connected, else the form POSTs.
  function sendReport(event) {
    const form = event.target;
    const item = form.closest(".cl-room-message");
    const controls = form.closest(".cl-room-report");
    if (!item || !controls || !socket.connected) {
      return;
    }
    event.preventDefault();
    const reason = form.elements.reason.value;
    socket.emit("report", {room: roomId, id: Number(item.dataset.id), reason: reason}, (ack) => {
      if (ack && ack.ok) {
        controls.replaceWith(element("p", "small text-muted mb-0", strings.reported));
        announce(ack.message || strings.reported);
      } else {
        showAlert((ack && ack.error && ack.error.message) || strings.failed);
      }
    });
  }

  let lastTypingSent = 0;
  function typed() {
    const now = Date.now();
    if (now - lastTypingSent >= typingEveryMs && socket.connected) {
      lastTypingSent = now;
      socket.emit("typing", {room: roomId});
    }
  }

  // ---- the connection ------------------------------------------------------------------------------

  function join() {
    joining = true;
    socket.timeout(ACK_TIMEOUT_MS).emit("join", {room: roomId, after: lastId}, (err, ack) => {
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
      pending.forEach((entry, key) => {
        if (entry.element.classList.contains("is-failed")) {
          send(key);
        }
      });
      sendRead();
    });
  }

  socket.on("connect", join);
  socket.on("disconnect", (reason) => {
    if (reason !== "io client disconnect") {
      setConnection(strings.offline);
    }
  });
  socket.on("connect_error", (error) => {
    if (!socket.active) {  // refused by the server (signed out, blocked): it will not retry
      const data = error && error.data;
      setConnection("");
      showAlert((data && data.message) || strings.refused);
      setWritable(false, data && data.message);
    } else {
      setConnection(strings.offline);
    }
  });
  socket.on("message", receive);
  socket.on("message_deleted", (data) => {
    const item = data && data.room === roomId && messages.find(data.id);
    if (item) {
      messages.markDeleted(item);
    }
  });
  socket.on("room_locked", (data) => {
    if (!data || data.room !== roomId) {
      return;
    }
    setLocked(data.locked, data.reason);
    announce(data.locked ? strings.locked : strings.unlocked);
    join();  // asks again whether this user may write now (a moderator still may)
  });
  socket.on("presence", (data) => presence.update(data));
  socket.on("typing", (data) => typing.someone(data));
  socket.on("error", (data) => {
    // Refusals of this client's own events come back in their acknowledgements too.
    if (!data || data.event || (data.room && data.room !== roomId)) {
      return;
    }
    let message = data.message;
    if (data.code === "muted" && data.until) {
      message = fill(strings.muted, {time: timeFormat.format(new Date(data.until))}) +
        (data.message ? " " + fill(strings.reason, {reason: data.message}) : "");
    }
    showAlert(message);
    if (STOPS_WRITING_LIVE.includes(data.code)) {
      setWritable(false, message);
    }
  });

  // ---- the page --------------------------------------------------------------------------------------

  setConnection(strings.connecting);
  messages.toBottom();
  if (page.form) {
    page.keysHelp.hidden = false;
    page.form.addEventListener("submit", (event) => {
      event.preventDefault();  // sent through the socket; without this script the form POSTs
      submit();
    });
    page.textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey &&
          !event.isComposing) {
        event.preventDefault();
        submit();
      }
    });
    page.textarea.addEventListener("input", typed);
  }
  page.list.addEventListener("submit", sendReport);
  document.addEventListener("visibilitychange", sendRead);
}

const page = readPage(document);
if (page && typeof window.io === "function") {  // no client script: the page as drawn
  start(page);
}
