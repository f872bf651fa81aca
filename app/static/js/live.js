// What others do while a page is open (issue 27): new comments and decisions on the reading
// page, decisions and "is deciding" on the review dashboard, saved blocks in the working draft.
// The stream (app/live/views.py) carries ids and a kind only; what a person may see is fetched
// through the routes that already check it. Without this script every page works as before.
// Nothing here moves what the person reads or types: content above the viewport is compensated,
// and a discussion they are writing in gets a "Show" button instead of new content.

import { setOpenCount } from "./counts.js";

const hook = document.getElementById("live");
const FETCH = { "X-Requested-With": "fetch" };

function say(text) {
  const status = document.getElementById("live-status");
  if (!status || !text) return;
  // Cleared first so the same words are announced again.
  status.textContent = "";
  window.setTimeout(() => { status.textContent = text; }, 50);
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_m, key) => (key in values ? String(values[key]) : ""));
}

function fromHTML(html) {
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  return template.content;
}

// Keep the first block in view where it stands while *change* alters the page above or around it.
function keepingPlace(change) {
  const anchor = Array.from(document.querySelectorAll(".block, .triage-card, .draft-block"))
    .find((element) => element.getBoundingClientRect().bottom > 0);
  const before = anchor ? anchor.getBoundingClientRect().top : 0;
  change();
  if (!anchor || !anchor.isConnected) return;
  const shift = anchor.getBoundingClientRect().top - before;
  if (Math.abs(shift) > 1) window.scrollBy(0, shift);
}

// Whether the person is at work in *element*: focus inside it (writing, or just reading a reply
// they moved to), an open reply box, or words typed and not yet sent.
function typingIn(element) {
  const active = document.activeElement;
  if (active && active !== document.body && element.contains(active)) return true;
  if (element.querySelector("details.reply-box[open], .comment-panel-inline")) return true;
  return Array.from(element.querySelectorAll("textarea")).some((area) => area.value.trim() !== "");
}

function button(text, onClick, className = "small secondary") {
  const b = document.createElement("button");
  b.type = "button";
  b.className = className;
  b.textContent = text;
  b.addEventListener("click", onClick);
  return b;
}

function note(className, text) {
  const p = document.createElement("p");
  p.className = `live-note ${className}`;
  p.textContent = text;
  return p;
}

// ---- the stream ----------------------------------------------------------------------------

function connect(handlers) {
  // The newest event before the page read its data: the stream starts there, so what happened
  // while the page loaded still arrives.
  let last = hook.dataset.last || null;
  let source = null;
  let pause = 1000;

  function open() {
    const url = new URL(hook.dataset.stream, window.location.href);
    if (last !== null) url.searchParams.set("last", last);
    source = new EventSource(url);
    source.addEventListener("open", () => { pause = 1000; });
    source.addEventListener("error", () => {
      // EventSource retries by itself (with Last-Event-ID) unless the server refused it
      // (429, 503, a restart): then again after a growing pause, from the last id seen.
      if (source.readyState === EventSource.CLOSED) {
        window.setTimeout(open, pause);
        pause = Math.min(pause * 2, 30000);
      }
    });
    const all = { hello: () => {}, ...handlers };
    for (const [kind, handler] of Object.entries(all)) {
      source.addEventListener(kind, (event) => {
        if (event.lastEventId) last = event.lastEventId;
        handler(event.data ? JSON.parse(event.data) : {});
      });
    }
    // Events not meant for this reader still move the id on.
    source.addEventListener("message", (event) => { if (event.lastEventId) last = event.lastEventId; });
    source.addEventListener("busy", () => {
      // The server is full for now: try again later, from the last id seen.
      source.close();
      window.setTimeout(open, pause);
      pause = Math.min(pause * 2, 30000);
    });
    source.addEventListener("bye", () => {
      // The server is stopping (a deploy): come back to another worker at once.
      source.close();
      window.setTimeout(open, 200);
    });
  }

  // Tests cut the stream to check that nothing is lost on a reconnect.
  window.remissLive = {
    drop() { if (source) source.close(); window.setTimeout(open, 100); },
    get last() { return last; },
    get open() { return source !== null && source.readyState === EventSource.OPEN; },
  };
  open();
}

