// The element the address points at (#c-12) gets the keyboard focus, so that keyboard and
// screen-reader users start where the page sent them. Without script, :target marks it.
(function () {
  "use strict";
  var id = decodeURIComponent(window.location.hash.slice(1));
  var target = id && document.getElementById(id);
  if (target && target.hasAttribute("tabindex")) {
    target.focus();
  }
})();
