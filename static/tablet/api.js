// The tablet's side of the API: tokens in localStorage (never the password), one refresh on a 401.

const AUTH_KEY = "tableorder.auth";
const LAST_SETUP_KEY = "tableorder.lastSetup";
const TIMEOUT_MS = 15000;

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || "";
    this.fields = error.fields || null;
  }
}

/** The request may or may not have reached the server: retry with the same idempotency key. */
export class NetworkError extends Error {}

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

export function clearAuth() {
  const auth = loadAuth();
  if (auth) {
    localStorage.setItem(LAST_SETUP_KEY, JSON.stringify({ store_code: auth.store.code, table_number: auth.table.number }));
  }
  localStorage.removeItem(AUTH_KEY);
}

/** Store code and table number of the last setup, to prefill the setup form after a sign-out. */
export function lastSetup() {
  try {
    return JSON.parse(localStorage.getItem(LAST_SETUP_KEY)) || {};
  } catch {
    return {};
  }
}

async function send(path, { method = "GET", body, headers = {}, token } = {}) {
  const allHeaders = { Accept: "application/json", ...headers };
  if (body !== undefined) allHeaders["Content-Type"] = "application/json";
  if (token) allHeaders.Authorization = `Bearer ${token}`;
  try {
    return await fetch(path, {
      method,
      headers: allHeaders,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new NetworkError(error.message);
  }
}

export async function errorOf(response) {
  const body = await response.json().catch(() => null);
  return new ApiError(response.status, body);
}

export async function login({ store_code, table_number, password }) {
  const response = await send("/api/v1/auth/table/login", { method: "POST", body: { store_code, table_number, password } });
  if (!response.ok) throw await errorOf(response);
  const data = await response.json();
  saveAuth({ access: data.access, refresh: data.refresh, store: data.store, table: data.table });
  return loadAuth();
}

let refreshing = null;

/** New tokens from the refresh token; concurrent callers share one refresh. */
function refreshTokens() {
  refreshing ??= (async () => {
    const auth = loadAuth();
    if (!auth) throw new SignedOut();
    const response = await send("/api/v1/auth/table/refresh", { method: "POST", body: { refresh: auth.refresh } });
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

/** An authenticated request; returns the Response (any status but 401). */
export async function request(path, options = {}) {
  if (!loadAuth()) throw new SignedOut();
  let response = await send(path, { ...options, token: loadAuth().access });
  if (response.status === 401) {
    await refreshTokens();
    response = await send(path, { ...options, token: loadAuth().access });
    if (response.status === 401) {
      clearAuth();
      throw new SignedOut();
    }
  }
  return response;
}

/** An authenticated request whose JSON body is returned; errors throw ApiError. */
export async function requestJson(path, options = {}) {
  const response = await request(path, options);
  if (!response.ok) throw await errorOf(response);
  return response.status === 204 ? null : response.json();
}

/** A pagination link (`next`) as a path on this server. */
export function relative(url) {
  const parsed = new URL(url, location.href);
  return parsed.pathname + parsed.search;
}
