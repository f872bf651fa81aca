// Progressive enhancement of the reading view: the comment form opens in a panel beside
// the paragraph, comments and replies are sent without reloading, text can be quoted by
// selecting it (widened to whole words), a paragraph can be edited where it stands to suggest
// a new wording. Without this script every control is a plain link or form that works.

import { currentOpenCount, setOpenCount } from "./counts.js";
import { wireEditor } from "./paragraph-editor.js";

const FETCH_HEADERS = { "X-Requested-With": "fetch" };
const fold = (text) => text.replace(/\s+/g, " ");

// A word, as the server reads one (WORD in app/review/quotes.py): letters and digits of any
// script, joined across a hyphen, an apostrophe or a colon, and digits across a decimal point.
const WORD = /[\p{L}\p{N}]+(?:(?:[-\u2010\u2011'\u2019:]|(?<=\p{Nd})[.,](?=\p{Nd}))[\p{L}\p{N}]+)*/gu;
// Inside a block's body but not its text: the heading's number, suggestions shown in the text.
const NOT_TEXT = ".heading-number, .block-suggestions";

function wordSpans(text) {
  return [...text.matchAll(WORD)].map((m) => [m.index, m.index + m[0].length]);
}

// [start, end) with spaces trimmed and each end inside a word moved out to the word's edge;
// null if it touches no word. As widen() in app/review/quotes.py.
function widen(text, start, end) {
  while (start < end && /\s/.test(text[start])) start += 1;
  while (end > start && /\s/.test(text[end - 1])) end -= 1;
  const spans = wordSpans(text);
  if (!spans.some(([s, e]) => s < end && e > start)) return null;
  spans.forEach(([s, e]) => {
    if (s < start && start < e) start = s;
    if (s < end && end < e) end = e;
  });
  return [start, end];
}

// A block's plain text as the server reads it (whitespace folded, trimmed), and for each of
// its characters the text node and offset it stands at.
function textMap(container) {
  const chars = [];
  let text = "";
  const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) =>
      node.parentElement.closest(NOT_TEXT) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  while (walker.nextNode()) {
    const node = walker.currentNode;
    for (let i = 0; i < node.data.length; i += 1) {
      const space = /\s/.test(node.data[i]);
      if (space && (text === "" || text.endsWith(" "))) continue;
      text += space ? " " : node.data[i];
      chars.push([node, i]);
    }
  }
  if (text.endsWith(" ")) {
    text = text.slice(0, -1);
    chars.pop();
  }
  return { text, chars };
}

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
  // What the author must hear besides (issue 27: a person @mentioned who cannot see the document).
  const notice = decodeURIComponent(response.headers.get("X-Remiss-Notice") || "");
  return { status: response.status, body, notice };
}

function showNotice(element, notice) {
  if (!notice) return;
  const note = document.createElement("p");
  note.className = "flash flash--warning";
  note.setAttribute("role", "status");
  note.textContent = notice;
  element.after(note);
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
    const link = block.querySelector(".comment-link:not(.suggest-link)");
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

// One form open at a time: the forms share their field names (and so their ids).
function closeAllPanels() {
  document.querySelectorAll(".block > .suggest-panel").forEach((p) => closeSuggest(p.parentElement));
  document.querySelectorAll(".comment-panel-inline").forEach((p) => p.remove());
}

async function openPanel(block, url, opener, onPosted = null) {
  closeAllPanels();
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

// The keyboard's way to quote: choosing the first and last word fills in the quote (and says
// it aloud); typing a quote by hand clears the choice.
function wireQuotePicker(panel, block) {
  const first = panel.querySelector("select[name=quote_from]");
  const last = panel.querySelector("select[name=quote_to]");
  const quote = panel.querySelector("textarea[name=quote]");
  const start = panel.querySelector("input[name=quote_start]");
  const preview = panel.querySelector(".quote-preview");
  if (!first || !last || !quote) return;
  const container = textContainer(block);
  const show = () => {
    if (!quote.value.trim()) {
      preview.hidden = true;
      return;
    }
    preview.hidden = false;
    preview.textContent = `${preview.dataset.label} “${quote.value}”`;
  };
  const pick = (changed) => {
    if (!first.value && !last.value) return;
    if (!first.value) first.value = last.value;
    if (!last.value) last.value = first.value;
    let [a, b] = [Number(first.value), Number(last.value)];
    if (a > b) {
      // The other end follows the one just chosen, so the quote never runs backwards.
      if (changed === first) last.value = first.value;
      else first.value = last.value;
      [a, b] = [Number(first.value), Number(last.value)];
    }
    const { text } = textMap(container);
    const spans = wordSpans(text);
    if (!spans[a] || !spans[b]) return;
    quote.value = text.slice(spans[a][0], spans[b][1]);
    if (start) start.value = String(spans[a][0]);
    show();
  };
  first.addEventListener("change", () => pick(first));
  last.addEventListener("change", () => pick(last));
  quote.addEventListener("input", () => {
    first.value = "";
    last.value = "";
    if (start) start.value = "";
    show();
  });
  show();
}

function wirePanel(panel, block, opener, onPosted = null) {
  wireQuotePicker(panel, block);
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
    const { status, body, notice } = await send(form.action, { method: "POST", body: new FormData(form) });
    button.disabled = false;
    if (status === 201) {
      const section = ensureCommentsSection(block);
      section.insertAdjacentHTML("beforeend", body);
      const added = section.lastElementChild;
      wireThread(added);
      showNotice(added, notice);
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

// Suggesting: the paragraph itself becomes an editable field (the server's form, holding the
// paragraph's text) until the suggestion is sent or cancelled. *thread*, when editing one's
// own suggestion, is the thread to replace with the saved one.
async function openSuggest(block, url, opener, thread = null) {
  closeAllPanels();
  const body = block.querySelector(":scope > .block-body");
  const table = opener.hasAttribute("data-table");
  const panel = document.createElement("div");
  panel.className = table ? "comment-panel-inline" : "suggest-panel";
  panel.setAttribute("role", "region");
  panel.setAttribute("aria-label", opener.getAttribute("aria-label") || opener.textContent);
  body.after(panel);
  const answer = await send(url);
  if (answer.status !== 200) {
    showMessage(panel, typeof answer.body === "object" ? answer.body.error : opener.textContent);
    return;
  }
  if (!table) body.hidden = true; // the editable paragraph stands in its place
  fillSuggest(panel, answer.body, block, opener, thread);
  const editable = panel.querySelector(".para-editable");
  if (editable) {
    editable.focus();
    const caret = document.createRange();
    caret.selectNodeContents(editable);
    caret.collapse(false);
    window.getSelection().removeAllRanges();
    window.getSelection().addRange(caret);
  } else {
    const field = panel.querySelector("textarea");
    if (field) field.focus();
  }
}

function closeSuggest(block, returnFocusTo = null) {
  block.querySelectorAll(":scope > .suggest-panel, :scope > .comment-panel-inline").forEach((p) => p.remove());
  const body = block.querySelector(":scope > .block-body");
  if (body) body.hidden = false;
  if (returnFocusTo) returnFocusTo.focus();
}

function fillSuggest(panel, html, block, opener, thread) {
  panel.innerHTML = html;
  const form = panel.querySelector("form.suggest-form");
  if (!form) return;
  wireEditor(form);
  const cancel = panel.querySelector(".cancel-link");
  if (cancel) {
    cancel.addEventListener("click", (event) => {
      event.preventDefault();
      closeSuggest(block, opener);
    });
  }
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeSuggest(block, opener);
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("[type=submit]");
    button.disabled = true;
    const { status, body, notice } = await send(form.action, { method: "POST", body: new FormData(form) });
    button.disabled = false;
    if (status === 201 || (status === 200 && thread)) {
      closeSuggest(block);
      const holder = document.createElement("div");
      holder.innerHTML = body;
      const added = holder.firstElementChild;
      if (thread) {
        thread.replaceWith(added);
      } else {
        ensureCommentsSection(block).append(added);
        updateCount(block, +1);
      }
      wireThread(added);
      showNotice(added, notice);
      added.setAttribute("tabindex", "-1");
      added.focus();
    } else if (status === 400 || status === 409) {
      fillSuggest(panel, body, block, opener, thread);
      const first = panel.querySelector(".suggest-conflict, .error-summary");
      if (first) first.focus();
    } else {
      showMessage(panel, typeof body === "object" ? body.error : String(status));
    }
  });
}

function updateCount(block, delta) {
  setOpenCount(block, currentOpenCount(block) + delta);
}

function wireThread(root) {
  root.querySelectorAll("a.edit-link[data-suggestion]").forEach((link) => {
    link.addEventListener("click", (event) => {
      const block = blockOf(link);
      if (!block || !block.querySelector(":scope > .block-body")) return; // not beside its paragraph
      event.preventDefault();
      openSuggest(block, link.href, link, link.closest(".comment"));
    });
  });
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
      const { status, body, notice } = await send(form.action, { method: "POST", body: new FormData(form) });
      const thread = form.closest(".comment");
      if (status === 201) {
        let list = thread.querySelector(":scope > .replies");
        if (!list) {
          list = document.createElement("ol");
          list.className = "replies";
          thread.querySelector(":scope > .reply-box").before(list);
        }
        list.insertAdjacentHTML("beforeend", body);
        showNotice(list, notice);
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
// paragraph; a selection across paragraphs gets a note saying so instead. The quote is the
// whole words the selection touches: half a word selected quotes the word.
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
  const { text, chars } = textMap(container);
  const selected = [];
  chars.forEach(([node, i], index) => {
    if (range.comparePoint(node, i) !== -1 && range.comparePoint(node, i + 1) !== 1) selected.push(index);
  });
  if (!selected.length) return null;
  const span = widen(text, selected[0], selected[selected.length - 1] + 1);
  if (!span) return null;
  const [start, end] = span;
  const words = document.createRange();
  words.setStart(chars[start][0], chars[start][1]);
  words.setEnd(chars[end - 1][0], chars[end - 1][1] + 1);
  return { block: startBlock, exact: text.slice(start, end), start, rect, range: words };
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
    const link = quote && quote.block.querySelector(".comment-link:not(.suggest-link)");
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
    const link = chosen.block.querySelector(".comment-link:not(.suggest-link)");
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
  reading.querySelectorAll(".comment-link:not(.suggest-link)").forEach((link) => {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      openPanel(blockOf(link), link.href, link);
    });
  });
  reading.querySelectorAll(".suggest-link").forEach((link) => {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      openSuggest(blockOf(link), link.href, link);
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
  // Discussions app/static/js/live.js fetched again after others' comments.
  reading.addEventListener("remiss:threads-replaced", (event) => wireThread(event.target));
  const button = document.getElementById("quote-button");
  if (button) setUpSelection(button, document.getElementById("quote-note"));
}

init();
