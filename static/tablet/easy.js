// Easy mode (쉬운 모드): larger text and targets, high contrast and fewer choices at once
// (easy.css), with voice guidance (voice.js). The device keeps it on until the table's session
// closes, so the next guests start with the usual screen.

import { $, h, t } from "./dom.js";
import { startVoice, stopVoice } from "./voice.js";

const KEY = "tableorder.easy";

export function isEasy() {
  return document.documentElement.dataset.easy === "on";
}

function show(on) {
  if (on) document.documentElement.dataset.easy = "on";
  else delete document.documentElement.dataset.easy;
  $("easy-toggle").setAttribute("aria-pressed", String(on));
  if (on) startVoice();
  else stopVoice();
}

export function setEasy(on) {
  try {
    if (on) localStorage.setItem(KEY, "on");
    else localStorage.removeItem(KEY);
  } catch {
    // Private mode: easy mode lasts until the page reloads.
  }
  show(on);
}

/** In easy mode the review's note (요청사항) waits behind a button, unless it has text. */
function bindNoteDisclosure() {
  const field = document.querySelector("#review-dialog .note-field");
  const button = h("button", {
    type: "button",
    id: "note-open",
    class: "btn btn-secondary easy-only",
    "aria-controls": "review-note",
    "aria-expanded": "false",
    text: t("easyNoteOpen"),
  });
  const open = (value) => {
    field.classList.toggle("is-open", value);
    button.hidden = value;
    button.setAttribute("aria-expanded", String(value));
  };
  button.addEventListener("click", () => {
    open(true);
    $("review-note").focus();
  });
  field.before(button);
  new MutationObserver(() => $("review-dialog").open && open(Boolean($("review-note").value))).observe(
    $("review-dialog"),
    { attributes: true, attributeFilter: ["open"] },
  );
}

export function bindEasy() {
  $("easy-toggle").addEventListener("click", () => setEasy(!isEasy()));
  bindNoteDisclosure();
  let kept = null;
  try {
    kept = localStorage.getItem(KEY);
  } catch {
    kept = null;
  }
  show(kept === "on");
}
