import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ApiError, createApi, describeError } from "../src/api.js";
import { makeWords } from "../src/i18n.js";
import { READER_WORDS } from "../src/messages.js";
import { startApi } from "./page.js";

let server;
before(async () => {
  server = await startApi({
    "GET /api/ok": () => [200, { hello: "world" }],
    "POST /api/echo": (body) => [200, { got: body }],
    "DELETE /api/gone": () => [204],
    "POST /api/busy": () => [429, { code: "rate_limited", message: "Slow down." }, { "Retry-After": "17" }],
    "GET /api/broken": () => [500, "<html>oops</html>"],
  });
});
after(() => server.close());

const en = makeWords("en", READER_WORDS);

test("a GET asks for JSON and sends no body; a POST sends its body as JSON", async () => {
  const api = createApi(server.base);
  assert.deepEqual(await api("GET", "/api/ok"), { hello: "world" });
  assert.deepEqual(await api("POST", "/api/echo", { body: "hi" }), { got: { body: "hi" } });
  assert.deepEqual(await api("POST", "/api/echo"), { got: {} });
  const [get, post] = server.requests.slice(-3);
  assert.equal(get.headers.accept, "application/json");
  assert.equal(get.headers["content-type"], undefined);
  assert.equal(post.headers["content-type"], "application/json"); // what the API's CSRF guard asks
});

test("204 answers are null; refusals become ApiError with code, message and Retry-After", async () => {
  const api = createApi(server.base);
  assert.equal(await api("DELETE", "/api/gone", {}), null);
  const busy = await api("POST", "/api/busy", {}).catch((e) => e);
  assert.ok(busy instanceof ApiError);
  assert.deepEqual([busy.status, busy.code, busy.message, busy.retry], [429, "rate_limited", "Slow down.", 17]);
  const broken = await api("GET", "/api/broken").catch((e) => e);
  assert.deepEqual([broken.status, broken.code, broken.message], [500, "http_500", "http_500"]);
});

test("an unreachable API is status 0, which the reader reads as offline", async () => {
  const api = createApi("http://127.0.0.1:9"); // the discard port: nothing listens
  const offline = await api("GET", "/api/ok").catch((e) => e);
  assert.deepEqual([offline.status, offline.code], [0, "offline"]);
  assert.match(describeError(offline, en), /offline/);
});

test("each failure is explained in the reader's language", () => {
  const fr = makeWords("fr", READER_WORDS);
  assert.equal(describeError(new ApiError(429, "rate_limited", "", 17), en),
    "Too many requests. Please wait 17 seconds and try again.");
  assert.match(describeError(new ApiError(429, "rate_limited", "", 0), en), / 60 seconds/);
  assert.equal(describeError(new ApiError(413, "too_large"), en), en.text("long"));
  assert.equal(describeError(new ApiError(422, "too_long", "x"), fr), fr.text("long"));
  assert.equal(describeError(new ApiError(403, "edit_window_closed", "x"), en), en.text("window"));
  assert.equal(describeError(new ApiError(401, "not_signed_in", "x"), en), en.text("expired"));
  assert.equal(describeError(new ApiError(401, "invalid_credentials", "Wrong."), en), "Wrong.");
  assert.equal(describeError(new ApiError(409, "conflict", "Already liked."), en), "Already liked.");
  assert.equal(describeError(Object.assign(new ApiError(418, ""), { message: "" }), en), "Something went wrong (418)");
  assert.equal(describeError(new TypeError("bug"), fr), "Une erreur est survenue");
});
