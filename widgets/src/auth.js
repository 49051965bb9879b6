/** Who is signed in, shared by every widget on the page. */

// A local hint spares anonymous readers (most of them) a 401 round trip.
const HINT = "quire:user";

/** The reader's session: `user` is null (anonymous), undefined (not known yet) or the account. */
export function createAuth(api, storage = () => localStorage) {
  let user = null;
  const listeners = new Set();
  try { if (storage().getItem(HINT)) user = undefined; } catch { /* private mode */ }

  const setUser = (next) => {
    user = next;
    try {
      if (next) storage().setItem(HINT, "1");
      else storage().removeItem(HINT);
    } catch { /* private mode */ }
    listeners.forEach((listener) => listener());
  };

  return {
    get user() { return user; },
    setUser,
    /** Run `listener` after every sign-in and sign-out. */
    subscribe: (listener) => listeners.add(listener),
    /** Ask the API who this is, unless no one signed in from this browser. */
    async load() {
      if (user !== undefined) return;
      try { setUser((await api("GET", "/api/auth/me")).user); } catch { setUser(null); }
    },
    /** Sign out on the API; an expired session counts as signed out. */
    async signOut() {
      try { await api("POST", "/api/auth/signout", {}); } catch (error) { if (error.status !== 401) throw error; }
      setUser(null);
    },
  };
}
