// The manager API with the admin session cookie; writes carry the CSRF token from its cookie.

import { apiClient, messageOf as sharedMessageOf } from "../shared/api.js";
import { config, t } from "./dom.js";

export { ApiError } from "../shared/api.js";

function csrfToken() {
  const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
  return cookie ? decodeURIComponent(cookie.slice("csrftoken=".length)) : "";
}

/** The login ended (expired, signed out elsewhere, password changed): back to the login page. */
export function toLogin() {
  location.assign(config.loginUrl);
}

const client = apiClient({
  // Paths are under /api/v1/admin/.
  base: config.api,
  sign(headers, method) {
    if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  },
  refusedStatuses: [401, 403],
  async refused() {
    toLogin();
    return false;
  },
});

/** JSON of `path` (null for a 204); ApiError / NetworkError otherwise. */
export const api = client.requestJson;
export const allPages = client.allPages;

export function messageOf(error) {
  return sharedMessageOf(error, t);
}
