// A bump bar (or a keyboard) on the kitchen display. Bump bars send plain keys:
//   ← / →          move the selection to the previous / next ticket
//   Enter, Space   advance the selected ticket (start it, then finish it)
//   Backspace, R   recall the ticket finished last
//   1 … 9          select the n-th ticket
// Keys are read by their place on the board (`code`), so R works under a Korean layout too.

/** The action of a keydown: {action: "prev" | "next" | "advance" | "recall"} or {action: "pick",
 * index} (0-based); null for any other key, or with a modifier held. */
export function keyAction(event) {
  if (event.ctrlKey || event.altKey || event.metaKey) return null;
  switch (event.key) {
    case "ArrowLeft":
      return { action: "prev" };
    case "ArrowRight":
      return { action: "next" };
    case "Enter":
    case " ":
      return { action: "advance" };
    case "Backspace":
      return { action: "recall" };
  }
  if (event.code === "KeyR") return { action: "recall" };
  const digit = /^(?:Digit|Numpad)([1-9])$/.exec(event.code);
  if (digit) return { action: "pick", index: Number(digit[1]) - 1 };
  return null;
}

/** Whether the key belongs to the control it was pressed on (a button's Enter, a field's text). */
export function ownedByControl(event, { action }) {
  const control = event.target.closest?.("input, select, textarea, [contenteditable]");
  if (control) return true;
  return action === "advance" && Boolean(event.target.closest?.("button, a[href], summary"));
}
