// The tablet's side of the API: tokens in localStorage (never the password), one refresh on a 401.

import { apiClient, errorOf, messageOf as sharedMessageOf } from "../shared/api.js";
import { t } from "./dom.js";
import { pageLanguage } from "./lang.js";

export { ApiError, NetworkError, errorOf } from "../shared/api.js";

const AUTH_KEY = "tableorder.auth";
const LAST_SETUP_KEY = "tableorder.lastSetup";

/** The tablet's tokens are gone or revoked: the tablet must be set up again. */
export class SignedOut extends Error {}

export function loadAuth() {
  try {
    return JSON.parse(localStorage.getItem(AUTH_KEY));
  } catch {
    return null;
  }
}

function saveAuth(auth) {
  localStorage.setItem(AUTH_KEY, JSON.stringify(auth));
}

/** The server signed the tablet out: the setup screen says so, also after a reload. */
export function clearAuth() {
  const auth = loadAuth();
  if (auth) {
    const last = { store_code: auth.store.code, table_number: auth.table.number, signed_out: true };
    localStorage.setItem(LAST_SETUP_KEY, JSON.stringify(last));
  }
  localStorage.removeItem(AUTH_KEY);
}

/** Another tab of this tablet signed it out. */
export function isSignOut(event) {
  return event.key === AUTH_KEY && !event.newValue;
}

/** Store code and table number of the last setup, to prefill the setup form after a sign-out,
 * and `signed_out` until the tablet is set up again. */
export function lastSetup() {
  try {
    return JSON.parse(localStorage.getItem(LAST_SETUP_KEY)) || {};
  } catch {
    return {};
  }
}

export function messageOf(error) {
  return sharedMessageOf(error, t);
}

// Sign-in and refresh go without a token, in the page's language too.
const anonymous = apiClient({
  sign(headers) {
    headers["Accept-Language"] = pageLanguage();
  },
});

export async function login({ store_code, table_number, password }) {
  const data = await anonymous.requestJson("/api/v1/auth/table/login", { method: "POST", body: { store_code, table_number, password } });
  saveAuth({ access: data.access, refresh: data.refresh, store: data.store, table: data.table });
  localStorage.removeItem(LAST_SETUP_KEY);
  return loadAuth();
}

let refreshing = null;

/** New tokens from the refresh token; concurrent callers share one refresh. */
function refreshTokens() {
  refreshing ??= (async () => {
    const auth = loadAuth();
    if (!auth) throw new SignedOut();
    const response = await anonymous.request("/api/v1/auth/table/refresh", { method: "POST", body: { refresh: auth.refresh } });
    if (response.status === 401 || response.status === 400) {
      clearAuth();
      throw new SignedOut();
    }
    if (!response.ok) throw await errorOf(response);
    const tokens = await response.json();
    saveAuth({ ...auth, access: tokens.access, refresh: tokens.refresh || auth.refresh });
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/**
 * Authenticated requests: `request` returns the Response (any status but 401), `requestJson`
 * its JSON (errors throw ApiError), `allPages` every item of a list. A revoked tablet throws
 * SignedOut.
 */
export const { request, requestJson, allPages } = apiClient({
  sign(headers) {
    const auth = loadAuth();
    if (!auth) throw new SignedOut();
    headers.Authorization = `Bearer ${auth.access}`;
    // The server's messages in the page's language where it has them, not the device's.
    headers["Accept-Language"] = pageLanguage();
  },
  async refused(response, firstTry) {
    if (firstTry) {
      await refreshTokens();
      return true;
    }
    clearAuth();
    throw new SignedOut();
  },
});
