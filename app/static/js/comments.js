// Progressive enhancement of the reading view: the comment form opens in a panel beside
// the paragraph, comments and replies are sent without reloading, text can be quoted by
// selecting it. Without this script every control is a plain link or form that works.

const FETCH_HEADERS = { "X-Requested-With": "fetch" };
const fold = (text) => text.replace(/\s+/g, " ");

function blockOf(node) {
  const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  return element ? element.closest(".block") : null;
}

function textContainer(block) {
  return block.querySelector(".block-body");
}

async function send(url, options = {}) {
  const response = await fetch(url, {
    credentials: "same-origin",
    ...options,
    headers: { ...FETCH_HEADERS, ...(options.headers || {}) },
  });
  const type = response.headers.get("Content-Type") || "";
  const body = type.includes("json") ? await response.json() : await response.text();
  return { status: response.status, body };
}

function closePanel(panel, returnFocusTo) {
  panel.remove();
  if (returnFocusTo) returnFocusTo.focus();
}

function ensureCommentsSection(block) {
  let section = block.querySelector(":scope > .block-comments");
  if (!section) {
    section = document.createElement("section");
    section.className = "block-comments";
    section.id = `comments-${block.dataset.uid}`;
    const link = block.querySelector(".comment-link");
    section.setAttribute("aria-label", link ? link.getAttribute("aria-label") : "");
    block.appendChild(section);
  }
  return section;
}

function showMessage(panel, message) {
  const note = document.createElement("p");
  note.className = "flash flash--error";
  note.setAttribute("role", "alert");
  note.textContent = message;
  panel.prepend(note);
}

async function openPanel(block, url, opener, onPosted = null) {
  document.querySelectorAll(".comment-panel-inline").forEach((p) => p.remove());
  const panel = document.createElement("div");
  panel.className = "comment-panel-inline";
  panel.setAttribute("role", "region");
  panel.setAttribute("aria-label", opener.getAttribute("aria-label") || opener.textContent);
  // Below the text (beside it on wide screens): the paragraph stays in view above the form.
  block.querySelector(":scope > .block-body").after(panel);
  const { status, body } = await send(url);
  if (status !== 200) {
    showMessage(panel, typeof body === "object" ? body.error : opener.textContent);
    return;
  }
  panel.innerHTML = body;
  wirePanel(panel, block, opener, onPosted);
  const first = panel.querySelector("textarea[name=body]");
  if (first) first.focus();
}

function wirePanel(panel, block, opener, onPosted = null) {
  const form = panel.querySelector("form.comment-form");
  const cancel = panel.querySelector(".cancel-link");
  if (cancel) {
    cancel.addEventListener("click", (event) => {
      event.preventDefault();
      closePanel(panel, opener);
    });
  }
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closePanel(panel, opener);
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("[type=submit]");
    button.disabled = true;
    const { status, body } = await send(form.action, { method: "POST", body: new FormData(form) });
    button.disabled = false;
    if (status === 201) {
      const section = ensureCommentsSection(block);
      section.insertAdjacentHTML("beforeend", body);
      const added = section.lastElementChild;
      wireThread(added);
      panel.remove();
      updateCount(block, +1);
      if (onPosted) onPosted();
      added.setAttribute("tabindex", "-1");
      added.focus();
    } else if (status === 400) {
      panel.innerHTML = body;
      wirePanel(panel, block, opener, onPosted);
      const summary = panel.querySelector(".error-summary");
      if (summary) summary.focus();
    } else {
      showMessage(panel, typeof body === "object" ? body.error : String(status));
    }
  });
}

function updateCount(block, delta) {
  const margin = block.querySelector(":scope > .block-margin");
  let count = margin.querySelector(".comment-count");
  const current = count ? parseInt(count.textContent, 10) || 0 : 0;
  const next = current + delta;
  if (!count) {
    count = document.createElement("a");
    count.className = "comment-count";
    count.href = `#comments-${block.dataset.uid}`;
    // A heading's margin has no number (it stands in the heading): the count then comes first.
    const ref = margin.querySelector(".ref");
    if (ref) ref.after(count);
    else margin.prepend(count);
  }
  // The server renders the translated wording; here only the number changes.
  const words = (count.textContent.replace(/^\d+\s*/, "") || count.dataset.label || "").trim();
  count.textContent = `${next} ${words}`.trim();
}

function wireThread(root) {
  root.querySelectorAll("form.endorse-form").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const { status, body } = await send(form.action, { method: "POST", body: new FormData(form) });
      if (status === 200 && typeof body === "object") {
        const button = form.querySelector("button");
        button.setAttribute("aria-pressed", body.endorsed ? "true" : "false");
        const count = form.querySelector(".endorse-count");
        if (count) count.textContent = `(${body.count})`;
      }
    });
  });
  root.querySelectorAll("form.reply-form").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const { status, body } = await send(form.action, { method: "POST", body: new FormData(form) });
      const thread = form.closest(".comment");
      if (status === 201) {
        let list = thread.querySelector(":scope > .replies");
        if (!list) {
          list = document.createElement("ol");
          list.className = "replies";
          thread.querySelector(":scope > .reply-box").before(list);
        }
        list.insertAdjacentHTML("beforeend", body);
        form.reset();
        form.closest("details").open = false;
        const added = list.lastElementChild;
        added.setAttribute("tabindex", "-1");
        added.focus();
      } else if (status === 400) {
        form.submit(); // nothing was stored: let the server show its page with the error
      } else {
        showMessage(form, typeof body === "object" ? body.error : String(status));
      }
    });
  });
}

