() => {
  // Citations in answers are links like #cite/<doc>/<paragraph>/<label>: show that paragraph in the
  // sources panel instead of following the link (fetching it when it belongs to an earlier answer).
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
  const base = (window.gradio_config && window.gradio_config.root || "").replace(/\/chat\/?$/, "");
  function activate(card) {
    document.querySelectorAll(".qa-source.qa-active").forEach((el) => el.classList.remove("qa-active"));
    card.classList.add("qa-active");
    card.scrollIntoView({behavior: "smooth", block: "nearest"});
  }
  async function show(doc, paragraph, label, part) {
    const unit = doc + "#" + (part ? part + " " : "") + paragraph + (label ? "|" + label : "");
    const panel = document.querySelector("#qa-sources .qa-sources") || document.querySelector("#qa-sources");
    if (!panel) return;
    let card = Array.from(panel.querySelectorAll(".qa-source")).find((el) => el.dataset.unit === unit);
    if (!card) {
      const q = new URLSearchParams({doc, paragraph, label, part});
      const res = await fetch(base + "/api/paragraph?" + q.toString());
      if (!res.ok) return;
      const p = await res.json();
      card = document.createElement("article");
      card.className = "qa-source";
      card.dataset.unit = unit;
      card.innerHTML = `<header><span class="qa-para">${p.part ? esc(p.part) + " " : ""}¶${esc(p.paragraph)}${p.label ? " · " + esc(p.label) : ""}</span>` +
        `<span class="qa-doc">${esc(p.title)}${p.date ? " · " + esc(p.date) : ""}</span></header>` +
        (p.heading ? `<div class="qa-heading">${esc(p.heading)}</div>` : "") + `<p>${esc(p.text)}</p>`;
      const host = panel.querySelector(".qa-sources-title") || panel.firstElementChild;
      (host && host.parentNode ? host.parentNode : panel).insertBefore(card, host ? host.nextSibling : null);
    }
    activate(card);
  }
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest('a[href*="#cite/"]');
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    const parts = link.getAttribute("href").split("#cite/")[1].split("/").map(decodeURIComponent);
    show(parts[0], parts[1], parts[2] || "", parts[3] || "");
  }, true);
}
