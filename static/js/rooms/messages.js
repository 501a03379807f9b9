// The list of messages: the markup of a message that arrives live (the same as the page draws,
// templates/rooms/_macros.html message_item), its moderation or report controls copied from the
// page's <template>s, stored messages in id order, and the optimistic copies of what is being sent.
//
// payload.html is sanitised on the server (core/sanitize.py): it goes, as HTML, only into the
// message body element; names and everything else are set as text.
import { element } from "./dom.js";

const NEAR_BOTTOM_PX = 80;  // closer than this to the bottom: a new message keeps the list there

// A copy of `template` with the placeholders of its actions, ids and labels filled in.
function copyOf(template, values) {
  const copy = template.content.cloneNode(true);
  copy.querySelectorAll("[action], [id], [for]").forEach((node) => {
    ["action", "id", "for"].forEach((name) => {
      let value = node.getAttribute(name);
      if (value) {
        Object.entries(values).forEach(([placeholder, filled]) => {
          value = value.split(placeholder).join(filled);
        });
        node.setAttribute(name, value);
      }
    });
  });
  return copy;
}

export class MessageList {
  constructor(page, timeFormat) {
    this.list = page.list;
    this.empty = page.empty;
    this.userId = page.userId;
    this.userName = page.userName;
    this.canModerate = page.canModerate;
    this.strings = page.strings;
    this.moderationTemplate = page.moderationTemplate;
    this.reportTemplate = page.reportTemplate;
    this.timeFormat = timeFormat;
  }

  nearBottom() {
    const list = this.list;
    return list.scrollHeight - list.scrollTop - list.clientHeight < NEAR_BOTTOM_PX;
  }

  toBottom() {
    this.list.scrollTop = this.list.scrollHeight;
  }

  find(id) {
    return document.getElementById("messaggio-" + id);
  }

  placeholder(payload) {
    const text = payload && payload.erased ? this.strings.erased : this.strings.deleted;
    return element("p", "cl-room-deleted fst-italic text-muted mb-0", text);
  }

  // Under the messages that arrive live, for who moderates: delete, and mute its author (nobody
  // mutes themselves).
  moderationControls(payload) {
    if (!this.canModerate || !this.moderationTemplate) {
      return null;
    }
    const copy = copyOf(this.moderationTemplate, {__MID__: String(payload.id), __UID__: String(payload.author.id)});
    if (payload.author.id === this.userId) {
      const mute = copy.querySelector('[data-control="mute"]');
      if (mute) {
        mute.remove();
      }
    }
    return copy;
  }

  // "Segnala" under others' messages that arrive live (the page draws it under the others).
  reportControls(payload) {
    if (!this.reportTemplate || payload.author.id === this.userId) {
      return null;
    }
    return copyOf(this.reportTemplate, {__MID__: String(payload.id)});
  }

  messageElement(payload) {
    const own = payload.author.id === this.userId;
    const item = element("li", "cl-room-message" + (own ? " is-own" : ""));
    item.id = "messaggio-" + payload.id;
    item.dataset.id = String(payload.id);
    const meta = element("p", "cl-room-meta mb-1");
    const time = element("time", null, this.timeFormat.format(new Date(payload.created_at)));
    time.dateTime = payload.created_at;
    meta.append(element("strong", "cl-room-author", payload.author.name), " ", time, " ",
                element("span", "cl-room-state"));
    item.appendChild(meta);
    if (payload.deleted) {
      item.appendChild(this.placeholder(payload));
    } else {
      const body = element("div", "cl-room-body cl-user-html");
      body.innerHTML = payload.html;  // sanitised by the server (core/sanitize.py), never re-escaped
      item.appendChild(body);
      const controls = this.moderationControls(payload) || this.reportControls(payload);
      if (controls) {
        item.appendChild(controls);
      }
    }
    return item;
  }

  // Stored messages in id order; optimistic copies (no id yet) stay after them.
  insert(item, id) {
    let before = null;
    for (let child = this.list.firstElementChild; child; child = child.nextElementSibling) {
      if (!child.dataset.id || Number(child.dataset.id) > id) {
        before = child;
        break;
      }
    }
    this.list.insertBefore(item, before);
    this.empty.hidden = true;
  }

  markDeleted(item) {
    item.querySelectorAll(".cl-room-body, .cl-room-moderation").forEach((node) => node.remove());
    if (!item.querySelector(".cl-room-deleted")) {
      item.appendChild(this.placeholder());
    }
  }

  // What is being sent, as typed (as text), at the bottom until its stored copy replaces it.
  optimisticCopy(key, body) {
    const item = element("li", "cl-room-message is-own is-pending");
    item.dataset.key = key;
    const meta = element("p", "cl-room-meta mb-1");
    meta.append(element("strong", "cl-room-author", this.userName), " ", element("span", "cl-room-state"));
    item.append(meta, element("div", "cl-room-body", body));
    this.list.appendChild(item);
    this.empty.hidden = true;
    this.toBottom();
    return item;
  }

  // "invio…", "inviato", or "non inviato — riprova" with its button calling `retry`.
  setState(item, state, retry) {
    const stateNode = item.querySelector(".cl-room-state");
    item.classList.toggle("is-failed", state === "failed");
    stateNode.replaceChildren(document.createTextNode(this.strings[state]));
    if (state === "failed") {
      const button = element("button", "btn btn-xs btn-outline-primary ms-2", this.strings.retry);
      button.type = "button";
      button.addEventListener("click", retry);
      stateNode.appendChild(button);
    }
  }
}
