// Table setup: the store code, table number and table password, once per tablet. The password
// is sent to sign in and never kept.

import { ApiError, lastSetup, login, messageOf } from "./api.js";
import { $, t } from "./dom.js";
import { showScreen } from "./screens.js";

export function showSetup(message) {
  const form = $("setup-form");
  const last = lastSetup();
  if (!form.store_code.value && last.store_code) form.store_code.value = last.store_code;
  if (!form.table_number.value && last.table_number) form.table_number.value = last.table_number;
  form.password.value = "";
  // Reloaded after the sign-out: the reason still shows.
  setError(message || (last.signed_out ? t("signedOut") : ""));
  showScreen("setup");
  // The heading, not a field: focusing a field opens the on-screen keyboard over the screen
  // before anyone has touched it.
  $("setup-title").focus();
}

function setError(message) {
  $("setup-error").textContent = message;
  $("setup-error").hidden = !message;
}

/** `onSignedIn()` runs once the tablet has its tokens. */
export function bindSetup(onSignedIn) {
  $("setup-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const store_code = form.store_code.value.trim().toLowerCase();
    const table_number = Number.parseInt(form.table_number.value, 10);
    const password = form.password.value;
    if (!store_code || !Number.isInteger(table_number) || table_number < 1 || !password) {
      setError(t("setupInvalid"));
      return;
    }
    const button = $("setup-submit");
    button.disabled = true;
    try {
      await login({ store_code, table_number, password });
      form.password.value = "";
      setError("");
      await onSignedIn();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) setError(t("setupFailed"));
      else if (error instanceof ApiError && error.status === 429) setError(t("setupLocked"));
      else if (error instanceof ApiError && error.status === 400 && error.fields) {
        setError(Object.values(error.fields).flat().join(" "));
      } else setError(messageOf(error));
    } finally {
      button.disabled = false;
    }
  });
}
