/*
 * whohandles citizen chat widget — one script tag, no build step, no dependencies.
 *
 *   <script src="https://HOST/widget.js" data-rasa-url="https://RASA-HOST" defer></script>
 *
 * Why vanilla: it must render our department cards with evidence and per-answer 👍/👎, follow the user's
 * language as they type, and stay small enough to audit. Every bot or user string goes into the page with
 * textContent, never innerHTML, so a message such as <img src=x onerror=alert(1)> is shown literally.
 * The UI lives in a shadow root so the host site's CSS cannot break it (and ours cannot break the site).
 */
(function () {
  "use strict";
  if (window.WhoHandles) return; // embedded twice: keep the first

  var script = document.currentScript;
  var SRC = new URL(script ? script.src : "/widget.js", location.href);
  var DATA = (script && script.dataset) || {};
  var RASA_URL = (DATA.rasaUrl || "http://127.0.0.1:5005").replace(/\/+$/, "");
  var API_URL = (DATA.apiUrl || SRC.origin).replace(/\/+$/, "");
  var STORE_KEY = "whohandles.chat.v1";
  var MAX_TURNS = 60;
  var TIMEOUT_MS = 20000;

  // {org: {name, zh, hotline}}, filled in by the web server from knowledge/data/departments.yml when it serves
  // /widget.js; departments in answers carry their own (org_name, org_zh, hotline).
  var ORGS = /*{{ORGS}}*/ null || {};

  // Every interface text in English and Chinese: web/static/widget-text.json, filled in by the web server when it
  // serves /widget.js (like ORGS above), so translators edit a message catalogue, not code.
  var T = /*{{TEXT}}*/ null || { en: {}, zh: {} };

  // ---- state --------------------------------------------------------------------------------------------
  function randomId() {
    var bytes = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return "web-" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function initialLang() {
    var wanted = (DATA.lang || "").toLowerCase();
    if (wanted === "zh" || wanted === "en") return wanted;
    var page = (document.documentElement.lang || navigator.language || "en").toLowerCase();
    return page.indexOf("zh") === 0 ? "zh" : "en";
  }

  function load() {
    try {
      var saved = JSON.parse(localStorage.getItem(STORE_KEY) || "null");
      if (saved && typeof saved.sender === "string" && Array.isArray(saved.turns)) return saved;
    } catch (e) { /* unreadable storage: start over */ }
    return { sender: randomId(), lang: initialLang(), open: false, turns: [] };
  }

  var state = load();

  function save() {
    state.turns = state.turns.slice(-MAX_TURNS);
    try { localStorage.setItem(STORE_KEY, JSON.stringify(state)); } catch (e) { /* private mode: memory only */ }
  }

  function t(key) {
    var text = T[state.lang][key];
    if (typeof text !== "string") return text;
    var names = Object.keys(ORGS).map(function (k) { return state.lang === "zh" ? ORGS[k].zh : ORGS[k].name; });
    return text.replace("{hotlines}", hotlineList(T[state.lang].or)).replace("{orgs}", names.join(T[state.lang].orgsJoin));
  }

  // "12333 (HRSS) or 12329 (HPF)" / "12333（人社局）或12329（公积金中心）", from the served table.
  function hotlineList(joiner) {
    return Object.keys(ORGS).map(function (k) {
      var o = ORGS[k], short = state.lang === "zh" ? o.short_zh : o.short_en;
      return state.lang === "zh" ? o.hotline + "（" + short + "）" : o.hotline + " (" + short + ")";
    }).join(joiner);
  }

  function subtitleText() {
    return Object.keys(ORGS).map(function (k) {
      return (state.lang === "zh" ? ORGS[k].short_zh : ORGS[k].short_en) + " " + ORGS[k].hotline;
    }).join(" · ");
  }

  // <language-rule>
  // The same rule as common/language.py (tests/unit/test_language_parity.py runs one set of
  // cases through both): Chinese when Han characters are at least as many as Latin words; null when the
  // text has no letters at all ("2", "👍"), so the language stays as it was.
  function languageOf(text) {
    text = String(text || "");
    var han = (text.match(/[\u3400-\u9fff]/g) || []).length;
    var latinWords = (text.match(/[A-Za-z]+/g) || []).length;
    if (!han && !latinWords) return null;
    if (!han) return "en";
    return han >= latinWords ? "zh" : "en";
  }
  // </language-rule>

  // ---- DOM helpers (text only, never HTML) ---------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") node.textContent = v;
      else if (k === "class") node.className = v;
      else if (k.indexOf("on") === 0) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }

  function icon(name) {
    // Static SVG built with DOM calls; no markup strings.
    var NS = "http://www.w3.org/2000/svg";
    var paths = {
      chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z",
      send: "M3 20.5 21 12 3 3.5v6.6L15 12 3 13.9z",
      close: "M6 6l12 12M18 6 6 18",
      restart: "M4 12a8 8 0 1 0 2.3-5.6M4 4v4.5h4.5",
      phone: "M6.6 10.8a15 15 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z",
      up: "M7 22H4a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h3m0 11V11l4-9a3 3 0 0 1 3 3v4h5.7a2 2 0 0 1 2 2.3l-1.4 9a2 2 0 0 1-2 1.7z",
      down: "M17 2h3a2 2 0 0 1 2 2v7a2 2 0 0 1-2 2h-3m0-11v11l-4 9a3 3 0 0 1-3-3v-4H4.3a2 2 0 0 1-2-2.3l1.4-9a2 2 0 0 1 2-1.7z",
      building: "M3 21h18M5 21V8l7-5 7 5v13M9 21v-6h6v6M9 11h.01M15 11h.01"
    };
    var svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "wh-icon wh-icon-" + name);
    var path = document.createElementNS(NS, "path");
    path.setAttribute("d", paths[name]);
    svg.appendChild(path);
    return svg;
  }

  // ---- build the shell ---------------------------------------------------------------------------------------
  var host = el("div", { id: "whohandles-widget" });
  var shadow = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var sheet = el("link", { rel: "stylesheet", href: SRC.origin + "/widget.css" });
  var root = el("div", { class: "wh-root", hidden: true });
  sheet.addEventListener("load", function () { root.hidden = false; });
  sheet.addEventListener("error", function () { root.hidden = false; });

  var launcherLabel = el("span", { class: "wh-launcher-label" });
  var launcher = el("button", { type: "button", class: "wh-launcher", "aria-expanded": "false", "aria-controls": "wh-panel" },
    [icon("chat"), icon("close"), launcherLabel]);
  var title = el("h2", { id: "wh-title", class: "wh-title" });
  var subtitle = el("p", { class: "wh-subtitle" });
  var langBtn = el("button", { type: "button", class: "wh-hbtn wh-lang" });
  var restartBtn = el("button", { type: "button", class: "wh-hbtn wh-restart" }, [icon("restart")]);
  var closeBtn = el("button", { type: "button", class: "wh-hbtn wh-close" }, [icon("close")]);
  var log = el("div", { class: "wh-log", role: "log", "aria-live": "polite", "aria-relevant": "additions", tabindex: "-1" });
  var inputLabel = el("label", { for: "wh-input", class: "wh-sr" });
  var input = el("textarea", { id: "wh-input", class: "wh-input", rows: "1", maxlength: "500", autocomplete: "off", enterkeyhint: "send" });
  var sendBtn = el("button", { type: "submit", class: "wh-send" }, [icon("send")]);
  var form = el("form", { class: "wh-form", novalidate: true }, [inputLabel, input, sendBtn]);
  var disclaimer = el("p", { class: "wh-disclaimer" });
  var panel = el("section", { id: "wh-panel", class: "wh-panel", role: "dialog", "aria-modal": "true", "aria-labelledby": "wh-title", hidden: true }, [
    el("header", { class: "wh-header" }, [
      el("div", { class: "wh-emblem", "aria-hidden": "true" }, [icon("building")]),
      el("div", { class: "wh-heading" }, [title, subtitle]),
      el("div", { class: "wh-actions" }, [langBtn, restartBtn, closeBtn])
    ]),
    log, form, disclaimer
  ]);
  root.appendChild(panel);
  root.appendChild(launcher);
  shadow.appendChild(sheet);
  shadow.appendChild(root);

  function applyChrome() {
    root.setAttribute("lang", state.lang === "zh" ? "zh-CN" : "en");
    launcherLabel.textContent = t("launcher");
    launcher.setAttribute("aria-label", panel.hidden ? t("launcherAria") : t("close"));
    title.textContent = t("title");
    subtitle.textContent = subtitleText();
    langBtn.textContent = t("langSwitch");
    langBtn.setAttribute("aria-label", t("langSwitchAria"));
    restartBtn.setAttribute("aria-label", t("restart"));
    restartBtn.setAttribute("title", t("restart"));
    closeBtn.setAttribute("aria-label", t("close"));
    closeBtn.setAttribute("title", t("close"));
    inputLabel.textContent = t("inputLabel");
    input.setAttribute("placeholder", t("placeholder"));
    sendBtn.setAttribute("aria-label", t("send"));
    disclaimer.textContent = t("disclaimer");
  }

  function setLang(lang) {
    if (!lang || lang === state.lang) return;
    state.lang = lang;
    save();
    applyChrome();
    renderAll();
  }

  // ---- rendering ---------------------------------------------------------------------------------------------
  function bubble(who, text) {
    return el("div", { class: "wh-msg wh-" + who }, [
      el("span", { class: "wh-sr", text: (who === "user" ? t("you") : t("bot")) + ": " }),
      el("p", { class: "wh-bubble" }, who === "bot" ? withHotlineLinks(String(text || "")) : [String(text || "")])
    ]);
  }

  function telLink(hotline, cls, label) {
    return el("a", { class: cls, href: "tel:" + hotline.replace(/[^0-9+]/g, ""), "aria-label": t("call") + " " + hotline, text: label || hotline });
  }

  // The hotlines named in a reply's text become tel: links (text nodes and links only, never HTML).
  var HOTLINES = Object.keys(ORGS).map(function (k) { return String(ORGS[k].hotline || "").replace(/[^0-9]/g, ""); }).filter(Boolean);
  var HOTLINE_IN_TEXT = HOTLINES.length ? new RegExp("(^|[^0-9])(" + HOTLINES.join("|") + ")(?![0-9])") : null;
  function withHotlineLinks(text) {
    if (!HOTLINE_IN_TEXT) return [text];
    var parts = [], rest = text, m;
    while ((m = HOTLINE_IN_TEXT.exec(rest))) {
      var at = m.index + m[1].length;
      if (at) parts.push(rest.slice(0, at));
      parts.push(telLink(m[2], "wh-tel"));
      rest = rest.slice(at + m[2].length);
    }
    if (rest) parts.push(rest);
    return parts;
  }

  function evidenceText(item) {
    if (typeof item === "string") return item;
    if (item && typeof item === "object") return String(item[state.lang] || item.en || item.zh || item.text || "");
    return "";
  }

  function departmentCard(d, main, info) {
    var org = ORGS[d.org] || {};
    var hotline = String(d.hotline || org.hotline || "");
    var primary = state.lang === "zh" ? (d.zh || d.name) : (d.name || d.zh);
    var secondary = state.lang === "zh" ? d.name : d.zh;
    var orgName = state.lang === "zh" ? (d.org_zh || org.zh || "") : (d.org_name || org.name || "");
    var card = el("article", { class: "wh-card" + (main ? " wh-card-main" : ""), "data-department-id": String(d.id || "") }, [
      el("p", { class: "wh-card-org", text: orgName }),
      el("h3", { class: "wh-card-name", text: String(primary || "") }),
      secondary && secondary !== primary ? el("p", { class: "wh-card-alt", text: String(secondary) }) : null
    ]);
    if (hotline && !main) {
      card.appendChild(telLink(hotline, "wh-hotline-small"));
    } else if (hotline) {
      card.appendChild(el("a", { class: "wh-hotline", href: "tel:" + hotline.replace(/[^0-9+]/g, ""), "aria-label": t("call") + " " + hotline },
        [icon("phone"), el("span", { text: hotline })]));
    }
    // An answer shows the three duties that justify it; "what does it do?" shows every duty the text lists.
    var evidence = (Array.isArray(d.evidence) ? d.evidence : []).map(evidenceText).filter(Boolean).slice(0, info ? 10 : 3);
    if (main && evidence.length) {
      card.appendChild(el("p", { class: "wh-why", text: t(info ? "duties" : "why") }));
      card.appendChild(el("ul", { class: "wh-evidence" }, evidence.map(function (s) { return el("li", { text: s }); })));
    }
    return card;
  }

  // Another city: the reply's text (we cover Shanghai; the same numbers serve that city), with both hotlines
  // as tappable links.
  function otherCityBlock(messages) {
    var text = (messages || []).map(function (m) { return typeof m.text === "string" ? m.text : ""; }).filter(Boolean).join("\n");
    var links = Object.keys(ORGS).map(function (k) {
      var o = ORGS[k];
      return telLink(o.hotline, "wh-hotline-link", o.hotline + " · " + (state.lang === "zh" ? o.zh : o.name));
    });
    return el("div", { class: "wh-msg wh-bot wh-other-city" }, [
      el("p", { class: "wh-bubble", text: text }),
      el("div", { class: "wh-hotlines" }, links)
    ]);
  }

  function customBlock(custom, messages) {
    var type = custom && custom.type;
    if (type === "other_city") return otherCityBlock(messages);
    var depts = (custom && Array.isArray(custom.departments)) ? custom.departments.filter(function (d) { return d && typeof d === "object"; }) : [];
    if (!(type === "department_answer" || type === "department_info") || !depts.length) return null;
    var info = type === "department_info";
    var wrap = el("div", { class: "wh-msg wh-bot wh-cards" }, [
      el("p", { class: "wh-bubble wh-lead", text: t(info ? "leadInfo" : "leadAnswer") }),
      departmentCard(depts[0], true, info)
    ]);
    if (info && custom.more === true) { // the department has duties not listed yet
      var more = t("more");
      wrap.appendChild(el("div", { class: "wh-choices" }, [
        el("button", { type: "button", class: "wh-choice", text: more, onclick: function () { send(more, more); } })
      ]));
    }
    if (depts.length > 1 && type === "department_answer") {
      var others = el("div", { class: "wh-others" }, [el("p", { class: "wh-others-label", text: t("alsoPossible") })]);
      depts.slice(1, 3).forEach(function (d) { others.appendChild(departmentCard(d, false)); });
      wrap.appendChild(others);
    }
    return wrap;
  }

  function clarifyDepartments(messages) {
    for (var i = 0; i < messages.length; i++) {
      var c = messages[i].custom;
      if (c && c.type === "clarify" && Array.isArray(c.departments) && c.departments.length) {
        return c.departments.filter(function (d) { return d && typeof d === "object" && d.id; });
      }
    }
    return null;
  }

  function optionFor(payload, options) {
    for (var i = 0; options && i < options.length; i++) {
      if (payload.indexOf('"' + options[i].id + '"') !== -1) return options[i];
    }
    return null;
  }

  function buttonsBlock(buttons, turnIndex, isLast, options) {
    var group = el("div", { class: "wh-msg wh-bot wh-choices", role: "group", "aria-label": t("options") });
    var next = state.turns[turnIndex + 1];
    buttons.forEach(function (b) {
      if (!b || typeof b !== "object") return;
      var label = String(b.title || b.payload || "");
      var payload = String(b.payload || b.title || "");
      var chosen = next && next.payload === payload;
      var d = optionFor(payload, options);
      var button = el("button", {
        type: "button", class: "wh-choice" + (d ? " wh-option" : "") + (chosen ? " wh-chosen" : ""), disabled: !isLast,
        "aria-pressed": chosen ? "true" : null, onclick: function () { send(label, payload, true); }
      }, [el("span", { class: "wh-option-title", text: label })]);
      if (d) {
        var org = ORGS[d.org] || {};
        var hotline = String(d.hotline || org.hotline || "");
        button.appendChild(el("span", { class: "wh-option-org", text: (state.lang === "zh" ? (d.org_zh || org.zh) : (d.org_name || org.name)) + (hotline ? " · " + hotline : "") }));
        var ev = (Array.isArray(d.evidence) ? d.evidence : []).map(evidenceText).filter(Boolean)[0];
        if (ev) button.appendChild(el("span", { class: "wh-option-why", text: ev }));
      }
      group.appendChild(button);
    });
    return group;
  }

  function feedbackInfo(turn) {
    var texts = [], dept = "", answerable = false;
    (turn.messages || []).forEach(function (m) {
      if (m && typeof m.text === "string") texts.push(m.text);
      var c = m && m.custom;
      if (c && typeof c === "object") {
        if (c.type === "department_answer" || c.type === "department_info" || c.type === "no_answer") answerable = true;
        if (!dept && Array.isArray(c.departments) && c.departments[0] && (c.type === "department_answer" || c.type === "department_info")) {
          dept = String(c.departments[0].id || "");
          var d = c.departments[0];
          texts.push(String(d.name || "") + (d.zh ? " / " + d.zh : ""));
        }
      }
    });
    return answerable ? { answer: texts.join("\n").slice(0, 3000), department_id: dept } : null;
  }

  function feedbackBlock(turn) {
    var info = feedbackInfo(turn);
    if (!info) return null;
    var status = el("span", { class: "wh-fb-status", role: "status" });
    var row = el("div", { class: "wh-feedback" }, [el("span", { class: "wh-fb-q", text: t("helpful") })]);
    function vote(kind) {
      upBtn.disabled = downBtn.disabled = true;
      fetch(API_URL + "/api/feedback", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender: state.sender, question: turn.question, answer: info.answer, department_id: info.department_id, vote: kind })
      }).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        turn.vote = kind;
        save();
        mark();
      }).catch(function () {
        upBtn.disabled = downBtn.disabled = false;
        status.textContent = t("feedbackFailed");
      }).then(function () { if (upBtn.disabled) input.focus(); }); // the pressed button is now disabled
    }
    var upBtn = el("button", { type: "button", class: "wh-vote wh-up", "aria-label": t("yes"), title: t("yes"), onclick: function () { vote("up"); } }, [icon("up")]);
    var downBtn = el("button", { type: "button", class: "wh-vote wh-down", "aria-label": t("no"), title: t("no"), onclick: function () { vote("down"); } }, [icon("down")]);
    function mark() {
      if (!turn.vote) return;
      upBtn.disabled = downBtn.disabled = true;
      upBtn.setAttribute("aria-pressed", String(turn.vote === "up"));
      downBtn.setAttribute("aria-pressed", String(turn.vote === "down"));
      status.textContent = t("thanks");
    }
    row.appendChild(upBtn);
    row.appendChild(downBtn);
    row.appendChild(status);
    mark();
    return row;
  }

  function renderTurn(turn, index) {
    var frag = document.createDocumentFragment();
    var isLast = index === state.turns.length - 1;
    frag.appendChild(bubble("user", turn.question));
    var messages = (turn.messages || []).filter(function (m) { return m && typeof m === "object"; });
    // A department answer arrives twice: as text (for plain clients) and as a structured payload. Show the
    // payload as a card instead of the text; fall back to the text when the payload cannot be drawn.
    var cards = messages.map(function (m) { return m.custom ? customBlock(m.custom, messages) : null; });
    var hasCard = cards.some(Boolean);
    // A clarification's text lists the options with a duty each; the option buttons show the same, so the
    // text shrinks to its first line (the question) when the buttons can carry the details.
    var options = clarifyDepartments(messages);
    messages.forEach(function (m, i) {
      var buttons = Array.isArray(m.buttons) && m.buttons.length ? m.buttons : null;
      if (typeof m.text === "string" && m.text && !hasCard) {
        frag.appendChild(bubble("bot", options && buttons ? m.text.split("\n")[0] : m.text));
      }
      if (buttons) frag.appendChild(buttonsBlock(buttons, index, isLast, options));
      if (cards[i]) frag.appendChild(cards[i]);
    });
    if (turn.error) {
      frag.appendChild(el("div", { class: "wh-msg wh-bot wh-error" }, [
        el("p", { class: "wh-bubble" }, withHotlineLinks(t(turn.busy ? "busy" : "error"))),
        isLast ? el("button", { type: "button", class: "wh-choice", text: t("retry"), onclick: function () {
          state.turns.pop(); send(turn.question, turn.payload);
        } }) : null
      ]));
    }
    var fb = feedbackBlock(turn);
    if (fb) frag.appendChild(fb);
    return frag;
  }

  function welcome() {
    var frag = document.createDocumentFragment();
    frag.appendChild(bubble("bot", t("welcome")));
    var chips = el("div", { class: "wh-msg wh-bot wh-choices wh-examples", role: "group", "aria-label": t("examplesLabel") });
    t("examples").forEach(function (q) {
      chips.appendChild(el("button", { type: "button", class: "wh-choice", text: q, onclick: function () { send(q, q); } }));
    });
    frag.appendChild(chips);
    return frag;
  }

  var typing = el("div", { class: "wh-msg wh-bot wh-typing", role: "status" }, [
    el("span", { class: "wh-sr wh-typing-label" }),
    el("span", { class: "wh-dots", "aria-hidden": "true" }, [el("i"), el("i"), el("i")])
  ]);

  function renderAll() {
    log.textContent = "";
    log.appendChild(welcome());
    state.turns.forEach(function (turn, i) { log.appendChild(renderTurn(turn, i)); });
    if (pending) { typing.firstChild.textContent = t("typing"); log.appendChild(typing); }
    log.dataset.answered = String(answered); // replies rendered since load: lets tests and the bench wait exactly
    // Show the latest question with as much of its answer as fits: the start of a long answer matters most.
    var users = log.querySelectorAll(".wh-user");
    var lastUser = users[users.length - 1];
    var bottom = log.scrollHeight - log.clientHeight;
    log.scrollTop = lastUser ? Math.min(bottom, lastUser.offsetTop - 12) : bottom;
  }

  // ---- talking to Rasa ---------------------------------------------------------------------------------------
  var pending = false, answered = 0;

  function send(text, payload, isChoice) {
    text = String(text || "").trim();
    payload = String(payload || text).trim();
    if (!text || pending) return;
    if (!isChoice) setLang(languageOf(text)); // option labels carry both languages: keep the current one
    var turn = { question: text, payload: payload, messages: [], vote: null, at: Date.now() };
    state.turns.push(turn);
    pending = true;
    sendBtn.disabled = true;
    save();
    renderAll();
    var controller = window.AbortController ? new AbortController() : null;
    var timer = setTimeout(function () { if (controller) controller.abort(); }, TIMEOUT_MS);
    fetch(RASA_URL + "/webhooks/rest/webhook", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: state.sender, message: payload }),
      signal: controller ? controller.signal : undefined
    }).then(function (r) {
      if (r.status === 429) turn.busy = true; // too many messages too fast: say so, not "unreachable"
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    }).then(function (messages) {
      turn.messages = Array.isArray(messages) ? messages.filter(function (m) { return m && typeof m === "object"; }) : [];
      turn.messages.forEach(function (m) {
        if (m.custom && (m.custom.language === "zh" || m.custom.language === "en")) state.lang = m.custom.language;
      });
    }).catch(function () {
      turn.error = true;
    }).then(function () {
      clearTimeout(timer);
      pending = false;
      answered++;
      sendBtn.disabled = false;
      save();
      applyChrome();
      renderAll();
      if (!panel.hidden) input.focus();
    });
  }

  // ---- open / close / keyboard -------------------------------------------------------------------------------
  // The panel's visibility, the launcher's state for screen readers, remembered with the conversation.
  function setOpen(isOpen) {
    panel.hidden = !isOpen;
    root.classList.toggle("wh-open", isOpen);
    launcher.setAttribute("aria-expanded", String(isOpen));
    launcher.setAttribute("aria-label", t(isOpen ? "close" : "launcherAria"));
    state.open = isOpen;
    save();
  }

  function open(quiet) {
    setOpen(true);
    renderAll();
    if (quiet !== true) input.focus();
  }

  function close() {
    setOpen(false);
    launcher.focus();
  }

  function restart() {
    state = { sender: randomId(), lang: state.lang, open: true, turns: [] };
    save();
    renderAll();
    input.focus();
  }

  launcher.addEventListener("click", function () { if (panel.hidden) open(); else close(); });
  closeBtn.addEventListener("click", close);
  restartBtn.addEventListener("click", restart);
  langBtn.addEventListener("click", function () { setLang(state.lang === "zh" ? "en" : "zh"); langBtn.focus(); });
  // The open panel is a dialog: Tab and Shift+Tab cycle through its controls (the conversation's buttons and
  // links included) instead of running out into the page behind it; Escape closes it.
  function focusable() {
    return Array.prototype.filter.call(panel.querySelectorAll("button, a[href], textarea, input, [tabindex]"), function (node) {
      return !node.disabled && node.tabIndex >= 0 && node.getClientRects().length > 0;
    });
  }
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { e.preventDefault(); close(); return; }
    if (e.key !== "Tab") return;
    var items = focusable();
    if (!items.length) return;
    var current = shadow.activeElement || document.activeElement;
    var at = items.indexOf(current);
    if (e.shiftKey && at <= 0) { e.preventDefault(); items[items.length - 1].focus(); }
    else if (!e.shiftKey && (at === -1 || at === items.length - 1)) { e.preventDefault(); items[0].focus(); }
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value;
    if (!text.trim() || pending) return;
    input.value = "";
    autosize();
    send(text, text);
  });
  input.addEventListener("keydown", function (e) {
    // Enter sends; Shift+Enter adds a line; Enter that confirms a Chinese IME candidate must not send.
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      if (typeof form.requestSubmit === "function") form.requestSubmit(); else form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });
  function autosize() { input.style.height = "auto"; input.style.height = Math.min(input.scrollHeight, 120) + "px"; }
  input.addEventListener("input", autosize);

  // Another tab of the same site talked to the assistant: show the same conversation here.
  window.addEventListener("storage", function (e) {
    if (e.key !== STORE_KEY || pending) return;
    state = load();
    applyChrome();
    renderAll();
  });

  // Host pages can open the chat or ask a question from their own links: data-whohandles-open / data-whohandles-ask.
  document.addEventListener("click", function (e) {
    var target = e.target && e.target.closest ? e.target.closest("[data-whohandles-open],[data-whohandles-ask]") : null;
    if (!target) return;
    e.preventDefault();
    if (panel.hidden) open();
    var q = target.getAttribute("data-whohandles-ask");
    if (q) send(q, q);
  });

  window.WhoHandles = {
    open: open, close: close, restart: restart,
    ask: function (q) { if (panel.hidden) open(); send(q, q); },
    setLanguage: function (lang) { if (lang === "zh" || lang === "en") setLang(lang); },
    get language() { return state.lang; },
    get sender() { return state.sender; }
  };

  function mount() {
    var last = state.turns[state.turns.length - 1];
    if (last && !last.error && !(last.messages || []).length) last.error = true; // reloaded while waiting
    // Early in the page's Tab order (the launcher floats, so its place in the DOM is not visible): in the
    // host page's [data-whohandles-slot] if it has one (after its skip link), else first in <body>.
    var slot = document.querySelector("[data-whohandles-slot]");
    if (slot) slot.appendChild(host); else document.body.insertBefore(host, document.body.firstChild);
    applyChrome();
    if (state.open) open(true); else renderAll(); // restore without stealing focus from the page
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
