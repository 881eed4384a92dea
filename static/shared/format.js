// How both pages write amounts, times and an order's parts. Words come from each page's own
// strings.

export const TIME_ZONE = "Asia/Seoul";
const wonFormat = new Intl.NumberFormat("ko-KR", { style: "currency", currency: "KRW" });
const timeFormat = new Intl.DateTimeFormat("ko-KR", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: TIME_ZONE });

/** 12000 → "₩12,000". */
export function won(amount) {
  return wonFormat.format(amount);
}

/** "14:05" in the store's time zone. */
export function clock(iso) {
  return timeFormat.format(new Date(iso));
}

/** "#0042": the order's display number (four digits at least). */
export function displayNumber(order) {
  return order.display_number || `#${String(order.number).padStart(4, "0")}`;
}

/** "순한맛, 치즈 추가": a line's options, each written by `label` (its name by default). */
export function optionsText(options, label = (option) => option.name) {
  return (options || []).map(label).join(", ");
}
