// The search page: queries Quire's static index under /search/ (see builder/search_shards.py).
// Loads the table of contents, then only the word shards a query needs and the files of
// the results shown; ranks by BM25-like weights; every query word must match (the last
// one also as a prefix, while typing). No server: static files only.
(function () {
  "use strict";
  var form = document.getElementById("search");
  if (!form || !window.fetch) return;
  var base = form.getAttribute("data-index") || "/search/";
  var input = form.querySelector("input[name=q]");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var selects = { t: form.querySelector("select[name=tag]"), a: form.querySelector("select[name=author]") };
  var WORD = /[\p{L}\p{N}]+/gu;
  var PAGE = 10;
  var cache = {};
  var meta = null;
  var hits = [];
  var shown = 0;
  var words = [];
  var run = 0;
  var timer = 0;

  function load(path) {
    if (!cache[path]) {
      cache[path] = fetch(base + path).then(function (r) {
        if (!r.ok) throw new Error(path + ": " + r.status);
        return r.json();
      });
    }
    return cache[path];
  }
  function fileName(key) {
    if (/^[a-z0-9][a-z0-9-]*$/.test(key)) return key;
    var hex = "_";
    new TextEncoder().encode(key).forEach(function (b) { hex += (b < 16 ? "0" : "") + b.toString(16); });
    return hex;
  }
  function say(text) { status.textContent = text; }

  function shardsFor(word, prefix) {
    var best = "";
    var keys = [];
    meta.shards.forEach(function (k) {
      if (word.lastIndexOf(k, 0) === 0 && k.length > best.length) best = k;
      if (prefix && k.length > word.length && k.lastIndexOf(word, 0) === 0) keys.push(k);
    });
    if (best) keys.push(best);
    return keys.slice(-4);
  }
  // document id -> score for one query word: exact matches, and longer words when `prefix`
  function scores(word, prefix) {
    return Promise.all(shardsFor(word, prefix).map(function (k) { return load("t/" + fileName(k) + ".json"); }))
      .then(function (shards) {
        var out = new Map();
        shards.forEach(function (shard) {
          Object.keys(shard).forEach(function (w) {
            var exact = w === word;
            if (!exact && !(prefix && w.lastIndexOf(word, 0) === 0)) return;
            var flat = shard[w];
            var df = flat.length / 2;
            var idf = Math.log(1 + (meta.n - df + 0.5) / (df + 0.5)) * (exact ? 1 : 0.5);
            for (var i = 0, id = 0; i < flat.length; i += 2) {
              id += flat[i];
              out.set(id, Math.max(out.get(id) || 0, idf * flat[i + 1]));
            }
          });
        });
        return out;
      });
  }
  function members(kind) {
    var key = selects[kind] && selects[kind].value;
    if (!key) return Promise.resolve(null);
    return load("f/" + kind + "-" + fileName(key) + ".json").then(function (flat) {
      var set = new Set();
      for (var i = 0, id = 0; i < flat.length; i++) { id += flat[i]; set.add(id); }
      return set;
    });
  }

  function search() {
    var mine = ++run;
    words = (input.value.toLowerCase().match(WORD) || []).filter(function (w) { return w.length > 1 && w.length <= 40; });
    list.textContent = "";
    more.hidden = true;
    if (!words.length) { say(input.value.trim() ? "Type at least two letters." : ""); return; }
    say("Searching…");
    var jobs = words.map(function (w, i) { return scores(w, i === words.length - 1); });
    jobs.push(members("t"), members("a"));
    Promise.all(jobs).then(function (found) {
      if (mine !== run) return;
      var filters = found.splice(words.length, 2);
      var total = found[0];
      hits = [];
      total.forEach(function (score, id) {
        for (var i = 1; i < found.length; i++) {
          if (!found[i].has(id)) return;
          score += found[i].get(id);
        }
        if ((filters[0] && !filters[0].has(id)) || (filters[1] && !filters[1].has(id))) return;
        hits.push([score, id]);
      });
      hits.sort(function (x, y) { return y[0] - x[0] || x[1] - y[1]; });
      shown = 0;
      say(hits.length === 1 ? "1 result" : hits.length + " results");
      return show();
    }).catch(function () { if (mine === run) say("Search is not available right now."); });
  }

  function show() {
    var page = hits.slice(shown, shown + PAGE);
    shown += page.length;
    more.hidden = shown >= hits.length;
    var mine = run;
    return Promise.all(page.map(function (h) { return load("d/" + h[1] + ".json"); })).then(function (docs) {
      if (mine !== run) return;
      docs.forEach(function (doc) { list.appendChild(item(doc)); });
    });
  }

  function item(doc) {
    var li = document.createElement("li");
    var h = document.createElement("h2");
    var a = document.createElement("a");
    a.href = doc.u;
    a.textContent = doc.t;
    h.appendChild(a);
    li.appendChild(h);
    var about = [doc.d].concat(doc.a, doc.g).filter(Boolean).join(" · ");
    if (about) {
      var p = document.createElement("p");
      p.className = "meta";
      p.textContent = about;
      li.appendChild(p);
    }
    li.appendChild(excerpt(doc.x));
    return li;
  }
  function excerpt(text) {
    var escaped = words.map(function (w) { return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); });
    var marks = new RegExp("(?<![\\p{L}\\p{N}])(?:" + escaped.join("|") + ")[\\p{L}\\p{N}]*", "giu");
    var first = text.search(marks);
    var start = Math.max(0, first - 80);
    var cut = text.slice(start, start + 240);
    if (start > 0) cut = "…" + cut.replace(/^\S*\s/, "");
    if (start + 240 < text.length) cut = cut.replace(/\s\S*$/, "") + "…";
    var p = document.createElement("p");
    var at = 0;
    cut.replace(marks, function (m, i) {
      p.appendChild(document.createTextNode(cut.slice(at, i)));
      var mark = document.createElement("mark");
      mark.textContent = m;
      p.appendChild(mark);
      at = i + m.length;
      return m;
    });
    p.appendChild(document.createTextNode(cut.slice(at)));
    return p;
  }

  function fill(kind, values, chosen) {
    var select = selects[kind];
    if (!select) return;
    values.forEach(function (v) {
      var option = new Option(v[0] + " (" + v[2] + ")", v[1]);
      option.selected = v[1] === chosen;
      select.appendChild(option);
    });
  }
  function later() {
    var url = new URL(location.href);
    url.searchParams.set("q", input.value);
    ["tag", "author"].forEach(function (name) {
      var value = form.elements[name].value;
      if (value) url.searchParams.set(name, value); else url.searchParams.delete(name);
    });
    history.replaceState(null, "", url);
    clearTimeout(timer);
    timer = setTimeout(search, 150);
  }

  var params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  load("meta.json").then(function (m) {
    meta = m;
    fill("t", m.filters.t || [], params.get("tag"));
    fill("a", m.filters.a || [], params.get("author"));
    form.addEventListener("submit", function (e) { e.preventDefault(); clearTimeout(timer); search(); });
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    more.addEventListener("click", show);
    if (input.value) search();
  }).catch(function () { say("Search is not available on this copy of the site."); });
})();
