// The JSON API as both pages call it: one request shape, one error shape
// ({"error": {"code", "message", "fields"?}}), one timeout. Each page says how it signs its
// requests and what a refusal means for it.

const TIMEOUT_MS = 15000;

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || "";
    this.fields = error.fields || null;
    // An answer without the error shape (a proxy's page, say) has nothing to show the user.
    this.explained = Boolean(error.message);
  }
}

/** The request may or may not have reached the server. */
export class NetworkError extends Error {}

export async function errorOf(response) {
  const body = await response.json().catch(() => null);
  return new ApiError(response.status, body);
}

/** What to tell the user about a failed request; `t` is the page's translator. */
export function messageOf(error, t) {
  if (error instanceof NetworkError) return t("networkError");
  if (error instanceof ApiError && (error.status >= 500 || !error.explained)) return t("serverError");
  return error.message || t("serverError");
}

/**
 * A client for one page's API.
 * - `base`: what paths are relative to (a pagination link's full URL works too);
 * - `sign(headers, method)`: adds the page's credentials to a request's headers;
 * - `refused(response, firstTry)`: called for a 401 (and, with `refusedStatuses`, others);
 *   resolves true to send the request once more, or throws.
 */
export function apiClient({ base = "/", sign = () => {}, refused = async () => false, refusedStatuses = [401] } = {}) {
  function url(path) {
    const parsed = new URL(path, new URL(base, location.href));
    return parsed.pathname + parsed.search;
  }

  async function send(path, { method = "GET", body, headers = {} }) {
    const allHeaders = { Accept: "application/json", ...headers };
    if (body !== undefined) allHeaders["Content-Type"] = "application/json";
    sign(allHeaders, method);
    try {
      return await fetch(url(path), {
        method,
        headers: allHeaders,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
        cache: "no-store",
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new NetworkError(error.message);
    }
  }

  /** The Response of `path` (whatever its status); NetworkError when there is none. */
  async function request(path, options = {}) {
    let response = await send(path, options);
    if (refusedStatuses.includes(response.status) && (await refused(response, true))) {
      response = await send(path, options);
      if (refusedStatuses.includes(response.status)) await refused(response, false);
    }
    return response;
  }

  /** The JSON of `path` (null for a 204); ApiError / NetworkError otherwise. */
  async function requestJson(path, options = {}) {
    const response = await request(path, options);
    if (!response.ok) throw await errorOf(response);
    return response.status === 204 ? null : response.json();
  }

  /** Every item of a paginated list, following `next`. */
  async function allPages(path) {
    const items = [];
    let next = path;
    while (next) {
      const page = await requestJson(next);
      items.push(...page.results);
      next = page.next;
    }
    return items;
  }

  return { request, requestJson, allPages };
}

function csrfToken() {
  const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
  return cookie ? decodeURIComponent(cookie.slice("csrftoken=".length)) : "";
}

/**
 * A client for a back-office page (the dashboard, the kitchen display): the admin session
 * cookie, writes carrying the CSRF token from its cookie, paths relative to `base`. When the
 * login has ended (401/403: expired, signed out elsewhere, password changed) it goes to `loginUrl`.
 */
export function adminClient({ base, loginUrl }) {
  return apiClient({
    base,
    sign(headers, method) {
      if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
    },
    refusedStatuses: [401, 403],
    async refused() {
      location.assign(loginUrl);
      return false;
    },
  });
}
