// Progressive enhancement of the review dashboard: a decision is saved in place, the card shows
// its new status, the counts follow and focus moves to the next undecided comment; a suggestion
// is applied in place the same way, and focus goes to the card's response, written next; the bulk
// bar gets "select all on this page" and a count of the ticked comments. Without this script every
// card's form posts and the server returns to the same filters, page and place.

const HEADERS = { "X-Requested-With": "fetch", Accept: "application/json" };

// form.submit() would be shadowed by a control named "submit" (WTForms names its buttons so).
const sendAsPage = (form) => HTMLFormElement.prototype.submit.call(form);

function announce(text) {
  const region = document.getElementById("triage-status");
  if (!region) return;
  // Emptied first, so the same message said twice is read twice.
  region.textContent = "";
  window.setTimeout(() => {
    region.textContent = text;
  }, 50);
}

function cards() {
  return Array.from(document.querySelectorAll(".triage-card"));
}

function nextUndecided(card) {
  const all = cards();
  const index = all.indexOf(card);
  const order = all.slice(index + 1).concat(all.slice(0, index));
  return order.find((c) => c.dataset.status === "open") || null;
}

function moveCount(from, to) {
  // The card said *from*, the server says *to*: one comment moves between the two counts.
  if (from === to) return;
  for (const [status, step] of [[from, -1], [to, 1]]) {
    const cell = document.querySelector(`[data-count="${status}"]`);
    if (cell) cell.textContent = String(Math.max(0, Number(cell.textContent) + step));
  }
}

function boxes() {
  return Array.from(document.querySelectorAll('input[type="checkbox"][name="comment"][form="bulk-form"]'));
}

function updateSelection() {
  const all = boxes();
  const ticked = all.filter((box) => box.checked).length;
  const count = document.querySelector("[data-selected]");
  if (count) count.textContent = String(ticked);
  const selectAll = document.getElementById("select-all");
  if (selectAll) {
    selectAll.checked = all.length > 0 && ticked === all.length;
    selectAll.indeterminate = ticked > 0 && ticked < all.length;
    // A card decided in place under "Not yet decided" has no box any more: "select all" counts
    // only what it will tick.
    const label = document.querySelector('label[for="select-all"]');
    if (label) label.textContent = label.textContent.replace(/\(\d+\)/, `(${all.length})`);
  }
}

function fromHTML(html) {
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  return template.content.firstElementChild;
}

// After a decision: on to the next undecided comment, its "Decide" open.
function focusNextUndecided(fresh) {
  const next = nextUndecided(fresh);
  if (next) {
    const details = next.querySelector("details.decide-card");
    if (details) details.open = true;
    const summary = next.querySelector("details.decide-card > summary");
    next.scrollIntoView({ block: "start" });
    (summary || next).focus();
  } else {
    (fresh.querySelector("details.decide-card > summary") || fresh).focus();
  }
}

// After an applied suggestion: the comment is accepted, and its response is what the editor
// writes next, on the same card. The card is shown from its top (what happened, the new wording)
// when the response still fits on the screen below it, above the bulk bar; else the response.
function focusResponse(fresh) {
  const details = fresh.querySelector("details.decide-card");
  if (details) details.open = true;
  const target = fresh.querySelector('details.decide-card textarea[name="response"]')
    || fresh.querySelector(".card-notice");
  if (!target) return;
  fresh.scrollIntoView({ block: "start" });
  target.focus({ preventScroll: true });
  const bar = document.getElementById("bulk-form");
  const bottom = bar ? bar.getBoundingClientRect().top : window.innerHeight;
  if (target.getBoundingClientRect().bottom + 16 > bottom) target.scrollIntoView({ block: "nearest" });
}

// Send a card's form (a decision, an applied suggestion) and put the card the server sends back
// in its place; *whenSaved* moves the focus on once it was saved.
async function sendCard(form, whenSaved) {
  const card = form.closest(".triage-card");
  const button = form.querySelector('button[type="submit"]');
  const wasTicked = card.querySelector('input[name="comment"]')?.checked || false;
  const shown = card.dataset.status;
  button.disabled = true;
  form.setAttribute("aria-busy", "true");
  let response;
  try {
    response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: HEADERS,
    });
  } catch (error) {
    // No answer (offline): send the form the ordinary way, which shows the browser's own error.
    sendAsPage(form);
    return;
  }
  const type = response.headers.get("Content-Type") || "";
  if (!type.includes("json")) {
    // Not a card (an expired session, a refused token): let the server's page say what happened.
    sendAsPage(form);
    return;
  }
  const body = await response.json();
  const fresh = fromHTML(body.card);
  card.replaceWith(fresh);
  const box = fresh.querySelector('input[name="comment"]');
  if (box) box.checked = wasTicked;
  enhanceCard(fresh);
  moveCount(shown, fresh.dataset.status);
  updateSelection();
  if (body.ok) {
    announce(body.message || "");
    whenSaved(fresh);
  } else {
    const invalid = fresh.querySelector('[aria-invalid="true"]');
    const notice = fresh.querySelector(".card-notice");
    // The message alone: the notice may end in links, which the live region need not read out.
    if (notice) announce(body.message || notice.textContent.trim());
    (invalid || notice || fresh).focus();
  }
}

