() => {
  // Citations in answers are links like #cite/<doc>/<paragraph>/<label>/<part>/<quote>: show that
  // paragraph in the sources panel (a sheet over the conversation on a phone, closed by its ×, a
  // swipe down, Escape or a tap outside) instead of following the link, fetching it when it belongs
  // to an earlier answer. Also: previews of citations, the page's language on <html>, keyboard
  // habits, a character counter, plain-text copies, readable labels, and share links that work
  // wherever the chat is shown.
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
  // the chat's own page, or a <gradio-app src=…> web component inside another site's page
  const component = document.querySelector("gradio-app[src]");
  const root = ((window.gradio_config && window.gradio_config.root) ||
                (component ? new URL(component.getAttribute("src"), location.href).href : "")).replace(/\/$/, "");
  const base = root.replace(/\/chat\/?$/, "");
  const own = !component || !root || location.href.startsWith(root);
  const zh = () => (document.querySelector(".qa-top") || {}).lang === "zh-HK";
  const phone = () => window.matchMedia("(max-width: 700px)").matches;
  const docs = {};
  fetch(base + "/api/documents").then((r) => r.json()).then((d) => (d.documents || []).forEach((x) => { docs[x.doc] = x; })).catch(() => {});
  const citeParts = (a) => a.getAttribute("href").split("#cite/")[1].split("/").map(decodeURIComponent);

  // The interface language is the page's language, for screen readers and fonts.
  function syncLang() {
    const top = document.querySelector(".qa-top");
    const app = document.querySelector("gradio-app");
    if (top && own && document.documentElement.lang !== top.lang) document.documentElement.lang = top.lang;
    if (top && !own && app && app.getAttribute("lang") !== top.lang) app.setAttribute("lang", top.lang);
  }

  function mark(text, quote) {
    let body = esc(text);
    (quote || "").split(" … ").forEach((part) => {
      const p = esc(part);
      if (p && body.includes(p)) body = body.replace(p, "<mark>" + p + "</mark>");
    });
    return body;
  }

  // -- the sheet ------------------------------------------------------------------------------
  // (the state is kept on <html>: Gradio may rewrite its own elements' classes at any update, and
  // scopes the page's CSS to its container, so the rules keyed on <html> are added here)
  let opener = null;
  const html = document.documentElement;
  if (!document.getElementById("qa-state-css")) {
    const css = document.createElement("style");
    css.id = "qa-state-css";
    css.textContent = "html.qa-history-collapsed #qa-history#qa-history{display:none!important}" +
      "@media (max-width:700px){html.qa-drawer-open #qa-history#qa-history{display:flex!important}" +
      "html.qa-sheet-open #qa-side#qa-side{display:flex!important;flex-direction:column}}";
    document.head.appendChild(css);
  }
  const side = () => document.getElementById("qa-side");
  function openSheet(link) {
    opener = link;
    const s = side();
    if (!s) return;
    s.classList.add("qa-open");
    html.classList.add("qa-sheet-open");
    if (!phone()) return;
    let back = document.querySelector(".qa-backdrop");
    if (!back) {
      back = document.createElement("div");
      back.className = "qa-backdrop";
      back.addEventListener("click", closeSheet);
      back.addEventListener("touchend", (e) => { e.preventDefault(); closeSheet(); });
      s.parentNode.insertBefore(back, s);
    }
    s.setAttribute("role", "dialog"); s.setAttribute("aria-modal", "true");
    const close = s.querySelector(".qa-sheet-close");
    if (close) close.focus({preventScroll: true});
  }
  function closeSheet() {
    const s = side();
    html.classList.remove("qa-sheet-open");
    if (s) { s.classList.remove("qa-open"); s.removeAttribute("role"); s.removeAttribute("aria-modal"); }
    document.querySelectorAll(".qa-backdrop").forEach((b) => b.remove());
    if (opener && document.contains(opener)) opener.focus({preventScroll: true});
  }
  // a swipe down on the sheet's bar, or on its cards when they are scrolled to the top, closes it
  let swipe = null;
  document.addEventListener("touchstart", (e) => {
    const s = html.classList.contains("qa-sheet-open") && e.target.closest && e.target.closest("#qa-side");
    if (!s || e.touches.length !== 1) return;
    const list = s.querySelector(".qa-sources-list");
    const onBar = e.target.closest(".qa-sheet-bar");
    if (onBar || !list || list.scrollTop <= 0) swipe = {y: e.touches[0].clientY, s};
  }, {passive: true});
  document.addEventListener("touchmove", (e) => {
    if (!swipe) return;
    const dy = e.touches[0].clientY - swipe.y;
    if (dy > 0) swipe.s.style.transform = `translateY(${dy}px)`;
  }, {passive: true});
  document.addEventListener("touchend", (e) => {
    if (!swipe) return;
    const dy = (e.changedTouches[0] || {}).clientY - swipe.y;
    swipe.s.style.transform = "";
    swipe = null;
    if (dy > 60) closeSheet();
  });

  function activate(card) {
    document.querySelectorAll(".qa-source.qa-active").forEach((el) => el.classList.remove("qa-active"));
    card.classList.add("qa-active");
    // the quoted words in view inside the sources' own scroller, never by scrolling the page
    const hit = card.querySelector("mark") || card;
    for (let box = card.parentElement; box && box !== document.body; box = box.parentElement) {
      const o = getComputedStyle(box).overflowY;
      if ((o === "auto" || o === "scroll") && box.scrollHeight > box.clientHeight) {
        const off = hit.getBoundingClientRect().top - box.getBoundingClientRect().top;
        if (off < 0 || off > box.clientHeight - 60) box.scrollTop += off - 40;
        break;
      }
    }
  }
  async function paragraph(doc, paragraph, label, part) {
    const res = await fetch(base + "/api/paragraph?" + new URLSearchParams({doc, paragraph, label, part}).toString());
    return res.ok ? res.json() : null;
  }
  // an earlier answer's citation: its paragraph, and the same paragraph in the paper's other language
  async function earlierCard(doc, para, label, part, quote, unit) {
    const p = await paragraph(doc, para, label, part);
    if (!p) return null;
    const card = document.createElement("article");
    card.className = "qa-source qa-earlier";
    card.dataset.unit = unit;
    const read = zh() ? "閱讀全文" : "Read the paper";
    card.innerHTML = `<div class="qa-earlier-note">${zh() ? "較早答案的出處" : "Source of an earlier answer"}</div>` +
      `<header><span class="qa-para">${p.part ? esc(p.part) + " " : ""}¶${esc(p.paragraph)}${p.label ? " · " + esc(p.label) : ""}</span>` +
      `<span class="qa-doc">${esc(p.title)}${p.date ? " · " + esc(p.date) : ""}</span></header>` +
      (p.heading ? `<div class="qa-heading">${esc(p.heading)}</div>` : "") + `<p>${mark(p.text, quote)}</p>` +
      `<a class="qa-read" target="_blank" href="${base}/read/${encodeURIComponent(doc)}">${read}</a>`;
    const editions = (docs[doc] || {}).editions || {};
    for (const [language, other] of Object.entries(editions)) {
      const o = await paragraph(other, para, label, part);
      if (!o) continue;
      const name = language === "zh" ? "中文本" : "English version";
      card.insertAdjacentHTML("beforeend", `<div class="qa-other" lang="${language === "zh" ? "zh-Hant" : "en"}">` +
        `<div class="qa-other-head">${name} · ¶${esc(o.paragraph)}</div><p><mark class="qa-other-mark">${esc(o.text)}</mark></p>` +
        `<a class="qa-read" target="_blank" href="${base}/read/${encodeURIComponent(other)}">${read} · ${name}</a></div>`);
    }
    return card;
  }
  async function show(doc, para, label, part, quote) {
    const unit = doc + "#" + (part ? part + " " : "") + para + (label ? "|" + label : "");
    const panel = document.querySelector("#qa-sources .qa-sources-list") || document.querySelector("#qa-sources");
    if (!panel) return null;
    let card = Array.from(panel.querySelectorAll(".qa-source")).find((el) => el.dataset.unit === unit);
    if (!card) {
      card = await earlierCard(doc, para, label, part, quote, unit);
      if (!card) return null;
      panel.querySelectorAll(".qa-earlier").forEach((el) => el.remove());
      const empty = panel.querySelector(".qa-sources-empty");
      if (empty) empty.remove();
      panel.insertBefore(card, panel.firstChild);
    }
    activate(card);
    return card;
  }
  document.addEventListener("click", (event) => {
    const target = event.target;
    if (target.closest && target.closest(".qa-sheet-close")) { event.preventDefault(); closeSheet(); return; }
    if (target.closest && target.closest(".qa-choose")) { choosePapers(); return; }
    if (target.closest && target.closest(".qa-menu")) { drawer(!drawerOpen()); return; }
    const link = target.closest && target.closest('a[href*="#cite/"]');
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    hidePreview();
    const parts = citeParts(link);
    show(parts[0], parts[1], parts[2] || "", parts[3] || "", parts.slice(4).join("/")).then((card) => {
      if (card) { openSheet(link); activate(card); }  // (again: on a phone the sheet scrolls only once shown)
    });
  }, true);

  // -- a citation's preview: title, date and the quoted words, on hover, focus or a long press ---
  let preview = null, pressTimer = null;
  function showPreview(link) {
    const [doc, para, , part, ...rest] = citeParts(link);
    const d = docs[doc] || {};
    if (!preview) { preview = document.createElement("div"); preview.id = "qa-preview"; preview.setAttribute("role", "tooltip"); document.body.appendChild(preview); }
    const quote = rest.join("/");
    preview.innerHTML = `<b>${esc(d.title || "")}</b>${esc([d.date, (part ? part + " " : "") + "¶" + para].filter(Boolean).join(" · "))}` +
      (quote ? `<br><q>${esc(quote.length > 220 ? quote.slice(0, 220) + "…" : quote)}</q>` : "");
    preview.lang = d.language === "zh" ? "zh-HK" : "en";
    const r = link.getBoundingClientRect();
    preview.style.left = Math.max(8, Math.min(r.left, window.innerWidth - 372)) + "px";
    preview.style.top = (r.top > 140 ? r.top - preview.offsetHeight - 6 : r.bottom + 6) + "px";
    preview.hidden = false;
    link.setAttribute("aria-describedby", "qa-preview");
  }
  function hidePreview() { if (preview) preview.hidden = true; clearTimeout(pressTimer); }
  const citeOf = (e) => e.target.closest && e.target.closest('#qa-chat a[href*="#cite/"]');
  document.addEventListener("mouseover", (e) => { const l = citeOf(e); if (l) showPreview(l); });
  document.addEventListener("mouseout", (e) => { if (citeOf(e)) hidePreview(); });
  document.addEventListener("focusin", (e) => { const l = citeOf(e); if (l) showPreview(l); else hidePreview(); });
  document.addEventListener("touchstart", (e) => {
    const l = citeOf(e);
    if (l) pressTimer = setTimeout(() => { showPreview(l); l.dataset.pressed = "1"; }, 450);
  }, {passive: true});
  document.addEventListener("touchend", (e) => {
    clearTimeout(pressTimer);
    const l = citeOf(e);
    if (l && l.dataset.pressed) { e.preventDefault(); delete l.dataset.pressed; setTimeout(hidePreview, 2500); }
  });
  document.addEventListener("contextmenu", (e) => { if (citeOf(e)) e.preventDefault(); });

  // -- keyboard habits ------------------------------------------------------------------------
  const box = () => document.querySelector("#qa-input textarea");
  function setBox(text) {
    const b = box();
    if (!b) return;
    b.value = text;
    b.dispatchEvent(new Event("input", {bubbles: true}));
    b.setSelectionRange(text.length, text.length);
  }
  function lastQuestion() {
    const users = document.querySelectorAll('#qa-chat [data-testid="user"]');
    return users.length ? (users[users.length - 1].innerText || "").trim() : "";
  }
  // The sidebar: a column on a desktop (collapsible), a drawer on a phone.
  function drawer(open) {
    const bar = document.getElementById("qa-history");
    const menu = document.querySelector(".qa-menu");
    if (!bar) return;
    if (!phone()) { html.classList.toggle("qa-history-collapsed", !open); if (menu) menu.setAttribute("aria-expanded", String(open)); return; }
    html.classList.toggle("qa-drawer-open", open);
    if (menu) menu.setAttribute("aria-expanded", String(open));
    document.querySelectorAll(".qa-drawer-back").forEach((b) => b.remove());
    if (open) {
      const back = document.createElement("div");
      back.className = "qa-backdrop qa-drawer-back";
      back.addEventListener("click", () => drawer(false));
      bar.parentNode.insertBefore(back, bar);
      const first = bar.querySelector("input, textarea, button");
      if (first) first.focus({preventScroll: true});
    } else if (menu) menu.focus({preventScroll: true});
  }
  const drawerOpen = () => phone() ? html.classList.contains("qa-drawer-open") : !html.classList.contains("qa-history-collapsed");
  function choosePapers() {
    drawer(true);
    setTimeout(() => { const scope = document.querySelector("#qa-scope input"); if (scope) scope.focus(); }, 150);
  }
  // Tab out of an open dropdown goes to the next control: the browser would otherwise stop on the
  // dropdown's list, which closes as the focus leaves, and drop the focus on <body>.
  function focusables() {
    return [...document.querySelectorAll('a[href], button, input, textarea, select, [tabindex]')].filter((e) =>
      e.tabIndex >= 0 && !e.disabled && e.getClientRects().length && !e.closest('[role="listbox"], ul.options, [hidden]') &&
      getComputedStyle(e).visibility !== "hidden");
  }
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Tab" || !event.target.matches || !event.target.matches('input[role="combobox"]')) return;
    const all = focusables(), at = all.indexOf(event.target);
    const next = all[at + (event.shiftKey ? -1 : 1)];
    if (at < 0 || !next) return;
    event.preventDefault();
    next.focus();
  }, true);
  document.addEventListener("keydown", (event) => {
    const b = box();
    if (event.key === "Escape") {
      hidePreview();
      const stop = document.getElementById("qa-stop");
      if (stop && stop.offsetParent !== null) { stop.click(); event.preventDefault(); return; }
      if (html.classList.contains("qa-sheet-open")) { closeSheet(); event.preventDefault(); return; }
      if (phone() && drawerOpen()) { drawer(false); event.preventDefault(); }
      return;
    }
    if (event.key === "ArrowUp" && b && event.target === b && !b.value && !event.shiftKey) {
      const q = lastQuestion();
      if (q) { event.preventDefault(); setBox(q); }
      return;
    }
    if ((event.ctrlKey || event.metaKey) && event.shiftKey && event.key.toLowerCase() === "o") {
      event.preventDefault();
      const n = document.getElementById("qa-clear");
      if (n) n.click();
      setTimeout(() => { const x = box(); if (x) x.focus(); }, 200);
      return;
    }
    if (event.key === "/" && b && !/^(INPUT|TEXTAREA|SELECT)$/.test((event.target.tagName || "")) && !event.target.isContentEditable) {
      event.preventDefault(); b.focus();
    }
  });

  // The conversation fills the screen and the question box sits at its foot, whatever the header's height.
  function fit() {
    const chat = document.getElementById("qa-chat");
    const ask = document.getElementById("qa-ask-row");
    const examples = document.getElementById("qa-examples");
    if (!chat || !ask || !own) return;
    if (!phone()) {  // the sidebar and the sources scroll on their own, within the screen
      for (const id of ["qa-side", "qa-history"]) {
        const col = document.getElementById(id);
        if (!col) continue;
        const want = Math.max(200, Math.round(window.innerHeight - (col.getBoundingClientRect().top + window.scrollY) - 12)) + "px";
        if (col.style.maxHeight !== want) { col.style.maxHeight = want; col.style.overflowY = "auto"; }
      }
    }
    const top = chat.getBoundingClientRect().top + window.scrollY;
    const below = ask.offsetHeight + (examples ? examples.offsetHeight : 0) + 36;
    const h = Math.max(180, Math.round(window.innerHeight - top - below));
    if (Math.abs(chat.offsetHeight - h) > 4) { chat.style.height = h + "px"; chat.style.maxHeight = h + "px"; }
    // and the page no taller than the screen, so that nothing but the conversation scrolls
    const over = document.documentElement.scrollHeight - window.innerHeight;
    if (over > 0 && chat.offsetHeight - over >= 180) {
      chat.style.height = (chat.offsetHeight - over) + "px"; chat.style.maxHeight = chat.style.height;
    }
  }
  window.addEventListener("resize", fit);
  // Gradio sizes the conversation again when it renders an answer, which the mutation watch below
  // does not see: whenever the page changes size, fit it back to the screen (fit changes nothing
  // once it fits, so this settles)
  if (window.ResizeObserver) new ResizeObserver(() => fit()).observe(document.body);

  // -- copies ---------------------------------------------------------------------------------
  // The answer as plain text: citations as written, list bullets kept, the numbered sources last.
  function plain(message) {
    const copy = message.cloneNode(true);
    copy.querySelectorAll('a[href*="?q="]').forEach((a) => a.remove());
    copy.querySelectorAll("button, svg").forEach((el) => el.remove());
    copy.querySelectorAll("ol > li").forEach((li, i) => li.insertAdjacentText("afterbegin", (i + 1) + ". "));
    copy.querySelectorAll("ul > li").forEach((li) => li.insertAdjacentText("afterbegin", "- "));
    document.body.appendChild(copy);  // innerText needs a rendered node
    copy.style.position = "absolute"; copy.style.left = "-9999px";
    const text = (copy.innerText || copy.textContent || "").replace(/\n{3,}/g, "\n\n").trim();
    copy.remove();
    return text;
  }
  function messageOf(button) {
    // Gradio puts a message's buttons in a row after it: walk back to the message they belong to
    let row = button.closest('[class*="message-buttons"]');
    for (let el = row && row.previousElementSibling; el; el = el.previousElementSibling) {
      const found = el.matches('[data-testid="bot"], [data-testid="user"]') ? el
        : el.querySelector('[data-testid="bot"], [data-testid="user"]');
      if (found) return found;
    }
    return button.closest('[data-testid="bot"], [data-testid="user"]');
  }
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest('#qa-chat button[aria-label="Copy message"], #qa-chat button[title="Copy message"]');
    if (!button) return;
    const message = messageOf(button);
    if (!message) return;
    event.preventDefault();
    event.stopPropagation();
    const text = plain(message);
    (navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.reject()).catch(() => {
      const area = document.createElement("textarea");
      area.value = text; document.body.appendChild(area); area.select(); document.execCommand("copy"); area.remove();
    });
    button.dataset.copied = "1";
  }, true);

  // -- what changes with the page ---------------------------------------------------------------
  // Screen readers get the text a reader sees, not the Markdown behind it; share links point at the
  // chat itself (also inside another site's page); Gradio's own buttons get the interface's words.
  const shareBase = (component && component.dataset.shareUrl) || (root ? root + "/" : location.pathname);
  const BUTTONS = {"Copy message": "複製訊息", "Like": "讚好", "Dislike": "不讚好", "Retry": "重新回答",
                   "Edit": "編輯", "Undo": "復原", "Submit": "送出", "Cancel": "取消", "Copied message": "已複製"};
  function tidy() {
    syncLang();
    const s = side();
    if (s && s.classList.contains("qa-open") !== html.classList.contains("qa-sheet-open"))
      s.classList.toggle("qa-open", html.classList.contains("qa-sheet-open"));
    document.querySelectorAll('#qa-chat [data-testid="bot"], #qa-chat [data-testid="user"]').forEach((m) => {
      const text = (m.innerText || "").trim();
      if (text && m.getAttribute("aria-label") !== text) m.setAttribute("aria-label", text);
    });
    document.querySelectorAll('#qa-chat a[href^="?q="]').forEach((a) => { a.href = shareBase + a.getAttribute("href"); });
    const chinese = zh();
    document.querySelectorAll("#qa-chat button[aria-label], #qa-chat button[title]").forEach((b) => {
      const en = b.dataset.en || b.getAttribute("aria-label") || b.getAttribute("title");
      if (!(en in BUTTONS)) return;
      b.dataset.en = en;
      const want = chinese ? BUTTONS[en] : en;
      if (b.getAttribute("aria-label") !== want) b.setAttribute("aria-label", want);
      if (b.hasAttribute("title") && b.getAttribute("title") !== want) b.setAttribute("title", want);
    });
    // Gradio's own words for screen readers, in the interface's language
    const log = document.querySelector('#qa-chat [role="log"]');
    const name = chinese ? "對話" : "Conversation";
    if (log && log.getAttribute("aria-label") !== name) log.setAttribute("aria-label", name);
    document.querySelectorAll('.sr-only[role="status"]').forEach((s) => {
      const want = chinese ? s.textContent.replace("Loading", "載入中") : s.textContent.replace("載入中", "Loading");
      if (s.textContent !== want) s.textContent = want;
    });
    count();
    fit();
    forgetQuestion();
  }
  new MutationObserver(() => { clearTimeout(tidy.t); tidy.t = setTimeout(tidy, 120); })
    .observe(document.body, {childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ["lang"]});

  // How long the question is, before the server has to refuse it.
  function count() {
    const b = box();
    if (!b) return;
    let counter = document.getElementById("qa-counter");
    if (!counter) {
      counter = document.createElement("div");
      counter.id = "qa-counter"; counter.setAttribute("aria-live", "polite");
      document.getElementById("qa-input").appendChild(counter);
    }
    const limit = parseInt((document.querySelector(".qa-top") || {dataset: {}}).dataset.limit || "2000", 10);
    const n = b.value.length;
    const text = n ? n.toLocaleString() + " / " + limit.toLocaleString() : "";
    if (counter.textContent !== text) counter.textContent = text;  // (unchanged: no mutation, no loop)
    if (counter.classList.contains("over") !== n > limit) counter.classList.toggle("over", n > limit);
  }
  document.addEventListener("input", (event) => { if (event.target.closest && event.target.closest("#qa-input")) count(); });
  setInterval(count, 1000);  // the box is also emptied by the page itself when a question is sent

  // A shared link's question, once answered, leaves the address: a reload does not ask it again.
  function forgetQuestion() {
    if (!own || !/[?&]q=/.test(location.search)) return;
    if (!document.querySelector('#qa-chat [data-testid="bot"] a, #qa-chat [data-testid="bot"] em')) return;
    const params = new URLSearchParams(location.search);
    params.delete("q"); params.delete("ctx");
    const rest = params.toString();
    history.replaceState(null, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
  }
}
