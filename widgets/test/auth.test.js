import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createApi } from "../src/api.js";
import { createAuth } from "../src/auth.js";
import { startApi } from "./page.js";

let server;
let signedIn = true;
let signoutStatus = 204;
before(async () => {
  server = await startApi({
    "GET /api/auth/me": () => (signedIn ? [200, { user: { id: 1, display_name: "Ada" } }] : [401, { code: "not_signed_in" }]),
    "POST /api/auth/signout": () => [signoutStatus, signoutStatus === 204 ? undefined : { code: "x", message: "No." }],
  });
});
after(() => server.close());

const memory = (entries = {}) => {
  const data = new Map(Object.entries(entries));
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => data.set(k, v),
    removeItem: (k) => data.delete(k),
  };
};

test("a browser that never signed in is anonymous without asking the API", async () => {
  const before_ = server.requests.length;
  const auth = createAuth(createApi(server.base), () => memory());
  assert.equal(auth.user, null);
  await auth.load();
  assert.equal(server.requests.length, before_);
});

test("the sign-in hint makes the reader unknown until the API says who they are", async () => {
  const storage = memory({ "quire:user": "1" });
  const auth = createAuth(createApi(server.base), () => storage);
  assert.equal(auth.user, undefined);
  const heard = [];
  auth.subscribe(() => heard.push(auth.user && auth.user.display_name));
  signedIn = true;
  await auth.load();
  assert.deepEqual(heard, ["Ada"]);
  assert.equal(storage.data.get("quire:user"), "1");
});

test("an expired session clears the hint", async () => {
  const storage = memory({ "quire:user": "1" });
  const auth = createAuth(createApi(server.base), () => storage);
  signedIn = false;
  await auth.load();
  assert.equal(auth.user, null);
  assert.equal(storage.data.has("quire:user"), false);
});

test("storage that refuses (private mode) leaves the widgets working", async () => {
  const refuse = () => { throw new Error("SecurityError"); };
  const auth = createAuth(createApi(server.base), refuse);
  assert.equal(auth.user, null);
  auth.setUser({ display_name: "Ada" });
  assert.equal(auth.user.display_name, "Ada");
});

test("signing out: an expired session counts as signed out, other failures keep the user", async () => {
  const auth = createAuth(createApi(server.base), () => memory());
  auth.setUser({ display_name: "Ada" });
  signoutStatus = 500;
  await assert.rejects(auth.signOut(), { status: 500 });
  assert.equal(auth.user.display_name, "Ada");
  signoutStatus = 401;
  await auth.signOut();
  assert.equal(auth.user, null);
  auth.setUser({ display_name: "Ada" });
  signoutStatus = 204;
  await auth.signOut();
  assert.equal(auth.user, null);
});
