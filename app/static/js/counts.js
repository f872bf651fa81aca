// The reading page's "N open comments" in a paragraph's margin, changed by the page's scripts
// (a comment posted here, one that arrived live): in the page's language, singular or plural
// as N asks. The page carries the words after N in both forms, translated by the server
// (templates/documents/version.html); the margin shows no count for none, as the server does.

export function openCount(n) {
  const words = document.getElementById("open-count-words");
  if (!words) return String(n);
  return `${n} ${n === 1 ? words.dataset.one : words.dataset.many}`;
}

export function currentOpenCount(block) {
  const count = block.querySelector(":scope > .block-margin .comment-count");
  return count ? parseInt(count.textContent, 10) || 0 : 0;
}

export function setOpenCount(block, n) {
  const margin = block.querySelector(":scope > .block-margin");
  if (!margin) return;
  let count = margin.querySelector(".comment-count");
  if (n <= 0) {
    count?.remove();
    return;
  }
  if (!count) {
    count = document.createElement("a");
    count.className = "comment-count";
    count.href = `#comments-${block.dataset.uid}`;
    // A heading's margin has no number (it stands in the heading): the count then comes first.
    const ref = margin.querySelector(".ref");
    if (ref) ref.after(count);
    else margin.prepend(count);
  }
  count.textContent = openCount(n);
}