function onSubmitInPlace(form, whenSaved) {
  if (!form) return;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    sendCard(form, whenSaved);
  });
}

function enhanceCard(card) {
  onSubmitInPlace(card.querySelector("form.decide-form"), focusNextUndecided);
  onSubmitInPlace(card.querySelector("form.apply-form"), focusResponse);
}

// The confirm step of a bulk decision, in the bar: which ticked comments already have a decision.
function removeConfirm(bar) {
  const panel = bar.querySelector(".bulk-confirm");
  if (panel) panel.remove();
  return Boolean(panel);
}

function showConfirm(bar, body) {
  removeConfirm(bar);
  const panel = fromHTML(body.panel);
  const details = bar.querySelector("details.bulk-decision");
  details.before(panel);
  // The decision stays in its fields (the panel names it); the question needs the room.
  details.open = false;
  panel.querySelector("[data-confirm-cancel]").addEventListener("click", () => {
    removeConfirm(bar);
    const summary = bar.querySelector("details.bulk-decision > summary");
    bar.querySelector("details.bulk-decision").open = true;
    (bar.querySelector('button[name="submit"], input[name="submit"]') || summary).focus();
  });
  announce(body.message || "");
  panel.querySelector("#bulk-confirm-heading").focus();
}

// What a bulk decision skipped or refused, by number, shown in the bar until the next one.
function showReport(bar, lines) {
  const report = bar.querySelector("#bulk-report");
  if (!report) return null;
  const list = report.querySelector("ul");
  list.replaceChildren(
    ...lines.map((line) => {
      const item = document.createElement("li");
      item.textContent = line;
      return item;
    }),
  );
  report.hidden = lines.length === 0;
  return lines.length ? report : null;
}

async function decideMany(bar, submitter) {
  const button = bar.querySelector('button[name="submit"], input[name="submit"]');
  const resolving = submitter && submitter.name === "resolve";
  const data = new FormData(bar);
  if (resolving) data.append("resolve", submitter.value);
  for (const b of bar.querySelectorAll('button[type="submit"]')) b.disabled = true;
  let response;
  try {
    response = await fetch(bar.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: HEADERS,
    });
  } catch (error) {
    sendAsPage(bar);
    return;
  }
  const type = response.headers.get("Content-Type") || "";
  const body = type.includes("json") ? await response.json() : null;
  for (const b of bar.querySelectorAll('button[type="submit"]')) b.disabled = false;
  if (body && body.confirm) {
    // Nothing saved: some ticked comments already have a decision. Replace them, or skip them?
    showConfirm(bar, body);
    return;
  }
  if (body && !body.ok && resolving && body.message) {
    // A confirm refused (its summary no longer fits): said here, nothing saved.
    removeConfirm(bar);
    const report = showReport(bar, [body.message]);
    announce(body.message);
    (report || bar).focus();
    return;
  }
  if (!body || !body.ok) {
    // Something to correct (or a refusal): the server's page says what, in full.
    removeConfirm(bar);
    sendAsPage(bar);
    return;
  }
  removeConfirm(bar);
  for (const [number, html] of Object.entries(body.cards)) {
    const card = document.getElementById(`c-${number}`);
    if (!card) continue;
    const fresh = fromHTML(html);
    const shown = card.dataset.status;
    card.replaceWith(fresh);
    enhanceCard(fresh);
    moveCount(shown, fresh.dataset.status);
  }
  for (const box of boxes()) box.checked = false;
  updateSelection();
  bar.querySelector("details.bulk-decision").open = false;
  const report = showReport(bar, body.report || []);
  announce([body.message || ""].concat(body.report || []).join(" "));
  if (report) {
    // Skipped or refused ones are named where the editor is: the bar.
    report.focus();
    return;
  }
  const next = document.querySelector('.triage-card[data-status="open"] details.decide-card > summary');
  (next || bar).focus();
}

function enhanceBulk() {
  const bar = document.getElementById("bulk-form");
  if (!bar) return;
  bar.addEventListener("submit", (event) => {
    event.preventDefault();
    decideMany(bar, event.submitter);
  });
  // A confirm step stands for the selection and decision it was asked for: a change asks again.
  const changed = (event) => {
    if (event.target.closest(".bulk-confirm")) return;
    if (event.target.form === bar || event.target.closest("#bulk-form")) removeConfirm(bar);
  };
  document.addEventListener("change", changed);
  bar.addEventListener("input", changed);
  for (const hidden of bar.querySelectorAll(".bulk-all, .bulk-count")) hidden.hidden = false;
  const selectAll = document.getElementById("select-all");
  selectAll.addEventListener("change", () => {
    for (const box of boxes()) box.checked = selectAll.checked;
    updateSelection();
  });
  document.addEventListener("change", (event) => {
    if (event.target.matches('input[name="comment"][form="bulk-form"]')) updateSelection();
  });
  updateSelection();
}

function start() {
  const triage = document.querySelector("[data-triage]");
  if (!triage) return;
  for (const card of cards()) enhanceCard(card);
  // A card app/static/js/live.js fetched again after another editor's decision.
  triage.addEventListener("remiss:card-replaced", (event) => enhanceCard(event.target));
  enhanceBulk();
}

start();
