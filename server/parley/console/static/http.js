// The console's JSON API calls: same-origin cookie, CSRF header on writes, errors as messages.

export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]').content;
}

// A new session (after changing one's own password) comes with a new token: the meta tag and
// the page's form fields (Sign out) carry it from now on.
export function setCsrfToken(token) {
  document.querySelector('meta[name="csrf-token"]').content = token;
  for (const field of document.querySelectorAll('input[name="csrf_token"]')) field.value = token;
}

export class ApiError extends Error {
  constructor(message, code = null) {
    super(message);
    this.code = code; // the server's error code, so a page can put the error beside its field
  }
}

// Resolves to the parsed body (null for 204); rejects with ApiError carrying the server's message.
export async function api(method, url, body) {
  const headers = method === "GET" ? {} : { "X-CSRF-Token": csrfToken() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) location.assign("/console/login"); // the session ended
  const parsed = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(parsed?.error?.message || `request failed (${response.status})`, parsed?.error?.code);
  return parsed;
}
