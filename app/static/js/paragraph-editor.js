// The paragraph editor of a suggestion: the paragraph's own text made editable in place, with
// the light formatting a block keeps (bold, italic, links) and nothing else. A small toolbar
// (Bold, Italic, Link; aria-pressed follows the caret), Ctrl+B, Ctrl+I and Ctrl+K; Enter never
// splits the paragraph, and pasted text comes in as plain text. The server sanitises whatever
// is sent (app.richtext.sanitize_inline): this only keeps the editing honest.

const SAFE_LINK = /^(https?:\/\/|mailto:)\S+$/i;

function within(editable, node) {
  return node && (node === editable || editable.contains(node));
}

function selectionIn(editable) {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0) return null;
  const range = selection.getRangeAt(0);
  return within(editable, range.commonAncestorContainer) ? range : null;
}

function linkAt(editable, range) {
  if (!range) return null;
  let node = range.startContainer;
  if (node.nodeType !== Node.ELEMENT_NODE) node = node.parentElement;
  const link = node ? node.closest("a") : null;
  return link && editable.contains(link) ? link : null;
}

export function wireEditor(form) {
  const editable = form.querySelector(".para-editable");
  if (!editable) return null;
  const toolbar = form.querySelector(".para-toolbar");
  const buttons = {};
  toolbar.querySelectorAll("button[data-command]").forEach((button) => {
    buttons[button.dataset.command] = button;
  });
  const linkRow = form.querySelector(".link-row");
  const linkInput = linkRow.querySelector("input");
  let saved = null;

  document.execCommand("styleWithCSS", false, false);

  const update = () => {
    const range = selectionIn(editable);
    if (!range) return;
    buttons.bold.setAttribute("aria-pressed", String(document.queryCommandState("bold")));
    buttons.italic.setAttribute("aria-pressed", String(document.queryCommandState("italic")));
    buttons.link.setAttribute("aria-pressed", String(Boolean(linkAt(editable, range))));
  };

  const run = (command) => {
    editable.focus();
    document.execCommand(command, false, null);
    update();
  };

  const openLinkRow = () => {
    const range = selectionIn(editable);
    saved = range ? range.cloneRange() : null;
    const link = linkAt(editable, range);
    linkInput.value = link ? link.getAttribute("href") : "";
    linkRow.hidden = false;
    buttons.link.setAttribute("aria-expanded", "true");
    linkInput.focus();
  };

  const closeLinkRow = () => {
    linkRow.hidden = true;
    buttons.link.setAttribute("aria-expanded", "false");
    editable.focus();
    if (saved) {
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(saved);
    }
    update();
  };

  const applyLink = () => {
    const href = linkInput.value.trim();
    if (!SAFE_LINK.test(href)) {
      linkInput.setAttribute("aria-invalid", "true");
      linkInput.focus();
      return;
    }
    linkInput.removeAttribute("aria-invalid");
    closeLinkRow();
    if (saved && !saved.collapsed) {
      document.execCommand("createLink", false, href);
    } else {
      const a = document.createElement("a");
      a.href = href;
      a.textContent = href;
      document.execCommand("insertHTML", false, a.outerHTML);
    }
    update();
  };

  // Keep the selection in the paragraph when a toolbar button is pressed with the mouse.
  toolbar.addEventListener("mousedown", (event) => {
    if (event.target.closest("button")) event.preventDefault();
  });
  buttons.bold.addEventListener("click", () => run("bold"));
  buttons.italic.addEventListener("click", () => run("italic"));
  buttons.link.addEventListener("click", () => (linkRow.hidden ? openLinkRow() : closeLinkRow()));
  linkRow.querySelector("[data-link=apply]").addEventListener("click", applyLink);
  linkRow.querySelector("[data-link=remove]").addEventListener("click", () => {
    closeLinkRow();
    const link = linkAt(editable, selectionIn(editable));
    if (link) {
      const range = document.createRange();
      range.selectNodeContents(link);
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
    }
    document.execCommand("unlink", false, null);
    update();
  });
  linkInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      applyLink();
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      closeLinkRow();
    }
  });

  editable.addEventListener("keydown", (event) => {
    const mod = event.ctrlKey || event.metaKey;
    const key = event.key.toLowerCase();
    if (event.key === "Enter") {
      event.preventDefault(); // one paragraph: Enter never splits it
      if (mod) form.requestSubmit();
    } else if (mod && !event.altKey && (key === "b" || key === "i")) {
      event.preventDefault();
      run(key === "b" ? "bold" : "italic");
    } else if (mod && !event.altKey && key === "k") {
      event.preventDefault();
      openLinkRow();
    }
  });
  // A phone's keyboard may send no Enter key at all, only the input it would make.
  editable.addEventListener("beforeinput", (event) => {
    if (event.inputType === "insertParagraph" || event.inputType === "insertLineBreak") event.preventDefault();
  });
  editable.addEventListener("paste", (event) => {
    event.preventDefault();
    const text = (event.clipboardData.getData("text/plain") || "").replace(/\s+/g, " ");
    document.execCommand("insertText", false, text);
  });
  editable.addEventListener("drop", (event) => event.preventDefault());
  editable.addEventListener("keyup", update);
  editable.addEventListener("mouseup", update);
  editable.addEventListener("focus", update);

  // The paragraph's HTML goes with the form however it is sent.
  form.addEventListener("formdata", (event) => {
    event.formData.set("html", editable.innerHTML);
  });
  return editable;
}
