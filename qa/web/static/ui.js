() => {
  // Citations in answers are links like #cite/<doc>/<paragraph>/<label>/<part>/<quote>: show that
  // paragraph in the sources panel (a sheet over the conversation on a phone) instead of following
  // the link, fetching it when it belongs to an earlier answer. Also: a character counter for the
  // question box, plain-text copies, readable labels for screen readers, and shared links tidied.
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
  const base = (window.gradio_config && window.gradio_config.root || "").replace(/\/chat\/?$/, "");
  const zh = () => (document.querySelector(".qa-top") || {}).lang === "zh-HK";
  const titles = {};
  fetch(base + "/api/documents").then((r) => r.json()).then((d) => (d.documents || []).forEach((x) => { titles[x.doc] = x; })).catch(() => {});

  function mark(text, quote) {
    let body = esc(text);
    (quote || "").split(" … ").forEach((part) => {
      const p = esc(part);
      if (p && body.includes(p)) body = body.replace(p, "<mark>" + p + "</mark>");
    });
    return body;
  }
  let opener = null;
  function openSheet(link) {
    opener = link;
    const side = document.getElementById("qa-side");  // (Gradio scopes page CSS: the class goes on the panel)
    if (side) side.classList.add("qa-open");
    const close = document.querySelector("#qa-sources .qa-sheet-close");
    if (close && window.matchMedia("(max-width: 700px)").matches) close.focus({preventScroll: true});
  }
  function closeSheet() {
    const side = document.getElementById("qa-side");
    if (side) side.classList.remove("qa-open");
    if (opener) opener.focus({preventScroll: true});
  }
  function activate(card) {
    document.querySelectorAll(".qa-source.qa-active").forEach((el) => el.classList.remove("qa-active"));
    card.classList.add("qa-active");
    const hit = card.querySelector("mark") || card;
    hit.scrollIntoView({behavior: "smooth", block: "nearest"});
  }
  async function show(doc, paragraph, label, part, quote) {
    const unit = doc + "#" + (part ? part + " " : "") + paragraph + (label ? "|" + label : "");
    const panel = document.querySelector("#qa-sources .qa-sources") || document.querySelector("#qa-sources");
    if (!panel) return null;
    let card = Array.from(panel.querySelectorAll(".qa-source")).find((el) => el.dataset.unit === unit);
    if (!card) {
      const q = new URLSearchParams({doc, paragraph, label, part});
      const res = await fetch(base + "/api/paragraph?" + q.toString());
      if (!res.ok) return null;
      const p = await res.json();
      card = document.createElement("article");
      card.className = "qa-source qa-earlier";
      card.dataset.unit = unit;
      card.innerHTML = `<div class="qa-earlier-note">${zh() ? "較早答案的出處" : "Source of an earlier answer"}</div>` +
        `<header><span class="qa-para">${p.part ? esc(p.part) + " " : ""}¶${esc(p.paragraph)}${p.label ? " · " + esc(p.label) : ""}</span>` +
        `<span class="qa-doc">${esc(p.title)}${p.date ? " · " + esc(p.date) : ""}</span></header>` +
        (p.heading ? `<div class="qa-heading">${esc(p.heading)}</div>` : "") + `<p>${mark(p.text, quote)}</p>`;
      panel.querySelectorAll(".qa-earlier").forEach((el) => el.remove());
      const empty = panel.querySelector(".qa-sources-empty");
      if (empty) empty.remove();
      const after = panel.querySelector(".qa-sheet-close");
      panel.insertBefore(card, after ? after.nextSibling : panel.firstChild);
    }
    activate(card);
    return card;
  }
  document.addEventListener("click", (event) => {
    const target = event.target;
    if (target.closest && target.closest(".qa-sheet-close")) { closeSheet(); return; }
    const link = target.closest && target.closest('a[href*="#cite/"]');
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    const parts = link.getAttribute("href").split("#cite/")[1].split("/").map(decodeURIComponent);
    show(parts[0], parts[1], parts[2] || "", parts[3] || "", parts.slice(4).join("/")).then((card) => { if (card) openSheet(link); });
  }, true);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && document.querySelector("#qa-side.qa-open")) closeSheet();
  });

  // The answer as plain text: citations as [¶10], a list of the papers cited, no link syntax.
  function plain(message) {
    const copy = message.cloneNode(true);
    copy.querySelectorAll('a[href^="?q="]').forEach((a) => a.remove());
    copy.querySelectorAll("button, svg").forEach((el) => el.remove());
    const text = (copy.innerText || copy.textContent || "").trim();
    const seen = new Map();
    message.querySelectorAll('a[href*="#cite/"]').forEach((a) => {
      const [doc, paragraph, label, part] = a.getAttribute("href").split("#cite/")[1].split("/").map(decodeURIComponent);
      const d = titles[doc] || {};
      const key = a.innerText.trim();
      if (!seen.has(key)) seen.set(key, `${key} ${d.title || doc}${d.date ? ", " + d.date : ""}, ${part ? part + " " : ""}¶${paragraph}${label ? " (" + label + ")" : ""}`);
    });
    return seen.size ? text + "\n\n" + (zh() ? "出處：" : "Sources:") + "\n" + [...seen.values()].join("\n") : text;
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

  // Screen readers get the text a reader sees, not the Markdown behind it.
  const label = () => document.querySelectorAll('#qa-chat [data-testid="bot"], #qa-chat [data-testid="user"]').forEach((m) => {
    const text = (m.innerText || "").trim();
    if (text && m.getAttribute("aria-label") !== text) m.setAttribute("aria-label", text);
  });
  new MutationObserver(() => { clearTimeout(label.t); label.t = setTimeout(() => { label(); count(); }, 150); })
    .observe(document.body, {childList: true, subtree: true, characterData: true});

  // How long the question is, before the server has to refuse it.
  function count() {
    const box = document.querySelector("#qa-input textarea");
    if (!box) return;
    let counter = document.getElementById("qa-counter");
    if (!counter) {
      counter = document.createElement("div");
      counter.id = "qa-counter"; counter.setAttribute("aria-live", "polite");
      document.getElementById("qa-input").appendChild(counter);
    }
    const limit = parseInt((document.querySelector(".qa-top") || {dataset: {}}).dataset.limit || "2000", 10);
    const n = box.value.length;
    const text = n ? n.toLocaleString() + " / " + limit.toLocaleString() : "";
    if (counter.textContent !== text) counter.textContent = text;  // (unchanged: no mutation, no loop)
    if (counter.classList.contains("over") !== n > limit) counter.classList.toggle("over", n > limit);
  }
  document.addEventListener("input", (event) => { if (event.target.closest && event.target.closest("#qa-input")) count(); });
  setInterval(count, 1000);  // the box is also emptied by the page itself when a question is sent

  // A shared link has asked its question; the address goes back to the plain chat.
  if (location.search.includes("q=")) setTimeout(() => history.replaceState(null, "", location.pathname), 1500);
}
