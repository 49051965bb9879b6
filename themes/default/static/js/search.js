// Starts Pagefind's search UI on the search page (loaded with defer, after pagefind-ui.js).
(function () {
  "use strict";
  var mount = document.getElementById("search");
  if (!mount || typeof window.PagefindUI !== "function") {
    if (mount) {
      var note = document.createElement("p");
      note.textContent = "Search is not available on this copy of the site.";
      mount.appendChild(note);
    }
    return;
  }
  new window.PagefindUI({
    element: "#search",
    bundlePath: mount.getAttribute("data-bundle-path") || "/pagefind/",
    showSubResults: true,
    showImages: false
  });
})();