function reloadBanner(data) {
  let banner = document.getElementById("live-reload");
  if (!banner) {
    banner = document.createElement("div");
    banner.id = "live-reload";
    banner.className = "notice live-reload";
    const main = document.querySelector("main") || document.body;
    main.prepend(banner);
  }
  const text = data.changes ? fill(hook.dataset.reloadN, { n: data.changes }) : hook.dataset.reload;
  banner.replaceChildren(document.createTextNode(`${text} `));
  const link = document.createElement("a");
  link.href = window.location.href;
  link.textContent = hook.dataset.reloadLink;
  banner.append(link);
  say(text);
}

// ---- the reading page ----------------------------------------------------------------------

function readingPage() {
  const pending = new Map(); // block uid -> new comments not yet announced
  const refreshing = new Map(); // block uid -> timer
  let announceTimer = null;

  function blockElement(uid) {
    return document.querySelector(`.block[data-uid="${CSS.escape(uid)}"]`);
  }

  function refLabel(block) {
    const ref = block.querySelector(".ref, .heading-number");
    return ref ? ref.textContent.trim() : "";
  }

  function announceSoon() {
    window.clearTimeout(announceTimer);
    announceTimer = window.setTimeout(() => {
      const parts = [];
      for (const [uid, n] of pending) {
        const block = uid ? blockElement(uid) : null;
        if (block) parts.push(fill(n === 1 ? hook.dataset.one : hook.dataset.many, { n, ref: refLabel(block) }));
        else parts.push(fill(n === 1 ? hook.dataset.oneGeneral : hook.dataset.manyGeneral, { n }));
      }
      pending.clear();
      say(parts.join(" "));
    }, 800);
  }

  function section(block, uid) {
    let found = block.querySelector(":scope > .block-comments");
    if (!found) {
      found = document.createElement("section");
      found.className = "block-comments";
      found.id = `comments-${uid}`;
      found.setAttribute("aria-label", fill(hook.dataset.commentsOn, { ref: refLabel(block) }));
      block.querySelector(".block-body").after(found);
    }
    return found;
  }

  async function refresh(uid, asked = false) {
    const block = blockElement(uid);
    if (!block) return;
    const existing = block.querySelector(":scope > .block-comments");
    // A busy version shows counts only: its "Show N comments" link loads the discussion.
    if (existing && existing.querySelector(".show-comments") && !existing.querySelector("article.comment")) return;
    const where = section(block, uid);
    if (!asked && typingIn(where)) {
      if (!where.querySelector(".live-new-here")) {
        const bar = note("live-new-here", `${hook.dataset.newHere} `);
        bar.append(button(hook.dataset.show, () => { bar.remove(); refresh(uid, true); }));
        where.prepend(bar);
      }
      return;
    }
    const url = new URL(hook.dataset.blockUrl.replace("__uid__", uid), window.location.href);
    for (const key of ["comments", "org"]) {
      const value = new URLSearchParams(window.location.search).get(key);
      if (value) url.searchParams.set(key, value);
    }
    const response = await fetch(url, { headers: FETCH, credentials: "same-origin" });
    if (!response.ok) return;
    const html = await response.text();
    // What the person wrote, and which reply boxes were open, survive the new content.
    const typed = new Map(Array.from(where.querySelectorAll("textarea[id]")).map((t) => [t.id, t.value]));
    const opened = Array.from(where.querySelectorAll("details[open] textarea[id]")).map((t) => t.id);
    keepingPlace(() => {
      where.replaceChildren(fromHTML(html));
      for (const [id, value] of typed) {
        const area = where.querySelector(`#${CSS.escape(id)}`);
        if (area && value) area.value = value;
      }
      for (const id of opened) where.querySelector(`#${CSS.escape(id)}`)?.closest("details")?.setAttribute("open", "");
      // "No comments match the filter": nothing to show under the paragraph.
      if (!where.querySelector("article.comment")) where.replaceChildren();
    });
    // The margin's "N open comments", when the page shows every comment (a filter shows fewer).
    const filter = new URLSearchParams(window.location.search).get("comments");
    if (!filter || filter === "all") {
      setOpenCount(block, where.querySelectorAll(":scope > article.comment--open").length);
    }
    where.dispatchEvent(new CustomEvent("remiss:threads-replaced", { bubbles: true }));
  }

  function refreshSoon(uid) {
    if (!uid) return;
    window.clearTimeout(refreshing.get(uid));
    refreshing.set(uid, window.setTimeout(() => { refreshing.delete(uid); refresh(uid); }, 150));
  }

  function posted(data) {
    if (data.mine) return; // this person's page shows it already
    // Already on the page (it happened while the page loaded): refresh, but nothing is new.
    if (data.number && document.getElementById(`c-${data.number}`)) { refreshSoon(data.block); return; }
    const key = data.block && blockElement(data.block) ? data.block : "";
    pending.set(key, (pending.get(key) || 0) + 1);
    announceSoon();
    refreshSoon(data.block);
  }

  const changed = (data) => { if (!data.mine) refreshSoon(data.block); };
  connect({
    comment: posted,
    reply: posted,
    edited: changed,
    withdrawn: changed,
    hidden: changed,
    unhidden: changed,
    endorsed: changed,
    decided: changed,
    applied: changed,
    published: () => reloadBanner({}),
    reload: reloadBanner,
  });
}

