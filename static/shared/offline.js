// A page's "connection lost" banner: shown at once when the browser is offline, and when its
// event stream cannot reach the server for longer than a moment (a server restart comes back
// within a second and shows nothing); hidden again as soon as both are back.

const DELAY_MS = 2000;

export class OfflineBanner {
  constructor(element, { delayMs = DELAY_MS } = {}) {
    Object.assign(this, { element, delayMs });
    this.down = false;
    this.timer = null;
    window.addEventListener("online", () => this.render());
    window.addEventListener("offline", () => this.render());
    this.render();
  }

  /** The stream is cut (true) or live again (false). */
  setDown(down) {
    this.down = down;
    this.render();
  }

  render() {
    if (!this.down && navigator.onLine) {
      clearTimeout(this.timer);
      this.timer = null;
      this.element.hidden = true;
    } else if (!navigator.onLine) {
      clearTimeout(this.timer);
      this.timer = null;
      this.element.hidden = false;
    } else if (this.element.hidden && this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.element.hidden = false;
      }, this.delayMs);
    }
  }
}
