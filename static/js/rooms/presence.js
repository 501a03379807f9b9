// Who is in the room now and who is typing, as the /rooms socket tells them.
import { element, fill } from "./dom.js";

const TYPING_SHOWN_MS = 4000;  // a typing notice is shown this long after the last one

// Presence: the whole list when this tab joins, then arrivals (one or a batch) and departures.
export class Presence {
  constructor(page) {
    this.list = page.presenceList;
    this.roomId = page.roomId;
    this.userId = page.userId;
    this.strings = page.strings;
    this.present = [];
  }

  update(data) {
    if (!data || data.room !== this.roomId) {
      return;
    }
    if (Array.isArray(data.users)) {
      this.present = data.users.slice();
    } else if (Array.isArray(data.joined)) {
      // Arrivals, one or a batch of them; someone already listed is listed once.
      const arrived = data.joined.filter((user) => !this.present.some((known) => known.id === user.id));
      if (arrived.length === 0) {
        return;
      }
      this.present.push(...arrived);
      this.present.sort((a, b) => a.name.localeCompare(b.name));
    } else if (data.left) {
      this.present = this.present.filter((user) => user.id !== data.left.id);
    } else {
      return;
    }
    this.list.replaceChildren();
    this.present.forEach((user) => {
      const item = element("li", null, user.name);
      if (user.id === this.userId) {
        item.appendChild(element("span", "text-muted", " (" + this.strings.you + ")"));
      }
      this.list.appendChild(item);
    });
    if (this.present.every((user) => user.id === this.userId)) {
      this.list.appendChild(element("li", "text-muted small", this.strings.nobody));
    }
  }
}

// "X sta scrivendo…" under the messages, for a while after each notice.
export class Typing {
  constructor(page) {
    this.line = page.typingLine;
    this.roomId = page.roomId;
    this.userId = page.userId;
    this.strings = page.strings;
    this.now = new Map();  // user id -> {name, timer}
  }

  show() {
    const names = Array.from(this.now.values(), (entry) => entry.name);
    this.line.textContent = names.length === 0 ? "" :
      names.length === 1 ? fill(this.strings.typing, {name: names[0]}) : this.strings.typing_many;
  }

  someone(data) {
    if (!data || data.room !== this.roomId || !data.user || data.user.id === this.userId) {
      return;
    }
    const id = data.user.id;
    const known = this.now.get(id);
    if (known) {
      clearTimeout(known.timer);
    }
    this.now.set(id, {name: data.user.name, timer: setTimeout(() => {
      this.now.delete(id);
      this.show();
    }, TYPING_SHOWN_MS)});
    this.show();
  }
}
