// The cart, kept in localStorage per store and table; sent only when an order is confirmed.

import { optionsById, unitPrice } from "./options.js";

function read(key, fallback) {
  try {
    return JSON.parse(localStorage.getItem(key)) ?? fallback;
  } catch {
    return fallback;
  }
}

export const MAX_QUANTITY = 99;
export const MAX_NOTE_LENGTH = 200;

/** A line per item and choice of options: the item id and the sorted option ids. */
export function lineKey(itemId, options = []) {
  const ids = options.map((option) => option.id).sort((a, b) => a - b);
  return ids.length ? `${itemId}:${ids.join(",")}` : String(itemId);
}

export class Cart {
  constructor(storeCode, tableNumber) {
    this.key = `tableorder.cart.${storeCode}.${tableNumber}`;
    this.noteKey = `tableorder.note.${storeCode}.${tableNumber}`;
    this.pendingKey = `tableorder.pending.${storeCode}.${tableNumber}`;
    this.closedSessionKey = `tableorder.closed-session.${storeCode}.${tableNumber}`;
    // Lines keep the name, options and unit price they were added with, so the cart shows even
    // before the menu loads. Lines saved before options existed have neither key nor options.
    const lines = read(this.key, [])
      .filter((line) => line && line.id && line.quantity > 0)
      .map((line) => ({ ...line, options: line.options || [], key: lineKey(line.id, line.options || []) }));
    const note = read(this.noteKey, "");
    // What the device kept may be the last guests': it is held back, unseen and unsent, until
    // the server's last closed session says whose it is (followClosedSession).
    this.held = lines.length || note ? { lines, note: typeof note === "string" ? note.slice(0, MAX_NOTE_LENGTH) : "" } : null;
    this.lines = [];
    this.note = "";
    this.listeners = new Set();
  }

  /** The device kept a cart whose guests are not known yet to be the current ones. */
  get isHeld() {
    return this.held !== null;
  }

  onChange(listener) {
    this.listeners.add(listener);
  }

  save() {
    localStorage.setItem(this.key, JSON.stringify(this.held ? mergeLines(this.held.lines, this.lines) : this.lines));
    for (const listener of this.listeners) listener(this);
  }

  line(key) {
    return this.lines.find((line) => line.key === key);
  }

  /** How many of the item the cart holds, over all its choices of options. */
  quantityOf(itemId) {
    return this.lines.reduce((sum, line) => sum + (line.id === itemId ? line.quantity : 0), 0);
  }

  /** Add `quantity` of the item with `options` (`[{id, name, price_delta}]`). */
  add(item, quantity = 1, options = []) {
    const key = lineKey(item.id, options);
    const line = this.line(key);
    if (line) line.quantity = Math.min(MAX_QUANTITY, line.quantity + quantity);
    else {
      const price = unitPrice(item, options);
      this.lines.push({ key, id: item.id, name: item.name, price, options, quantity: Math.min(MAX_QUANTITY, quantity) });
    }
    this.save();
  }

  change(key, delta) {
    const line = this.line(key);
    if (!line) return;
    line.quantity = Math.min(MAX_QUANTITY, line.quantity + delta);
    if (line.quantity < 1) this.lines = this.lines.filter((other) => other !== line);
    this.save();
  }

  remove(...keys) {
    this.lines = this.lines.filter((line) => !keys.includes(line.key));
    this.save();
  }

  /** Empty the cart and its note, held lines and all. */
  clear() {
    this.held = null;
    this.lines = [];
    this.setNote("");
    this.save();
  }

  /** The order's note (요청사항), kept with the cart until it is ordered. */
  setNote(text) {
    this.note = text.slice(0, MAX_NOTE_LENGTH);
    if (this.note) localStorage.setItem(this.noteKey, JSON.stringify(this.note));
    else localStorage.removeItem(this.noteKey);
  }

  /** Refresh names and prices from the current menu (the server prices the order anyway). */
  syncWithMenu(itemsById) {
    for (const line of [...this.lines, ...(this.held?.lines || [])]) {
      const item = itemsById.get(line.id);
      if (!item) continue;
      const current = optionsById(item);
      // An option gone from the menu keeps its old name: the line is flagged, not renamed.
      const options = line.options.map((option) => {
        const now = current.get(option.id);
        return now ? { id: now.id, name: now.name, price_delta: now.price_delta } : option;
      });
      Object.assign(line, { name: item.name, options, price: unitPrice(item, options) });
    }
    this.save();
  }

