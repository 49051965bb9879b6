/** The interaction API seen from the page: JSON in and out, failures as ApiError. */

/** A failed call: HTTP `status` (0 when offline), the API's `code`, `message` and `retry` seconds. */
export class ApiError extends Error {
  constructor(status, code, message, retry) {
    super(message || code);
    Object.assign(this, { status, code, retry });
  }
}

/** A caller of the API at `base` ("" = this site's origin; cookies go along either way). */
export function createApi(base) {
  return async function call(method, path, body) {
    const init = {
      method,
      credentials: base ? "include" : "same-origin",
      headers: { Accept: "application/json" },
    };
    if (method !== "GET") {
      // The API's CSRF guard takes a state-changing call only as JSON from an allowed
      // Origin (which the browser adds); credentials carry the session cookie.
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body || {});
    }
    let response;
    try {
      response = await fetch(base + path, init);
    } catch {
      throw new ApiError(0, "offline");
    }
    let data = null;
    if (response.status !== 204) {
      try { data = await response.json(); } catch { /* not JSON */ }
    }
    if (!response.ok) {
      throw new ApiError(
        response.status,
        (data && data.code) || "http_" + response.status,
        data && typeof data.message === "string" ? data.message : "",
        +response.headers.get("Retry-After") || 0,
      );
    }
    return data;
  };
}

/** What a failure means to the reader, in their language (`words` from makeWords). */
export function describeError(error, words) {
  if (!(error instanceof ApiError)) return words.text("failed");
  if (error.status === 0) return words.text("offline");
  if (error.status === 429) return words.text("rate", error.retry || 60);
  if (error.code === "too_long" || error.status === 413) return words.text("long");
  if (error.code === "edit_window_closed") return words.text("window");
  if (error.status === 401 && error.code !== "invalid_credentials") return words.text("expired");
  return error.message || words.text("failed") + " (" + error.status + ")";
}
