/* legco-qa chat widget. One file, no dependencies, served by the Q&A service itself.
 *
 *   <script src="https://HOST/widget.js" data-title="Ask the papers" data-position="bottom-right"
 *           data-color="#0f766e" async></script>
 *
 * Adds a chat bubble that opens a panel. Everything lives in a Shadow DOM, so the host page's CSS
 * cannot break the widget and the widget's CSS cannot leak into the page. data-mode="inline" (used
 * by /embed) renders the chat into the page instead of a bubble. data-docs="id1,id2" limits the
 * questions to those documents (a page about one paper embeds a chat over that paper only; a paper's
 * other language version is searched with it). data-lang="zh-HK" or "en" sets the language; without
 * it the widget follows the page's <html lang> (or, in /embed, its ?lang= and the browser's).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var origin = new URL(script.src, location.href).origin;
  var pageLang = script.dataset.lang || new URLSearchParams(location.search).get("lang") ||
    document.documentElement.getAttribute("lang") || (script.dataset.mode === "inline" ? navigator.language : "") || "en";
  var zh = /^zh/i.test(pageLang);
  var T = zh ? {
    title: "立法會文件問答", hint: "每個答案都註明出處段落（¶），按引用即可閱讀原文。可用中文或英文提問。",
    ask: "提問", placeholder: "輸入問題…", question: "問題", close: "關閉", closeSource: "關閉出處", source: "出處",
    searching: "搜尋範圍：", paragraph: "第 {n} 段", failed: "未能回答：", noAnswer: "沒有答案",
    tooLong: "你的問題有 {n} 個字元，上限為 {limit} 個。請縮短問題。", other: {zh: "中文本", en: "English version"},
    parts: {Question: "問題", Answer: "答覆", Annex: "附件", Appendix: "附錄", Footnotes: "註腳"}
  } : {
    title: "Ask the LegCo papers", hint: "Every answer cites the paragraphs (¶) it comes from. Click a citation to read it. English or 中文.",
    ask: "Ask", placeholder: "Ask a question…", question: "Question", close: "Close", closeSource: "Close source", source: "Source",
    searching: "Searching: ", paragraph: "paragraph {n}", failed: "Sorry, that did not work: ", noAnswer: "no answer",
    tooLong: "Your question is {n} characters long; the limit is {limit}. Please shorten it.", other: {zh: "中文本", en: "English version"}
  };
  var LIMIT = 2000;
  // a written answer's part ("Answer", "Annex A") in the interface's language, the letter kept: "附件 A"
  function partName(part) {
    return T.parts ? (part || "").replace(/[A-Za-z]+/g, function (w) { return T.parts[w] || w; })
                   : part || "";
  }
  var shorts = {};  // doc id → its `short:` label (either language's), as the chat labels citations
  var opts = {
    title: script.dataset.title || T.title,
    position: script.dataset.position === "bottom-left" ? "left" : "right",
    color: /^#[0-9a-fA-F]{3,8}$/.test(script.dataset.color || "") ? script.dataset.color : "#0f766e",
    mode: script.dataset.mode === "inline" ? "inline" : "bubble",
    target: script.dataset.target || null,
    docs: (script.dataset.docs || "").split(",").map(function (d) { return d.trim(); }).filter(Boolean),
  };

  var CSS = [
    ":host{all:initial;display:block}",
    ".qa.fill{height:100%}",
    ".bubble svg{width:28px;height:28px;display:block;margin:auto;fill:#fff}",
    "*{box-sizing:border-box}",
    ".qa{font:15px/1.5 system-ui,-apple-system,'Segoe UI','Noto Sans CJK TC','Microsoft JhengHei',sans-serif;color:#0f172a;--c:" + opts.color + "}",
    ".bubble{position:fixed;bottom:20px;" + opts.position + ":20px;width:58px;height:58px;border-radius:50%;border:0;background:var(--c);color:#fff;cursor:pointer;box-shadow:0 6px 20px rgba(0,0,0,.25);font-size:26px;z-index:2147483646}",
    ".panel{display:flex;flex-direction:column;background:#fff;overflow:hidden}",
    ".floating{position:fixed;bottom:90px;" + opts.position + ":20px;width:min(400px,calc(100vw - 40px));height:min(600px,calc(100vh - 120px));border-radius:14px;box-shadow:0 12px 40px rgba(0,0,0,.28);z-index:2147483647}",
    ".inline{position:relative;width:100%;height:100%;min-height:420px}",
    ".hidden{display:none}",
    ".head{display:flex;align-items:center;justify-content:space-between;padding:10px 14px;background:var(--c);color:#fff;font-weight:600}",
    ".head button{background:transparent;border:0;color:#fff;font-size:22px;cursor:pointer;line-height:1;min-width:44px;min-height:44px;border-radius:8px}",
    ".log{flex:1;overflow-y:auto;padding:12px;background:#f8fafc}",
    ".msg{max-width:92%;margin:0 0 10px;padding:8px 11px;border-radius:12px;white-space:pre-wrap;overflow-wrap:anywhere}",
    ".user{margin-left:auto;background:var(--c);color:#fff;border-bottom-right-radius:4px}",
    ".bot{background:#fff;border:1px solid #e2e8f0;border-bottom-left-radius:4px}",
    ".bot.abstain{color:#334155;font-style:italic}",
    ".bot .line+.line,.bot ul+.line,.bot .line+ul{margin-top:6px}.bot ul{margin:4px 0 0;padding-left:18px;white-space:normal}",
    ".bot.error{color:#b91c1c}",
    ".bot.draft{color:#475569}",
    ".note{display:block;margin-top:6px;font-size:11.5px;color:#475569;font-style:normal}",
    ".cite{display:inline;border:0;background:#d5f5ee;color:#0b4f4a;font:inherit;font-weight:600;padding:0 3px;border-radius:4px;cursor:pointer}",
    ".src{border-top:1px solid #e2e8f0;background:#fff;max-height:45%;overflow-y:auto;padding:10px 14px;font-size:13.5px}",
    ".src h4{margin:0 0 4px;font-size:13px;color:var(--c)}",
    ".src .meta{color:#475569;font-size:12px;margin-bottom:6px}",
    ".src p{margin:0;overflow-wrap:anywhere}",
    ".src .other{margin-top:8px;padding-top:6px;border-top:1px dashed #cbd5e1}",
    ".src .other h5{margin:0 0 3px;font-size:12px;color:#475569}",
    ".src mark{background:#fde68a;color:#111827}.src .other mark{background:#fef3c7}",
    ".src .x{position:sticky;top:0;float:right;width:44px;height:44px;border:0;border-radius:50%;background:#f1f5f9;cursor:pointer;color:#0f172a;font-size:22px;z-index:1}",
    ".counter{font-size:11.5px;color:#475569;text-align:right;padding:0 12px 4px;background:#fff}.counter.over{color:#b91c1c;font-weight:600}",
    ".src h4{color:#0b4f4a}",
    "form{display:flex;gap:6px;padding:10px;border-top:1px solid #e2e8f0;background:#fff}",
    "textarea{flex:1;resize:none;height:42px;max-height:120px;padding:9px 10px;border:1px solid #cbd5e1;border-radius:8px;font:inherit;color:inherit;background:#fff}",
    "form button{border:0;border-radius:8px;background:var(--c);color:#fff;padding:0 14px;font:inherit;font-weight:600;cursor:pointer}",
    "form button:disabled{opacity:.5;cursor:default}",
    ".hint{color:#475569;font-size:13px;margin:4px 0 10px}",
    ".scope{display:block;font-size:11.5px;opacity:.85;font-weight:400}",
    "button:focus-visible,textarea:focus-visible{outline:3px solid #b45309;outline-offset:1px}",
    "form button{min-width:64px;min-height:44px}",
    // a phone: the panel takes the screen, and a source opens as a sheet over the conversation
    "@media (max-width:600px){.floating{inset:0;width:100vw;height:100vh;height:100dvh;border-radius:0;bottom:0}" +
    ".src{position:absolute;left:0;right:0;bottom:0;max-height:65%;box-shadow:0 -8px 24px rgba(0,0,0,.2);border-radius:12px 12px 0 0;padding-top:8px;z-index:3}" +
    ".shade{position:absolute;inset:0;background:rgba(15,23,42,.35);z-index:2}}",
    ".shade{display:none}",
    "@media (max-width:600px){.shade:not(.hidden){display:block}}",
    // the 400 px /embed iframe is narrow too
    ".inline .src{position:absolute;left:0;right:0;bottom:0;max-height:65%;box-shadow:0 -8px 24px rgba(0,0,0,.2);border-radius:12px 12px 0 0;z-index:3}",
    ".inline .shade:not(.hidden){display:block;position:absolute;inset:0;background:rgba(15,23,42,.35);z-index:2}",
  ].join("\n");

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text != null) n.textContent = text;
    return n;
  }

  function mount(host) {
    var root = host.attachShadow({mode: "open"});
    var style = el("style"); style.textContent = CSS; root.appendChild(style);
    var wrap = el("div", opts.mode === "inline" ? "qa fill" : "qa"); root.appendChild(wrap);
    var panel = el("div", "panel " + (opts.mode === "inline" ? "inline" : "floating hidden"));
    panel.setAttribute("role", "dialog"); panel.setAttribute("aria-label", opts.title);
    var head = el("div", "head"); var heading = el("span", null, opts.title); head.appendChild(heading);
    var scopeLine = null;
    if (opts.docs.length) { scopeLine = el("span", "scope", T.searching + "…"); heading.appendChild(scopeLine); }
    wrap.setAttribute("lang", zh ? "zh-HK" : "en");
    if (opts.mode === "inline" && !document.documentElement.getAttribute("lang")) document.documentElement.lang = zh ? "zh-HK" : "en";
    // the papers by title (never their file ids), and each picked paper's other language version
    var searched = opts.docs.slice();
    fetch(origin + "/api/documents").then(function (r) { return r.json(); }).then(function (d) {
      var byId = {};
      (d.documents || []).forEach(function (x) { byId[x.doc] = x; });
      (d.documents || []).forEach(function (x) {
        var pair = Object.keys(x.editions || {}).map(function (k) { return byId[x.editions[k]] || {}; });
        var short = x.short || pair.map(function (o) { return o.short; }).filter(Boolean)[0];
        if (short) shorts[x.doc] = short;
      });
      var names = [];
      opts.docs.forEach(function (id) {
        var x = byId[id];
        if (!x) return;
        var own = zh && x.editions && byId[x.editions.zh] ? byId[x.editions.zh] : x;  // the title in the reader's language
        names.push(own.title);
        Object.keys(x.editions || {}).forEach(function (k) { if (searched.indexOf(x.editions[k]) < 0) searched.push(x.editions[k]); });
      });
      if (scopeLine) scopeLine.textContent = T.searching + (names.length ? names.join(" · ") : opts.docs.length + "");
    }).catch(function () {});
    var log = el("div", "log");
    log.setAttribute("aria-live", "polite");
    log.appendChild(el("div", "hint", T.hint));
    var src = el("div", "src hidden");
    var shade = el("div", "shade hidden");  // a tap outside the source closes it
    var counter = el("div", "counter"); counter.setAttribute("aria-live", "polite");
    var form = el("form"); var input = el("textarea"); var send = el("button", null, T.ask);
    input.placeholder = T.placeholder; input.setAttribute("aria-label", T.question);
    send.type = "submit";
    form.appendChild(input); form.appendChild(send);
    panel.appendChild(head); panel.appendChild(log); panel.appendChild(shade); panel.appendChild(src);
    panel.appendChild(counter); panel.appendChild(form);
    function closeSource() { src.classList.add("hidden"); shade.classList.add("hidden"); input.focus(); }
    shade.addEventListener("click", closeSource);
    // a swipe down on the source closes it (when it is scrolled to its top)
    var startY = null;
    src.addEventListener("touchstart", function (e) { startY = src.scrollTop <= 0 ? e.touches[0].clientY : null; }, {passive: true});
    src.addEventListener("touchend", function (e) {
      if (startY !== null && e.changedTouches[0].clientY - startY > 60) closeSource();
      startY = null;
    });
    function count() {
      var n = input.value.length;
      counter.textContent = n ? n.toLocaleString() + " / " + LIMIT.toLocaleString() : "";
      counter.classList.toggle("over", n > LIMIT);
    }
    input.addEventListener("input", count);
    if (opts.mode === "bubble") {
      var close = el("button", null, "×"); close.setAttribute("aria-label", T.close); head.appendChild(close);
      var bubble = el("button", "bubble"); bubble.setAttribute("aria-label", opts.title);
      bubble.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 6a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z"/></svg>';
      panel.id = "qa-panel"; bubble.setAttribute("aria-controls", "qa-panel");
      bubble.setAttribute("aria-expanded", "false");
      var setOpen = function (open) {
        panel.classList.toggle("hidden", !open);
        bubble.setAttribute("aria-expanded", open ? "true" : "false");
        if (open) input.focus(); else bubble.focus();
      };
      bubble.addEventListener("click", function () { setOpen(panel.classList.contains("hidden")); });
      close.addEventListener("click", function () { setOpen(false); });
      panel.addEventListener("keydown", function (e) {
        if (e.key !== "Escape") return;
        e.stopPropagation();
        if (!src.classList.contains("hidden")) closeSource(); else setOpen(false);
      });
      wrap.appendChild(bubble);
    }
    wrap.appendChild(panel);

    var history = [];
    function showSource(c) {
      src.textContent = "";
      var x = el("button", "x", "×"); x.setAttribute("aria-label", T.closeSource);
      x.addEventListener("click", closeSource);
      src.appendChild(x);
      src.setAttribute("role", "region"); src.setAttribute("aria-label", T.source);
      src.appendChild(el("h4", null, (c.part ? partName(c.part) + " " : "") + "¶" + c.paragraph + (c.label ? " · " + c.label : "")));
      src.appendChild(el("div", "meta", c.title + (c.date ? " · " + c.date : "") + (c.heading ? " — " + c.heading : "")));
      var p = el("p"); var text = c.text || c.quote;
      var parts = (c.quote || "").split(" … ").filter(Boolean);
      var at = 0;
      parts.forEach(function (q) {
        var i = text.indexOf(q, at);
        if (i < 0) return;
        p.appendChild(document.createTextNode(text.slice(at, i)));
        p.appendChild(el("mark", null, q));
        at = i + q.length;
      });
      p.appendChild(document.createTextNode(text.slice(at)));
      src.appendChild(p);
      if (c.other && c.other.text) {  // the same paragraph in the paper's other language
        var o = el("div", "other"); o.setAttribute("lang", c.other.language === "zh" ? "zh-Hant" : "en");
        o.appendChild(el("h5", null, T.other[c.other.language === "zh" ? "zh" : "en"] + " · " +
          (c.other.part ? partName(c.other.part) + " " : "") + "¶" + c.other.paragraph));
        var op = el("p"); op.appendChild(el("mark", null, c.other.text)); o.appendChild(op);
        src.appendChild(o);
      }
      src.classList.remove("hidden"); shade.classList.remove("hidden");
      src.scrollTop = 0;
      var first = p.querySelector("mark");  // the quoted words in view, whatever the screen
      if (first) src.scrollTop = Math.max(0, first.offsetTop - src.offsetTop - 40);
      x.focus({preventScroll: true});
    }
    // Text with its citation markers as buttons that open the paragraph they cite
    function cited(parent, text, cites) {
      var re = /\[(?:[^\[\]¶]*?\s)?¶(\d+(?:\.\d+)*)\]/g, last = 0, m;
      while ((m = re.exec(text))) {
        var sentence = text.slice(last, m.index);
        parent.appendChild(document.createTextNode(sentence));
        var same = cites.filter(function (c) { return c.marker ? c.marker === m[0] : c.paragraph === m[1]; });
        var c = same.filter(function (c) {
          return c.quote && c.quote.split(" … ").some(function (q) { return q && sentence.indexOf(q) >= 0; });
        })[0] || same[0];
        var named = m[0].slice(1, m[0].indexOf("¶")).trim();  // a paper's label: shown as its date, never a file id
        var shown = c && named && named.split(/\s+/).some(function (w) { return w !== "中文" && (c.part || "").split(/\s+/).indexOf(w) < 0; })
          ? "[" + [shorts[c.doc] || c.date || (c.title || "").slice(0, 24), /中文/.test(named) ? "中文" : "", partName(c.part)]
              .filter(Boolean).join(" ") +
            " ¶" + m[1] + "]" : c && c.part ? m[0].replace(c.part, partName(c.part)) : m[0];
        var b = el("button", "cite", shown);
        b.type = "button";
        if (c) b.setAttribute("aria-label", (c.part ? partName(c.part) + ", " : "") + T.paragraph.replace("{n}", c.paragraph) +
                              (c.label ? ", " + c.label : "") + ", " + c.title);
        if (c) b.addEventListener("click", showSource.bind(null, c));
        parent.appendChild(b);
        last = re.lastIndex;
      }
      parent.appendChild(document.createTextNode(text.slice(last)));
    }
    // The answer's layout: a bold lead line, "- " list items; every word of it stays text
    function renderAnswer(node, data) {
      node.textContent = "";
      node.classList.remove("draft");
      if (data.abstained) node.classList.add("abstain");
      var cites = (data.citations && data.citations.length ? data.citations : data.nearby) || [];
      var list = null;
      data.answer.split("\n").forEach(function (line) {
        var bullet = line.indexOf("- ") === 0, body = bullet ? line.slice(2) : line;
        if (!bullet) list = null;
        if (!body.trim()) return;
        var holder = bullet ? el("li") : el("div", "line");
        if (bullet) { if (!list) { list = el("ul"); node.appendChild(list); } list.appendChild(holder); }
        else node.appendChild(holder);
        var m = /^\*\*([\s\S]+?)\*\*/.exec(body);
        if (m) { var strong = el("strong"); cited(strong, m[1], cites); holder.appendChild(strong); body = body.slice(m[0].length); }
        cited(holder, body, cites);
      });
      if (data.note && (data.answerer !== "extractive" || data.fallback)) node.appendChild(el("span", "note", data.note));
    }
    async function ask(question) {
      log.appendChild(el("div", "msg user", question));
      var bot = el("div", "msg bot", "…"); log.appendChild(bot); log.scrollTop = log.scrollHeight;
      src.classList.add("hidden"); shade.classList.add("hidden"); src.textContent = "";  // the last answer's source is not this one's
      send.disabled = true;
      try {
        var body = {question: question, history: history};
        if (opts.docs.length) body.filters = {documents: searched};
        var res = await fetch(origin + "/api/ask/stream", {method: "POST", headers: {"Content-Type": "application/json"},
          body: JSON.stringify(body)});
        if (!res.ok) {
          var err = await res.json().catch(function () { return {}; });
          throw new Error(err.error || ("HTTP " + res.status));
        }
        var reader = res.body.getReader(), decoder = new TextDecoder(), buf = "", text = "", final = null;
        for (;;) {
          var chunk = await reader.read();
          if (chunk.done) break;
          buf += decoder.decode(chunk.value, {stream: true});
          var events = buf.split("\n\n"); buf = events.pop();
          events.forEach(function (block) {
            var type = "message", data = "";
            block.split("\n").forEach(function (line) {
              if (line.indexOf("event:") === 0) type = line.slice(6).trim();
              else if (line.indexOf("data:") === 0) data += line.slice(5).trim();
            });
            if (!data) return;
            var value = JSON.parse(data);
            if (type === "token") { text += value; bot.textContent = text; bot.classList.add("draft"); }
            else if (type === "answer") final = value;
            else if (type === "error") throw new Error(value.error || "error");
          });
          log.scrollTop = log.scrollHeight;
        }
        if (!final) throw new Error(T.noAnswer);
        renderAnswer(bot, final);
        history.push({role: "user", content: question}, {role: "assistant", content: final.answer});
        history = history.slice(-8);
      } catch (e) {
        bot.classList.add("error"); bot.textContent = T.failed + e.message;
      } finally {
        send.disabled = false; log.scrollTop = log.scrollHeight;
      }
    }
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var q = input.value.trim();
      if (!q || send.disabled) return;
      if (q.length > LIMIT) {  // refused whole, as the chat does: nothing is cut, the text stays to be shortened
        var refusal = el("div", "msg bot error", T.tooLong.replace("{n}", q.length.toLocaleString()).replace("{limit}", LIMIT.toLocaleString()));
        log.appendChild(refusal); log.scrollTop = log.scrollHeight;
        return;
      }
      input.value = ""; count();
      ask(q);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
    });
  }

  function start() {
    var host;
    if (opts.mode === "inline" && opts.target) host = document.querySelector(opts.target);
    if (!host) { host = document.createElement("div"); document.body.appendChild(host); }
    host.setAttribute("data-legco-qa", "");
    if (opts.mode === "inline") host.style.height = host.style.height || "100%";
    mount(host);
  }
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
