// Small DOM helpers of the room script (static/js/rooms/main.js).

// "{name} sta scrivendo…" with {name} filled in; unknown names are left as they are.
export function fill(text, values) {
  return text.replace(/\{(\w+)\}/g, (whole, name) =>
    (Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole));
}

// A new element; its text is set as text, never as HTML.
export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

// A message's idempotency key.
export function newKey() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") {
    return window.crypto.randomUUID();
  }
  // Pages served over plain HTTP (not localhost) have no randomUUID: 128 random bits instead.
  const bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => (b + 256).toString(16).slice(1)).join("");
}

// A message's text for an announcement: its HTML (sanitised by the server) as plain text, short.
export function plainText(html) {
  const scratch = document.createElement("template");
  scratch.innerHTML = html;
  const text = (scratch.content.textContent || "").replace(/\s+/g, " ").trim();
  return text.length > 140 ? text.slice(0, 139) + "…" : text;
}