// Quoting by selection: a "Comment on selection" button beside a selection within one
// paragraph; a selection across paragraphs gets a note saying so instead.
function selectionQuote() {
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed || selection.rangeCount === 0) return null;
  const range = selection.getRangeAt(0);
  const startBlock = blockOf(range.startContainer);
  const endBlock = blockOf(range.endContainer);
  if (!startBlock && !endBlock) return null;
  const rect = range.getBoundingClientRect();
  if (!startBlock || startBlock !== endBlock) {
    const reading = document.querySelector(".reading");
    if (!fold(range.toString()).trim() || !reading.contains(range.commonAncestorContainer)) return null;
    return { across: true, rect };
  }
  const container = textContainer(startBlock);
  if (!container || !container.contains(range.startContainer) || !container.contains(range.endContainer)) {
    return null;
  }
  const exact = fold(range.toString()).trim();
  if (!exact) return null;
  const before = document.createRange();
  before.selectNodeContents(container);
  before.setEnd(range.startContainer, range.startOffset);
  const prefix = fold(before.toString()).replace(/^ /, "");
  const leading = fold(range.toString()).startsWith(" ") ? 1 : 0;
  return { block: startBlock, exact, start: prefix.length + leading, rect, range: range.cloneRange() };
}

// Place *element* just below the selection, inside the window's width.
function placeBeside(element, rect) {
  element.hidden = false;
  const margin = 8;
  const width = element.offsetWidth;
  const left = Math.max(margin, Math.min(rect.left, document.documentElement.clientWidth - width - margin));
  element.style.top = `${window.scrollY + rect.bottom + 6}px`;
  element.style.left = `${window.scrollX + left}px`;
}

// Mark the quoted words in the paragraph, as the server does for quotes on the next load.
function markQuote(range) {
  const root = range.commonAncestorContainer;
  const walker = document.createTreeWalker(
    root.nodeType === Node.TEXT_NODE ? root.parentNode : root,
    NodeFilter.SHOW_TEXT,
  );
  const nodes = [];
  while (walker.nextNode()) {
    if (range.intersectsNode(walker.currentNode)) nodes.push(walker.currentNode);
  }
  nodes.forEach((node) => {
    const from = node === range.startContainer ? range.startOffset : 0;
    const to = node === range.endContainer ? range.endOffset : node.length;
    if (to <= from || !node.data.slice(from, to).trim()) return;
    const middle = node.splitText(from);
    middle.splitText(to - from);
    const mark = document.createElement("mark");
    middle.replaceWith(mark);
    mark.appendChild(middle);
  });
}

function setUpSelection(button, note) {
  let quote = null;
  const hide = () => {
    button.hidden = true;
    if (note) note.hidden = true;
  };
  const update = () => {
    const found = selectionQuote();
    quote = found && !found.across ? found : null;
    if (found && found.across) {
      button.hidden = true;
      if (note) placeBeside(note, found.rect);
      return;
    }
    const link = quote && quote.block.querySelector(".comment-link");
    if (!quote || !link) {
      quote = null;
      hide();
      return;
    }
    if (note) note.hidden = true;
    placeBeside(button, quote.rect);
  };
  let pending = false;
  document.addEventListener("selectionchange", () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      update();
    });
  });
  button.addEventListener("mousedown", (event) => event.preventDefault());
  button.addEventListener("click", () => {
    if (!quote) return;
    const chosen = quote;
    const link = chosen.block.querySelector(".comment-link");
    const url = new URL(link.href);
    url.searchParams.set("quote", chosen.exact);
    url.searchParams.set("start", String(chosen.start));
    hide();
    openPanel(chosen.block, url.toString(), link, () => {
      markQuote(chosen.range);
      window.getSelection().removeAllRanges();
      hide();
    });
  });
}

function init() {
  const reading = document.querySelector(".reading");
  if (!reading) return;
  reading.querySelectorAll(".comment-link").forEach((link) => {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      openPanel(blockOf(link), link.href, link);
    });
  });
  reading.querySelectorAll("a.show-comments").forEach((link) => {
    link.addEventListener("click", async (event) => {
      event.preventDefault();
      const section = link.closest(".block-comments");
      const { status, body } = await send(link.href);
      if (status !== 200) {
        window.location.href = link.href;
        return;
      }
      section.innerHTML = body;
      wireThread(section);
      section.setAttribute("tabindex", "-1");
      section.focus();
    });
  });
  wireThread(reading);
  const button = document.getElementById("quote-button");
  if (button) setUpSelection(button, document.getElementById("quote-note"));
}

init();
