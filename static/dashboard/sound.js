// The sound for new orders and staff calls (알림음). A device is asked once whether to use it
// (the answer is kept on the device); the tap that answers is the one browsers want before a
// page may make a sound. After a reload a browser keeps the sound suspended until the page is
// touched again: the page says so (`blocked`) and the first touch anywhere resumes it.

import { $, t } from "./dom.js";

const SOUND_KEY = "tableorder.dashboard.chime";
const SETTLE_MS = 500;
// [start (s), frequency (Hz)] of each short tone: rising for an order, a repeated
// high-low "ding-dong" for a staff call, so the floor hears which it is.
const TONES = {
  order: [[0, 880], [0.18, 1320]],
  call: [[0, 1320], [0.2, 990], [0.45, 1320], [0.65, 990]],
};

/**
 * `on`: the device's choice; `asked`: whether it has made one; `blocked`: on, but the browser
 * holds the sound until the page is touched. `onChange()` runs whenever one of them changes.
 */
export class Chime {
  constructor({ onChange }) {
    const saved = localStorage.getItem(SOUND_KEY);
    this.asked = saved !== null;
    this.on = saved === "1";
    this.onChange = onChange;
    this.audio = null;
    this.settled = false;
    $("chime").addEventListener("click", () => this.choose(!this.on));
    $("sound-on").addEventListener("click", () => this.#answer(true));
    $("sound-off").addEventListener("click", () => this.#answer(false));
    $("sound-warning-on").addEventListener("click", () => this.choose(true));
    // Any touch or key is the gesture the browser waits for.
    for (const type of ["pointerdown", "keydown"]) {
      document.addEventListener(type, () => this.on && this.#context().resume(), { capture: true });
    }
    // A remembered "on" learns at once whether the browser lets the page sound yet.
    if (this.on) this.#context();
    this.#renderButton();
  }

  get blocked() {
    return this.on && this.settled && this.audio.state !== "running";
  }

  /** Ask the device once: on its first visit, before anything else. */
  askOnce() {
    if (!this.asked) $("sound-dialog").showModal();
  }

  /** Switch the sound on or off for this device; switching on plays the order tone to show it. */
  choose(on) {
    this.asked = true;
    this.on = on;
    localStorage.setItem(SOUND_KEY, on ? "1" : "0");
    this.#renderButton();
    this.play("order");
    this.onChange();
  }

  /** Sound `kind` ("order" or "call") if the sound is on. */
  play(kind) {
    if (!this.on) return;
    const audio = this.#context();
    if (audio.state === "suspended") audio.resume();
    for (const [offset, frequency] of TONES[kind]) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      const start = audio.currentTime + offset;
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.3, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.16);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(start);
      oscillator.stop(start + 0.17);
    }
  }

  #renderButton() {
    const button = $("chime");
    button.setAttribute("aria-pressed", String(this.on));
    button.textContent = t(this.on ? "chimeOn" : "chimeOff");
  }

  #answer(on) {
    $("sound-dialog").close();
    this.choose(on);
  }

  #context() {
    if (!this.audio) {
      this.audio = new AudioContext();
      this.audio.addEventListener("statechange", () => this.onChange());
      // A new context starts suspended and runs a moment later where the browser allows it:
      // judge it after that moment, so an allowed page never flashes the "tap" bar.
      setTimeout(() => {
        this.settled = true;
        this.onChange();
      }, SETTLE_MS);
    }
    return this.audio;
  }
}
