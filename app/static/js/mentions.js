// @mentions (issue 27): typing "@" and a few letters in a comment or reply field suggests people
// of the network, a combobox with a listbox as the WAI-ARIA Authoring Practices describe:
// Down and Up move through the people (aria-activedescendant; focus stays in the text), Enter
// picks one, Escape closes the list and leaves the text as typed. Picking writes the token
// "@[user:<id>]", which the server shows as the person's name. Without this script a member types
// "@" and the person's e-mail address; the server resolves it. Names are written as text, never
// as HTML.
(() => {
  const script = document.currentScript;
  const PEOPLE_URL = script && script.dataset.people;
  if (!PEOPLE_URL) return;
  const sv = (document.documentElement.lang || "sv").startsWith("sv");
  const WORDS = sv
    ? {
        list: "Personer att nämna",
        none: "Ingen person hittades",
        count: (n) => (n === 1 ? "1 person föreslås. Välj med pil upp och ned och Enter." : `${n} personer föreslås. Välj med pil upp och ned och Enter.`),
        picked: (name) => `${name} nämns.`,
      }
    : {
        list: "People to mention",
        none: "Nobody found",
        count: (n) => (n === 1 ? "1 person suggested. Choose with up and down arrows and Enter." : `${n} people suggested. Choose with up and down arrows and Enter.`),
        picked: (name) => `${name} mentioned.`,
      };
  // "@" at the start or after a space or bracket, then up to 40 letters, digits, dots, hyphens,
  // apostrophes or spaces, up to the caret.
  const TRIGGER = /(^|[\s(])@([\p{L}\p{N}.\-' ]{1,40})$/u;
  let counter = 0;

  function setUp(field) {
    if (field.dataset.mentionsReady) return;
    field.dataset.mentionsReady = "1";
    const id = field.id || `mention-field-${++counter}`;
    field.id = id;
    const box = field.parentElement;
    box.classList.add("mention-box");
    const list = document.createElement("ul");
    list.id = `${id}-mentions`;
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", WORDS.list);
    list.hidden = true;
    field.after(list);
    const status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    list.after(status);
    field.setAttribute("role", "combobox");
    field.setAttribute("aria-autocomplete", "list");
    field.setAttribute("aria-controls", list.id);
    field.setAttribute("aria-expanded", "false");

    let people = [];
    let active = -1;
    let match = null; // {start, end} of "@query" in the text
    let timer = null;
    let asked = 0;

    function close() {
      list.hidden = true;
      list.replaceChildren();
      field.setAttribute("aria-expanded", "false");
      field.removeAttribute("aria-activedescendant");
      people = [];
      active = -1;
    }

    function highlight(index) {
      active = index;
      list.querySelectorAll("[role=option]").forEach((option, i) => {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0) {
        const option = list.children[index];
        field.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      } else {
        field.removeAttribute("aria-activedescendant");
      }
    }

    function show(found) {
      people = found;
      list.replaceChildren();
      if (!found.length) {
        const empty = document.createElement("li");
        empty.className = "mention-empty";
        empty.setAttribute("role", "option");
        empty.setAttribute("aria-disabled", "true");
        empty.id = `${list.id}-none`;
        empty.textContent = WORDS.none;
        list.append(empty);
      }
      found.forEach((person, i) => {
        const option = document.createElement("li");
        option.id = `${list.id}-${i}`;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = person.name;
        const org = document.createElement("span");
        org.className = "mention-org";
        org.textContent = person.organisation;
        option.append(" ", org);
        // mousedown, not click: the field keeps its focus.
        option.addEventListener("mousedown", (event) => {
          event.preventDefault();
          pick(i);
        });
        list.append(option);
      });
      list.hidden = false;
      field.setAttribute("aria-expanded", "true");
      highlight(found.length ? 0 : -1);
      status.textContent = found.length ? WORDS.count(found.length) : WORDS.none;
    }

    function pick(index) {
      const person = people[index];
      if (!person || !match) return;
      const before = field.value.slice(0, match.start);
      const after = field.value.slice(match.end);
      const inserted = `${person.token} `;
      field.value = before + inserted + after;
      const caret = before.length + inserted.length;
      field.setSelectionRange(caret, caret);
      close();
      status.textContent = WORDS.picked(person.name);
      field.dispatchEvent(new Event("input", { bubbles: true }));
    }

    async function ask(query) {
      const ticket = ++asked;
      let found = [];
      try {
        const response = await fetch(`${PEOPLE_URL}?q=${encodeURIComponent(query)}`, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
        if (!response.ok) return;
        found = (await response.json()).people || [];
      } catch {
        return;
      }
      if (ticket === asked && match) show(found);
    }

    field.addEventListener("input", () => {
      const caret = field.selectionStart;
      const found = TRIGGER.exec(field.value.slice(0, caret));
      if (!found || found[2].trim() === "" || found[2].split(" ").length > 3) {
        match = null;
        clearTimeout(timer);
        if (!list.hidden) close();
        return;
      }
      match = { start: caret - found[2].length - 1, end: caret };
      clearTimeout(timer);
      timer = setTimeout(() => ask(found[2].trim()), 150);
    });

    field.addEventListener("keydown", (event) => {
      if (list.hidden) return;
      if (event.key === "ArrowDown" && people.length) {
        event.preventDefault();
        highlight((active + 1) % people.length);
      } else if (event.key === "ArrowUp" && people.length) {
        event.preventDefault();
        highlight((active - 1 + people.length) % people.length);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        pick(active);
      } else if (event.key === "Escape") {
        // Only the list closes, not the form panel around the field.
        event.preventDefault();
        event.stopPropagation();
        match = null;
        close();
      }
    });

    field.addEventListener("blur", () => setTimeout(close, 150));
  }

  document.addEventListener("focusin", (event) => {
    const field = event.target;
    if (field instanceof HTMLTextAreaElement && field.dataset.mentions === "on") setUp(field);
  });
})();
