// The kitchen display's DOM helpers: the shared ones, its strings and config, its API client.

import { adminClient, messageOf as sharedMessageOf } from "../shared/api.js";
import { $, h, toast, translator } from "../shared/dom.js";
import { clock, displayNumber } from "../shared/format.js";

export { $, clock, displayNumber, h, toast };

export const t = translator("kitchen-strings");
export const config = JSON.parse(document.getElementById("kitchen-config").textContent);

// Paths are under /api/v1/admin/.
const client = adminClient({ base: config.api, loginUrl: config.loginUrl });

/** JSON of `path` (null for a 204); ApiError / NetworkError otherwise. */
export const api = client.requestJson;
export const allPages = client.allPages;

export function messageOf(error) {
  return sharedMessageOf(error, t);
}
