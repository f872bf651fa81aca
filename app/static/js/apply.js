// Live preview of a suggestion applied: ticking or unticking a change, or choosing a text in a
// conflict, shows the paragraph as it would then read at once. The page holds every way each
// stretch can go (the server wrote them); this only shows the chosen one. Without this script
// "Update preview" asks the server for the same page.

function show(part, option) {
  for (const span of part.querySelectorAll(":scope > [data-option]")) {
    span.hidden = span.dataset.option !== option;
  }
}

function update(form) {
  for (const box of form.querySelectorAll('input[name="take"][data-change]')) {
    const part = document.querySelector(`[data-part="change-${box.dataset.change}"]`);
    if (part) show(part, box.checked ? "taken" : "left");
  }
  const chosen = {};
  for (const radio of form.querySelectorAll("input[data-conflict]")) {
    if (radio.checked) chosen[radio.dataset.conflict] = radio.value;
  }
  for (const part of document.querySelectorAll('[data-part^="conflict-"]')) {
    const number = part.dataset.part.slice("conflict-".length);
    show(part, chosen[number] || "open");
  }
}

function start() {
  const page = document.querySelector("[data-apply]");
  if (!page) return;
  const form = page.querySelector("form.apply-choices");
  if (!form) return;
  form.addEventListener("change", (event) => {
    if (event.target.matches('input[name="take"], input[data-conflict]')) update(form);
  });
  // The preview follows every choice: the button that asked the server for it is not needed.
  const button = form.querySelector("[data-preview-button]");
  if (button) button.closest("p").hidden = true;
  update(form);
  const notice = document.getElementById("apply-notice");
  if (notice) notice.focus();
}

start();