// ---- the review dashboard ------------------------------------------------------------------

function dashboard() {
  let fresh = 0;
  const presence = new Map(); // comment id -> timer
  const sent = new Map(); // comment id -> when this editor last said "deciding"

  function card(number) {
    return number ? document.getElementById(`c-${number}`) : null;
  }

  function moveCount(from, to) {
    if (from === to) return;
    for (const [status, step] of [[from, -1], [to, 1]]) {
      const cell = document.querySelector(`[data-count="${status}"]`);
      if (cell) cell.textContent = String(Math.max(0, Number(cell.textContent) + step));
    }
  }

  function decisionUrl(element) {
    const link = element.querySelector('.card-actions a[href*="/review/c/"]');
    return link ? link.href : null;
  }

  async function decided(data) {
    const element = card(data.number);
    if (!element) return;
    clearPresence(data.comment);
    if (data.mine) return;
    if (typingIn(element) || element.querySelector("details.decide-card[open]")) {
      element.prepend(note("live-decided", fill(hook.dataset.decidedBy, { name: data.by || "" })));
      return;
    }
    const url = decisionUrl(element);
    if (!url) return;
    const response = await fetch(url, { headers: { ...FETCH, Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) return;
    const body = await response.json();
    if (!body.card) return;
    const shown = element.dataset.status;
    const replacement = fromHTML(body.card).firstElementChild;
    keepingPlace(() => element.replaceWith(replacement));
    const text = fill(hook.dataset.decidedBy, { name: data.by || "" });
    replacement.prepend(note("live-decided", text));
    moveCount(shown, replacement.dataset.status);
    // triage.js makes the new card's forms send in place again.
    replacement.dispatchEvent(new CustomEvent("remiss:card-replaced", { bubbles: true }));
    say(`#${data.number}: ${text}`);
  }

  function clearPresence(commentId) {
    window.clearTimeout(presence.get(commentId));
    presence.delete(commentId);
    document.querySelectorAll(`.live-deciding[data-comment="${commentId}"]`).forEach((p) => p.remove());
  }

  function deciding(data) {
    if (data.mine) return;
    const element = card(data.number);
    if (!element) return;
    clearPresence(data.comment);
    const p = note("live-deciding", fill(hook.dataset.deciding, { name: data.by || "" }));
    p.dataset.comment = data.comment;
    element.prepend(p);
    presence.set(data.comment, window.setTimeout(() => clearPresence(data.comment), 120000));
  }

  function posted(data) {
    if (data.mine) return;
    fresh += 1;
    if (!data.parent) {
      const open = document.querySelector('[data-count="open"]');
      if (open) open.textContent = String(Number(open.textContent) + 1);
    }
    let bar = document.getElementById("live-board-new");
    if (!bar) {
      bar = document.createElement("p");
      bar.id = "live-board-new";
      bar.className = "notice live-note";
      document.querySelector(".status-counts")?.after(bar);
    }
    const text = fill(fresh === 1 ? hook.dataset.newOnBoardOne : hook.dataset.newOnBoard, { n: fresh });
    bar.replaceChildren(document.createTextNode(`${text} `), button(hook.dataset.show, () => window.location.reload()));
    say(text);
  }

  // Opening a card's decision tells the other editors, at most once a minute per card.
  document.addEventListener("toggle", (event) => {
    const details = event.target;
    if (!(details instanceof HTMLDetailsElement) || !details.open || !details.matches("details.decide-card")) return;
    const element = details.closest(".triage-card");
    const url = element && decisionUrl(element);
    const match = url && url.match(/\/review\/c\/(\d+)/);
    const token = document.querySelector('input[name="csrf_token"]');
    if (!match || !token) return;
    const id = match[1];
    if (Date.now() - (sent.get(id) || 0) < 60000) return;
    sent.set(id, Date.now());
    const body = new URLSearchParams({ csrf_token: token.value });
    fetch(hook.dataset.decidingUrl.replace(/\/0$/, `/${id}`), {
      method: "POST", body, headers: FETCH, credentials: "same-origin",
    }).catch(() => {});
  }, true);

  // The bulk decision, opened with comments ticked (or ticked while it is open), tells the other
  // editors of each of them in one request, at most once a minute per card as above.
  const bulk = document.querySelector("details.bulk-decision");
  function decidingInBulk() {
    const token = document.querySelector('input[name="csrf_token"]');
    if (!bulk || !bulk.open || !token || !hook.dataset.decidingManyUrl) return;
    const body = new URLSearchParams({ csrf_token: token.value });
    document.querySelectorAll('input[type="checkbox"][name="comment"][form="bulk-form"]:checked').forEach((box) => {
      const id = box.value.split(":")[0];
      if (Date.now() - (sent.get(id) || 0) < 60000) return;
      sent.set(id, Date.now());
      body.append("comment", id);
    });
    if (!body.has("comment")) return;
    fetch(hook.dataset.decidingManyUrl, { method: "POST", body, headers: FETCH, credentials: "same-origin" }).catch(() => {});
  }
  bulk?.addEventListener("toggle", decidingInBulk);
  document.addEventListener("change", (event) => {
    if (event.target.matches?.('input[type="checkbox"][form="bulk-form"], #select-all')) decidingInBulk();
  });

  connect({
    decided,
    applied: decided,
    deciding,
    comment: posted,
    reply: posted,
    reload: reloadBanner,
  });
}

// ---- one comment's decision page -----------------------------------------------------------

function decisionPage() {
  const commentId = hook.dataset.comment;
  const where = () => document.querySelector("main form[method=post]") || document.querySelector("main");

  function show(id, text) {
    let p = document.getElementById(id);
    if (!p) {
      p = note(`notice ${id}`, "");
      p.id = id;
      where()?.before(p);
    }
    p.textContent = text;
    say(text);
  }

  // Opening the page tells the other editors, as opening a card's decision does.
  const token = document.querySelector('input[name="csrf_token"]');
  if (token && hook.dataset.decidingUrl) {
    const body = new URLSearchParams({ csrf_token: token.value });
    fetch(hook.dataset.decidingUrl, { method: "POST", body, headers: FETCH, credentials: "same-origin" }).catch(() => {});
  }

  const mineElsewhere = (data) => data.mine || String(data.comment) !== commentId;
  connect({
    deciding: (data) => { if (!mineElsewhere(data)) show("live-deciding", fill(hook.dataset.deciding, { name: data.by || "" })); },
    decided: (data) => {
      if (mineElsewhere(data)) return;
      document.getElementById("live-deciding")?.remove();
      show("live-decided", `${fill(hook.dataset.decidedBy, { name: data.by || "" })} ${hook.dataset.decidedHere}`);
    },
    reload: reloadBanner,
  });
}

// ---- the working draft ---------------------------------------------------------------------

function draft() {
  const editing = hook.dataset.uid || null;

  function saved(data) {
    if (data.mine || !data.block) return;
    const text = fill(hook.dataset.changedBy, { name: data.by || "" });
    if (editing) {
      if (data.block !== editing) return;
      let p = document.getElementById("live-changed");
      if (!p) {
        p = note("notice live-changed", `${text} `);
        p.id = "live-changed";
        const link = document.createElement("a");
        link.href = window.location.pathname;
        link.textContent = hook.dataset.reloadBlock;
        p.append(link);
        const form = document.querySelector("main form");
        if (form) form.before(p);
        else document.querySelector("main")?.prepend(p);
      }
      say(text);
      return;
    }
    const element = document.getElementById(`b-${data.block}`);
    if (!element || element.querySelector(".live-changed")) return;
    const p = note("live-changed", `${text} `);
    const link = document.createElement("a");
    link.href = `${window.location.pathname}#b-${data.block}`;
    link.textContent = hook.dataset.reloadBlock;
    link.addEventListener("click", (event) => { event.preventDefault(); window.location.reload(); });
    p.append(link);
    element.append(p);
    say(text);
  }

  connect({ draft: saved, published: () => reloadBanner({}), reload: reloadBanner });
}

if (hook && "EventSource" in window) {
  const mode = hook.dataset.mode;
  if (mode === "reading") readingPage();
  else if (mode === "dashboard") dashboard();
  else if (mode === "decide") decisionPage();
  else if (mode === "draft" || mode === "block") draft();
}
