// The manager API with the admin session cookie; writes carry the CSRF token from its cookie.

import { config, t } from "./dom.js";

const TIMEOUT_MS = 15000;

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || t("serverError"));
    this.status = status;
    this.code = error.code || "";
  }
}

export class NetworkError extends Error {
  constructor() {
    super(t("networkError"));
  }
}

function csrfToken() {
  const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
  return cookie ? decodeURIComponent(cookie.slice("csrftoken=".length)) : "";
}

/** The login ended (expired, signed out elsewhere, password changed): back to the login page. */
export function toLogin() {
  location.assign(config.loginUrl);
}

/** A path under /api/v1/admin/, or a full `next` link of a paginated list. */
export function apiUrl(path) {
  const url = new URL(path, new URL(config.api, location.origin));
  return url.pathname + url.search;
}

/** JSON of `path` (null for a 204); ApiError / NetworkError otherwise. */
export async function api(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(apiUrl(path), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch {
    throw new NetworkError();
  }
  if (response.status === 401 || response.status === 403) {
    toLogin();
  }
  if (!response.ok) {
    const data = await response.json().catch(() => null);
    throw new ApiError(response.status, data);
  }
  return response.status === 204 ? null : response.json();
}

/** Every item of a paginated list, following `next`. */
export async function allPages(path) {
  const items = [];
  let next = path;
  while (next) {
    const page = await api(next);
    items.push(...page.results);
    next = page.next;
  }
  return items;
}

export function messageOf(error) {
  if (error instanceof ApiError && error.status >= 500) return t("serverError");
  return error.message || t("serverError");
}
