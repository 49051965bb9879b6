// Links mailed before the account pages moved under /api carried the token after "#"
// (the edge redirects /account/verify/ here and the browser keeps the fragment).
if (!location.search && location.hash.indexOf("#token=") === 0) {
  location.replace(location.pathname + "?" + location.hash.slice(1));
}
