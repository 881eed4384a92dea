// The manager API with the admin session cookie (shared/api.js adminClient).

import { adminClient, messageOf as sharedMessageOf } from "../shared/api.js";
import { config, t } from "./dom.js";

export { ApiError } from "../shared/api.js";

// Paths are under /api/v1/admin/.
const client = adminClient({ base: config.api, loginUrl: config.loginUrl });

/** JSON of `path` (null for a 204); ApiError / NetworkError otherwise. */
export const api = client.requestJson;
export const allPages = client.allPages;

export function messageOf(error) {
  return sharedMessageOf(error, t);
}
