/*
 * Hotline agent console: keyboard-first department lookup while a caller waits.
 * Enter looks up, Ctrl+Enter (or C outside the search box) copies the answer for the call notes.
 * Everything from the server or the agent is inserted with textContent / text nodes; highlights are <mark>
 * elements built with DOM calls, never HTML strings.
 */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var form = $("search"), q = $("q"), statusEl = $("status"), verdictEl = $("verdict");
  var results = $("results"), empty = $("empty"), toast = $("toast");
  var current = null, seq = 0, toastTimer = null;
  // Short labels for the organisation chips; names and hotlines come with every department in the answer.
  var CHIP = { hrss: "人社 HRSS", hpf: "公积金 HPF" };

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined && text !== null) n.textContent = String(text);
    return n;
  }

  // ---- highlighting ------------------------------------------------------------------------------------------
  function escapeRe(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

  function termPattern(terms) {
    var parts = (terms || []).filter(function (t) { return typeof t === "string" && t.length; }).map(function (t) {
      if (/^[a-z0-9'-]+$/i.test(t)) {
        // English: match the word's stem at a word start, so "loans" also marks "loan" and "loaned".
        var stem = t.length > 4 ? t.replace(/(ies|es|s|ed|ing)$/i, "") : t;
        return "\\b" + escapeRe(stem.length >= 3 ? stem : t) + "[a-z]*";
      }
      return escapeRe(t);
    });
    if (!parts.length) return null;
    parts.sort(function (a, b) { return b.length - a.length; });
    return new RegExp("(" + parts.join("|") + ")", "gi");
  }

  function highlighted(text, pattern) {
    var frag = document.createDocumentFragment();
    text = String(text || "");
    if (!pattern) { frag.appendChild(document.createTextNode(text)); return frag; }
    var last = 0, m;
    pattern.lastIndex = 0;
    while ((m = pattern.exec(text)) !== null) {
      if (!m[0].length) { pattern.lastIndex++; continue; }
      if (m.index > last) frag.appendChild(document.createTextNode(text.slice(last, m.index)));
      frag.appendChild(el("mark", null, m[0]));
      last = m.index + m[0].length;
    }
    if (last < text.length) frag.appendChild(document.createTextNode(text.slice(last)));
    return frag;
  }

  // ---- rendering -----------------------------------------------------------------------------------------------
  function pct(score) { return Math.round(Math.max(0, Math.min(1, Number(score) || 0)) * 100); }

  function card(d, i, pattern) {
    var li = el("li", "card" + (i === 0 ? " first" : ""));
    li.dataset.departmentId = d.id;
    var head = el("div", "card-head");
    head.appendChild(el("span", "rank", i + 1));
    var names = el("div", "names");
    names.appendChild(el("h2", "name-en", d.name));
    var zh = el("p", "name-zh", d.zh);
    zh.lang = "zh-CN";
    names.appendChild(zh);
    head.appendChild(names);
    var conf = el("div", "conf");
    var p = pct(d.score);
    conf.appendChild(el("span", "conf-num", p + "%"));
    var meter = el("span", "meter");
    var fill = el("span", "fill " + (p >= 60 ? "high" : p >= 35 ? "mid" : "low"));
    fill.style.width = p + "%";
    meter.appendChild(fill);
    conf.appendChild(meter);
    conf.appendChild(el("span", "conf-label", "confidence"));
    head.appendChild(conf);
    li.appendChild(head);

    var orgRow = el("div", "org");
    orgRow.appendChild(el("span", "chip " + d.org, CHIP[d.org] || d.org));
    orgRow.appendChild(el("span", "org-name", d.org_name + " · " + d.org_zh));
    orgRow.appendChild(el("span", "hotline", "☎ " + d.hotline));
    orgRow.appendChild(el("code", "dept-id", d.id));
    li.appendChild(orgRow);

    var ev = d.evidence || [];
    if (ev.length) {
      var ul = el("ul", "evidence");
      ev.slice(0, 3).forEach(function (e) {
        var item = el("li");
        var en = el("p", "ev-en"); en.appendChild(highlighted(e.en, pattern));
        var zhp = el("p", "ev-zh"); zhp.lang = "zh-CN"; zhp.appendChild(highlighted(e.zh, pattern));
        item.appendChild(en);
        item.appendChild(zhp);
        ul.appendChild(item);
      });
      li.appendChild(ul);
    }
    return li;
  }

  function renderVerdict(a) {
    verdictEl.textContent = "";
    verdictEl.className = "verdict " + a.verdict;
    var top = a.departments[0], second = a.departments[1];
    var lead = el("strong");
    var rest = el("span");
    if (a.verdict === "answer" && top) {
      lead.textContent = "Route to " + top.name + " · " + top.zh;
      rest.textContent = "Hotline " + top.hotline + " (" + (CHIP[top.org] || top.org_name) + ")";
    } else if (a.verdict === "clarify" && top && second) {
      lead.textContent = "Ask the caller to clarify";
      rest.textContent = a.departments.slice(0, 3).map(function (d) { return d.name + " (" + d.zh + ")"; }).join(" or ") + "?";
    } else if (a.verdict === "other_city") {
      lead.textContent = "Another city: " + (a.place || "") + " · 外地业务";
      var numbers = Object.keys(a.hotlines || {}).map(function (k) { return a.hotlines[k]; }).join(" / ");
      rest.textContent = "We cover Shanghai only. The caller can dial " + numbers + " in that city too.";
    } else {
      lead.textContent = "No department is a likely match · 未找到对应部门";
      rest.textContent = "Ask for more detail, or check whether the matter belongs to another agency.";
    }
    verdictEl.appendChild(lead);
    verdictEl.appendChild(rest);
    var button = el("button", "copy", "Copy for call notes");
    button.type = "button";
    button.title = "Ctrl+Enter, or C when not typing";
    button.addEventListener("click", function () { copy(); q.focus(); });
    verdictEl.appendChild(button);
    verdictEl.hidden = false;
  }

  function render(a, query, started) {
    current = a;
    var pattern = termPattern(a.terms);
    results.textContent = "";
    (a.departments || []).slice(0, 3).forEach(function (d, i) { results.appendChild(card(d, i, pattern)); });
    renderVerdict(a);
    empty.hidden = true;
    results.dataset.query = query;
    var ms = Math.round(performance.now() - started);
    statusEl.textContent = "";
    statusEl.appendChild(el("span", "timing", "Answered in " + ms + " ms"));
    statusEl.appendChild(el("span", "muted", "engine " + Math.round(a.elapsed_ms) + " ms · language " + (a.language === "zh" ? "中文" : "English") + " · " + a.verdict));
    statusEl.dataset.ms = String(ms);
  }

  function showError(message, query) {
    current = null;
    results.dataset.query = query;
    results.textContent = "";
    verdictEl.hidden = false;
    verdictEl.className = "verdict error";
    verdictEl.textContent = message;
    statusEl.textContent = "";
  }

  // Esc: a fresh start for the next caller — the box, the answer, the verdict and what C would copy.
  function clearAll() {
    seq++; // a lookup still on its way must not draw itself afterwards
    current = null;
    q.value = "";
    results.textContent = "";
    results.dataset.query = "";
    verdictEl.hidden = true;
    verdictEl.textContent = "";
    statusEl.textContent = "";
    empty.hidden = false;
    q.focus();
  }

  function lookup(query) {
    query = query.trim();
    if (!query) { q.focus(); return; }
    var mine = ++seq, started = performance.now();
    statusEl.textContent = "Looking up…";
    fetch("/api/ask?q=" + encodeURIComponent(query) + "&k=3", { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, status: r.status, body: body }; }); })
      .then(function (res) {
        if (mine !== seq) return; // a newer lookup superseded this one
        if (res.status === 401) { location.assign("/login?next=/agent"); return; } // the staff session ended
        if (!res.ok) { showError(res.body && res.body.message ? res.body.message : "Lookup failed.", query); return; }
        render(res.body, query, started);
      })
      .catch(function () { if (mine === seq) showError("The lookup service is not reachable. Check that `make run` is up.", query); });
  }

  // ---- copy for call notes ---------------------------------------------------------------------------------------
  function note(a, only) {
    var list = only === undefined ? a.departments.slice(0, 3) : [a.departments[only]];
    var lines = ["Caller: " + a.query];
    list.forEach(function (d, i) {
      if (!d) return;
      lines.push((only === undefined ? (i + 1) + ". " : "→ ") + d.name + " / " + d.zh + " — " + d.org_name +
        " (" + d.org_zh + "), hotline " + d.hotline + ", confidence " + pct(d.score) + "% [" + d.id + "]");
      if (i === 0 && d.evidence && d.evidence[0]) lines.push("   Duty: " + d.evidence[0].en + " / " + d.evidence[0].zh);
    });
    if (a.verdict === "clarify") lines.push("Note: top departments are close; clarified with caller.");
    if (a.verdict === "no_answer") lines.push("Note: no department was a likely match.");
    if (a.verdict === "other_city") lines.push("Note: about another city (" + (a.place || "") + "); Shanghai only.");
    return lines.join("\n");
  }

  function flash(message) {
    toast.textContent = message;
    toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { toast.hidden = true; }, 1800);
  }

  function copy(only) {
    if (!current || !current.departments.length) { flash("Nothing to copy yet — look something up first."); return; }
    if (only !== undefined && !current.departments[only]) return;
    var text = note(current, only);
    document.body.dataset.copied = text; // lets tests and the latency bench see what was copied
    var fallback = function () {
      var ta = el("textarea");
      ta.value = text;
      ta.setAttribute("readonly", "");
      ta.className = "sr";
      document.body.appendChild(ta);
      ta.select();
      try { document.execCommand("copy"); } catch (e) { /* nothing more to try */ }
      document.body.removeChild(ta);
      q.focus();
    };
    var done = function () { flash(only === undefined ? "Answer copied for the call notes" : "Department " + (only + 1) + " copied"); };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, function () { fallback(); done(); });
    else { fallback(); done(); }
  }

  // ---- keyboard ----------------------------------------------------------------------------------------------------
  form.addEventListener("submit", function (e) { e.preventDefault(); lookup(q.value); });
  document.addEventListener("keydown", function (e) {
    var typing = e.target === q || /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName) || e.target.isContentEditable;
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); copy(); return; }
    if (e.key === "Escape") { e.preventDefault(); clearAll(); return; }
    if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "c" || e.key === "C") { e.preventDefault(); copy(); }
    else if (e.key === "/") { e.preventDefault(); q.focus(); q.select(); }
    else if (/^[1-3]$/.test(e.key)) { e.preventDefault(); copy(Number(e.key) - 1); }
  });
  q.focus();
})();
