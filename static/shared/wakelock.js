// Keeps the screen on while the page shows (a tablet on the table, the counter's dashboard, the
// kitchen display). The browser lets go of the lock whenever the page is hidden, so it is asked
// for again each time the page shows. Without the Screen Wake Lock API, or when refused (no
// secure context, battery saver), nothing happens.

let lock = null;

async function acquire() {
  if (!("wakeLock" in navigator) || document.visibilityState !== "visible" || (lock && !lock.released)) return;
  try {
    lock = await navigator.wakeLock.request("screen");
  } catch {
    lock = null;
  }
}

/** Keep the screen awake from now on, whenever the page is visible. */
export function keepAwake() {
  document.addEventListener("visibilitychange", acquire);
  acquire();
}
