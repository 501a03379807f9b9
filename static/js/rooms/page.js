// What the room page (templates/rooms/room.html) tells the script: who reads which room, the last
// message shown, the limits (rendered from the server's constants: nothing here repeats them), the
// strings in the reader's language, and the elements the script updates, found by their ids.

export function readPage(doc) {
  const root = doc.getElementById("room");
  if (!root || root.dataset.live !== "1" || !root.dataset.userId) {
    return null;  // an older page of history or an anonymous visitor: the page as drawn
  }
  const data = root.dataset;
  const byId = (id) => doc.getElementById(id);
  return {
    roomId: Number(data.roomId),
    userId: Number(data.userId),
    userName: data.userName,
    canModerate: data.canModerate === "1",
    lastId: Number(data.lastId) || 0,
    locale: data.locale === "en" ? "en-GB" : "it-IT",
    messageMax: Number(data.messageMax),  // rooms/models.py MESSAGE_MAX
    typingIntervalMs: Number(data.typingInterval) * 1000,  // rooms/limits.py TYPING_INTERVAL
    strings: JSON.parse(byId("room-strings").textContent),
    list: byId("room-messages"),
    empty: byId("room-empty"),
    form: byId("room-form"),
    fieldset: byId("room-fieldset"),
    textarea: byId("room-body"),
    keysHelp: byId("room-keys-help"),
    refusalBox: byId("room-refusal"),
    alerts: byId("room-alerts"),
    announcer: byId("room-announcer"),
    typingLine: byId("room-typing"),
    connectionLine: byId("room-connection"),
    presenceList: byId("room-presence"),
    lockedBox: byId("room-locked"),
    lockedReason: byId("room-locked-reason"),
    moderationTemplate: byId("room-moderation-template"),
    reportTemplate: byId("room-report-template"),
  };
}
