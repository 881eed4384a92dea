// The cart, kept in localStorage per store and table; sent only when an order is confirmed.

function read(key, fallback) {
  try {
    return JSON.parse(localStorage.getItem(key)) ?? fallback;
  } catch {
    return fallback;
  }
}

export const MAX_QUANTITY = 99;

export class Cart {
  constructor(storeCode, tableNumber) {
    this.key = `tableorder.cart.${storeCode}.${tableNumber}`;
    this.pendingKey = `tableorder.pending.${storeCode}.${tableNumber}`;
    // Lines keep the name and price they were added with, so the cart shows even before the menu loads.
    this.lines = read(this.key, []).filter((line) => line && line.id && line.quantity > 0);
    this.listeners = new Set();
  }

  onChange(listener) {
    this.listeners.add(listener);
  }

  save() {
    localStorage.setItem(this.key, JSON.stringify(this.lines));
    for (const listener of this.listeners) listener(this);
  }

  line(id) {
    return this.lines.find((line) => line.id === id);
  }

  add(item, quantity = 1) {
    const line = this.line(item.id);
    if (line) line.quantity = Math.min(MAX_QUANTITY, line.quantity + quantity);
    else this.lines.push({ id: item.id, name: item.name, price: item.price, quantity: Math.min(MAX_QUANTITY, quantity) });
    this.save();
  }

  change(id, delta) {
    const line = this.line(id);
    if (!line) return;
    line.quantity = Math.min(MAX_QUANTITY, line.quantity + delta);
    if (line.quantity < 1) this.lines = this.lines.filter((other) => other !== line);
    this.save();
  }

  remove(id) {
    this.lines = this.lines.filter((line) => line.id !== id);
    this.save();
  }

  clear() {
    this.lines = [];
    this.save();
  }

  /** Refresh names and prices from the current menu (the server prices the order anyway). */
  syncWithMenu(itemsById) {
    for (const line of this.lines) {
      const item = itemsById.get(line.id);
      if (item) Object.assign(line, { name: item.name, price: item.price });
    }
    this.save();
  }

  get count() {
    return this.lines.reduce((sum, line) => sum + line.quantity, 0);
  }

  get total() {
    return this.lines.reduce((sum, line) => sum + line.price * line.quantity, 0);
  }

  orderBody() {
    return { items: this.lines.map((line) => ({ menu_item_id: line.id, quantity: line.quantity })) };
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
    localStorage.removeItem(this.pendingKey);
  }
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
