/* Test helpers: a page (happy-dom) whose globals the widget modules use, and a real HTTP
   server on loopback standing in for the interaction API, recording what it was asked. */
import { createServer } from "node:http";
import { Window } from "happy-dom";

/** A fresh page with `html` in its body; sets the globals the modules read. */
export function openPage(html = "", { lang = "en" } = {}) {
  const window = new Window({ url: "http://127.0.0.1/" });
  window.document.documentElement.lang = lang;
  window.document.body.innerHTML = html;
  Object.assign(globalThis, {
    window,
    document: window.document,
    localStorage: window.localStorage,
    sessionStorage: window.sessionStorage,
    matchMedia: (query) => window.matchMedia(query),
    // The page's own timers, so closing the page stops the widgets' minute ticker.
    setInterval: (...args) => window.setInterval(...args),
  });
  return window;
}

/** Close the page (its timers) at the end of a test. */
export async function closePage(window) {
  await window.happyDOM.close();
}

/** An API on 127.0.0.1: `routes` maps "METHOD /path" to a function of (body, request)
    returning [status, json?, headers?]. Unknown routes answer 404. */
export async function startApi(routes) {
  const requests = [];
  const server = createServer((request, response) => {
    let raw = "";
    request.on("data", (chunk) => { raw += chunk; });
    request.on("end", () => {
      const body = raw ? JSON.parse(raw) : null;
      const key = `${request.method} ${request.url}`;
      requests.push({ key, body, headers: request.headers });
      const route = routes[key];
      const [status, json, headers] = route ? route(body, request) : [404, { code: "not_found", message: "No such route." }];
      response.writeHead(status, { "Content-Type": "application/json", ...headers });
      response.end(json === undefined ? "" : typeof json === "string" ? json : JSON.stringify(json));
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    requests,
    /** The request keys asked so far ("GET /api/...") */
    asked: () => requests.map((r) => r.key),
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

/** Wait until `check()` is true (the widgets answer clicks asynchronously). */
export async function until(check, what = "the page to settle") {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}
