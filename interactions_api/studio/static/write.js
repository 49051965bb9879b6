/* Quire Studio's writing screen, on top of its plain form (which works without this):
   a live preview as you type (debounced, scroll kept in step), autosave of drafts with a
   visible state, images dropped or pasted into the Markdown uploaded and placed at the
   cursor, a word count, and Ctrl/Cmd+S (save) and Ctrl/Cmd+Enter (preview).
   It talks to the JSON API the form's services also answer: /api/inbox/*. */
(function () {
  "use strict";
  var form = document.getElementById("editor");
  if (!form) return;
  var body = form.elements.body;
  var preview = document.getElementById("preview");
  var state = document.getElementById("save-state");
  var words = document.getElementById("word-count");
  var minutes = document.getElementById("read-time");
  var token = form.elements.csrf_token.value;
  var autosave = form.dataset.autosave === "on";
  var previewTimer = 0, saveTimer = 0, saving = null, dirty = false, previewSeq = 0;

  function value(name) {
    var field = form.elements[name];
    return field ? field.value : "";
  }

  function fields() {
    var tags = value("tags").split(",").map(function (t) { return t.trim(); })
      .filter(function (t) { return t; });
    return {
      title: value("title").trim(), body: value("body"), tags: tags,
      summary: value("summary"), cover_src: value("cover_src"), cover_alt: value("cover_alt"),
      date: value("date") || null, category: value("category"), series: value("series"),
      canonical: value("canonical"), toc: form.elements.toc ? form.elements.toc.checked : false
    };
  }

  function show(text) { if (state) state.textContent = text; }

  /* a busy server (503, 429) says when to come back: try again then, a few times */
  function send(make, tries) {
    return make().then(function (response) {
      var busy = response.status === 503 || response.status === 429;
      if (!busy || tries <= 1) return answer(response);
      var wait = Math.min(10, Number(response.headers.get("Retry-After")) || 1);
      return new Promise(function (done) { setTimeout(done, wait * 1000); })
        .then(function () { return send(make, tries - 1); });
    });
  }

  function request(method, url, data) {
    return send(function () {
      return fetch(url, {
        method: method, credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify(data)
      });
    }, 4);
  }

  function answer(response) {
    return response.json().catch(function () { return {}; }).then(function (data) {
      if (!response.ok) {
        var detail = (data && (data.message || data.detail)) || response.statusText;
        throw new Error(typeof detail === "string" ? detail : "the server refused it");
      }
      return data;
    });
  }

  /* word count and reading time, as the builder counts them (230 words a minute) */
  function count() {
    var n = (body.value.match(/\S+/g) || []).length;
    if (words) words.textContent = String(n);
    if (minutes) minutes.textContent = String(Math.max(1, Math.round(n / 230)));
  }

  /* the preview: the article's header from the fields, its body from the builder */
  function element(tag, cls, text) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function renderPreview(data, post) {
    var article = element("article", "post");
    var header = element("header", "post-header");
    header.appendChild(element("h1", "p-name", post.title));
    var meta = (post.date ? post.date.replace("T", " ") + " UTC · " : "") +
      minutes.textContent + " min read · by " + form.dataset.author;
    header.appendChild(element("p", "post-meta", meta));
    article.appendChild(header);
    if (post.cover_src) {
      var figure = element("figure", "cover"), img = element("img");
      img.src = post.cover_src; img.alt = post.cover_alt;
      figure.appendChild(img); article.appendChild(figure);
    }
    var content = element("div", "post-body e-content");
    /* the builder's renderer, in the server's sandbox; uploads shown from Studio */
    content.innerHTML = form.dataset.imagesFrom
      ? data.html.split(form.dataset.imagesFrom).join(form.dataset.imagesTo) : data.html;
    article.appendChild(content);
    if (post.tags.length) {
      var list = element("ul", "tags");
      list.setAttribute("aria-label", "Tags");
      post.tags.forEach(function (t) { var li = element("li"); li.appendChild(element("span", "", t)); list.appendChild(li); });
      var footer = element("footer", "post-footer"); footer.appendChild(list); article.appendChild(footer);
    }
    var box = preview.parentNode.querySelector(".s-preview-problems") || element("div", "s-preview-problems");
    box.textContent = "";
    (data.errors || []).forEach(function (e) { box.appendChild(element("p", "s-field-error", e)); });
    preview.replaceChildren(box, article);
  }

  function refresh() {
    var post = fields(), seq = ++previewSeq;
    if (!post.title) post.title = "Untitled";
    request("POST", "/api/inbox/preview", post).then(function (data) {
      if (seq === previewSeq) renderPreview(data, post);
    }).catch(function (err) {
      if (seq === previewSeq) preview.replaceChildren(element("p", "s-field-error", "No preview: " + err.message));
    });
  }

  /* autosave: the first save creates the draft (the page then becomes its edit page) */
  function save() {
    if (saving) return saving;
    var post = fields();
    if (!post.title) { show("Not saved: give the article a title"); return Promise.resolve(false); }
    var id = form.dataset.id;
    show("Saving…");
    dirty = false;
    var call = id
      ? request("PUT", "/api/inbox/submissions/" + id, Object.assign(post, { version: Number(value("version")) }))
      : request("POST", "/api/inbox/submissions", Object.assign(post, { slug: value("slug").trim() || null }));
    saving = call.then(function (sub) {
      form.elements.version.value = String(sub.version);
      if (!id) {
        form.dataset.id = String(sub.id);
        form.dataset.slug = sub.slug;
        form.dataset.imagesFrom = "/images/inbox/" + sub.slug + "/";
        form.dataset.imagesTo = "/studio/write/" + sub.id + "/images/";
        form.action = "/studio/write/" + sub.id;
        history.replaceState(null, "", "/studio/write/" + sub.id);
        if (form.elements.slug) form.elements.slug.readOnly = true;
      }
      var now = new Date();
      show("Saved at " + now.toTimeString().slice(0, 5));
      return true;
    }).catch(function (err) {
      dirty = true;
      show("Not saved: " + err.message);
      return false;
    }).finally(function () { saving = null; });
    return saving;
  }

  function changed() {
    count();
    show(autosave ? "Unsaved changes" : "Unsaved changes: save with the buttons below");
    dirty = true;
    clearTimeout(previewTimer);
    previewTimer = setTimeout(refresh, 500);
    if (autosave) { clearTimeout(saveTimer); saveTimer = setTimeout(save, 4000); }
  }

  /* images: upload to the draft (saved first if new), then place the Markdown */
  function insertAtCursor(text) {
    var start = body.selectionStart, end = body.selectionEnd;
    body.setRangeText(text, start, end, "end");
    body.focus();
    changed();
  }

  function upload(file) {
    if (!/^image\/(jpeg|png|gif|webp)$/.test(file.type)) { show("Not uploaded: " + file.name + " is not a JPEG, PNG, GIF or WebP image"); return; }
    var ready = form.dataset.id ? Promise.resolve(true) : save();
    ready.then(function (ok) {
      if (!ok) return;
      show("Uploading " + (file.name || "the image") + "…");
      var data = new FormData();
      data.append("csrf_token", token);
      data.append("file", file, file.name || "pasted.png");
      return send(function () {
        return fetch("/api/inbox/submissions/" + form.dataset.id + "/images", {
          method: "POST", credentials: "same-origin", headers: { "Accept": "application/json" }, body: data
        });
      }, 4).then(function (image) {
        insertAtCursor("![" + (file.name || "image").replace(/\.[a-z]+$/i, "").replace(/[\[\]]/g, "") + "](" + image.url + ")");
        show("Image uploaded");
      });
    }).catch(function (err) { show("Not uploaded: " + err.message); });
  }

  function images(list) {
    var found = Array.prototype.filter.call(list || [], function (f) { return f && f.type && f.type.indexOf("image/") === 0; });
    found.forEach(upload);
    return found.length > 0;
  }

  body.addEventListener("dragover", function (e) { e.preventDefault(); body.classList.add("s-drop"); });
  body.addEventListener("dragleave", function () { body.classList.remove("s-drop"); });
  body.addEventListener("drop", function (e) {
    body.classList.remove("s-drop");
    if (e.dataTransfer && e.dataTransfer.files.length) {
      e.preventDefault();
      images(e.dataTransfer.files);
    }
  });
  body.addEventListener("paste", function (e) {
    var files = e.clipboardData ? e.clipboardData.files : null;
    if (files && images(files)) e.preventDefault();
  });

  /* scroll in step: the preview follows the source's position */
  body.addEventListener("scroll", function () {
    var range = body.scrollHeight - body.clientHeight;
    var target = preview.scrollHeight - preview.clientHeight;
    if (range > 0 && target > 0) preview.scrollTop = target * body.scrollTop / range;
  });

  form.addEventListener("input", function (e) { if (e.target.name !== "image") changed(); });
  form.addEventListener("keydown", function (e) {
    if (!(e.ctrlKey || e.metaKey)) return;
    if (e.key === "s" || e.key === "S") {
      e.preventDefault();
      if (autosave) { clearTimeout(saveTimer); save(); } else form.querySelector('button[value="save"]').click();
    } else if (e.key === "Enter") {
      e.preventDefault();
      clearTimeout(previewTimer);
      refresh();
    }
  });
  window.addEventListener("beforeunload", function (e) { if (dirty && autosave) { save(); e.preventDefault(); } });
  form.addEventListener("submit", function () { dirty = false; });
  count();
  if (body.value.trim()) refresh();
}());