  orderBody() {
    const items = this.lines.map((line) =>
      line.options.length
        ? { menu_item_id: line.id, quantity: line.quantity, option_ids: line.options.map((option) => option.id) }
        : { menu_item_id: line.id, quantity: line.quantity },
    );
    const note = this.note.trim();
    return note ? { items, note } : { items };
  }

  /**
   * The idempotency key for sending this cart. One key per cart content, kept until the
   * server has answered for certain, so a retry after a dropped connection cannot order twice.
   */
  idempotencyKey() {
    const body = JSON.stringify(this.orderBody());
    const pending = read(this.pendingKey, null);
    if (pending && pending.body === body) return pending.key;
    const key = uuid();
    localStorage.setItem(this.pendingKey, JSON.stringify({ key, body }));
    return key;
  }

  forgetIdempotencyKey() {
    const had = this.unconfirmed();
    localStorage.removeItem(this.pendingKey);
    if (had) this.notify();
  }

  /**
   * The order sent under `key` got no answer for certain (the network failed, or the server):
   * it may have been placed. Kept on the device, reloads and all, until it is sent again under
   * the same key and the server says which order it is.
   */
  markUnconfirmed(key) {
    const pending = read(this.pendingKey, null);
    if (!pending || pending.key !== key) return;
    localStorage.setItem(this.pendingKey, JSON.stringify({ ...pending, unconfirmed: true }));
    this.notify();
  }

  /** The order waiting to be sent again: `{key, body}`, or null. */
  unconfirmed() {
    const pending = read(this.pendingKey, null);
    return pending?.unconfirmed && pending.key && pending.body ? { key: pending.key, body: JSON.parse(pending.body) } : null;
  }

  /** The order of `body` is placed: its lines and note leave the cart; lines added since stay. */
  settle(body) {
    for (const item of body.items) {
      const line = this.line(lineKey(item.menu_item_id, (item.option_ids || []).map((id) => ({ id }))));
      if (line) line.quantity -= item.quantity;
    }
    this.lines = this.lines.filter((line) => line.quantity > 0);
    if (this.note.trim() === (body.note || "")) this.setNote("");
    this.save();
  }

  notify() {
    for (const listener of this.listeners) listener(this);
  }

  /**
   * Follow the table's last closed session, as the server says (null before the first
   * "이용 완료"). True when the cart was kept under an earlier one: its guests have left since.
   * Session ids only grow, so an older answer heard late changes nothing. A cart filled before
   * the table's first order stays, reloads and all, until a session closes. A device that never
   * heard of one (just set up) takes its cart to be the current guests'. Otherwise the lines
   * held back since the page loaded show now, before any added meanwhile.
   */
  followClosedSession(closedSessionId) {
    const kept = read(this.closedSessionKey, null);
    const [was, now] = [kept?.id ?? 0, closedSessionId ?? 0];
    if (now >= was) localStorage.setItem(this.closedSessionKey, JSON.stringify({ id: closedSessionId }));
    if (kept !== null && now > was) return true;
    if (this.held) {
      this.lines = mergeLines(this.held.lines, this.lines);
      if (!this.note) this.setNote(this.held.note);
      this.held = null;
      this.save();
    }
    return false;
  }
}

/** How many items `lines` hold. */
export function countOf(lines) {
  return lines.reduce((sum, line) => sum + line.quantity, 0);
}

/** What `lines` cost, in won. */
export function totalOf(lines) {
  return lines.reduce((sum, line) => sum + line.price * line.quantity, 0);
}

/** `first`'s lines, then `second`'s, the same line's quantities added up. */
function mergeLines(first, second) {
  const merged = first.map((line) => ({ ...line }));
  for (const line of second) {
    const same = merged.find((other) => other.key === line.key);
    if (same) same.quantity = Math.min(MAX_QUANTITY, same.quantity + line.quantity);
    else merged.push({ ...line });
  }
  return merged;
}

/** crypto.randomUUID needs a secure context; plain http on a restaurant LAN may not be one. */
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

let current = null;

/** The signed-in table's cart (null before a table signs in). */
export function currentCart() {
  return current;
}

export function openCart(storeCode, tableNumber) {
  current = new Cart(storeCode, tableNumber);
  return current;
}
