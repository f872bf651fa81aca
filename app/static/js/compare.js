// Progressive enhancement of the comparison: "next change / previous change" move the focus to
// that change and say where it is ("Ändring 3 av 12"), and the keys n and p do the same. Without
// this script the links still jump to each change by its id.
//
// The keys are single letters, so the reader can turn them off (WCAG 2.1.4) and they never act
// while typing in a field or together with a modifier key.

const STORAGE_KEY = "remiss.compare.keys";

function init() {
  const changes = [...document.querySelectorAll("[data-change]")];
  if (!changes.length) return;
  const status = document.getElementById("change-status");

  const go = (target) => {
    if (!target) return;
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: "start" });
    history.replaceState(null, "", `#${target.id}`);
    const nav = target.querySelector(".change-nav");
    if (status && nav) status.textContent = nav.dataset.position;
  };

  // The change the reader is at: the one holding the focus, else the first below the top edge.
  const currentIndex = () => {
    const focused = document.activeElement && document.activeElement.closest("[data-change]");
    if (focused) return Number(focused.dataset.change);
    const below = changes.findIndex((c) => c.getBoundingClientRect().top >= 0);
    return below === -1 ? changes.length : below - 0.5;
  };

  document.querySelectorAll(".change-nav a, a.first-change").forEach((link) => {
    link.addEventListener("click", (event) => {
      const target = document.getElementById(link.hash.slice(1));
      if (!target) return;
      event.preventDefault();
      go(target);
    });
  });

  const panel = document.querySelector(".change-keys");
  const toggle = document.getElementById("change-keys");
  let keysOn = true;
  try {
    keysOn = localStorage.getItem(STORAGE_KEY) !== "off";
  } catch {
    // no storage (private mode): the keys stay on for this page
  }
  if (panel && toggle) {
    panel.hidden = false;
    toggle.checked = keysOn;
    toggle.addEventListener("change", () => {
      keysOn = toggle.checked;
      try {
        localStorage.setItem(STORAGE_KEY, keysOn ? "on" : "off");
      } catch {
        // remembered for this page only
      }
    });
  }

  document.addEventListener("keydown", (event) => {
    if (!keysOn || event.defaultPrevented || event.isComposing) return;
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (event.key !== "n" && event.key !== "p") return;
    const target = event.target;
    if (target instanceof Element && target.closest("input, textarea, select, [contenteditable]")) return;
    const at = currentIndex();
    const index = event.key === "n" ? Math.floor(at) + 1 : Math.ceil(at) - 1;
    if (index < 0 || index >= changes.length) return;
    event.preventDefault();
    go(changes[index]);
  });
}

init();
