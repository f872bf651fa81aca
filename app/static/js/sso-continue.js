// On to the identity provider at once: follow the "Continue" link or submit the SAML form.
// Without script, the person clicks the link or the button; nothing else differs.
(function () {
  "use strict";
  var form = document.querySelector("form[data-sso-post]");
  if (form) {
    form.submit();
    return;
  }
  var link = document.querySelector("a[data-sso-continue]");
  if (link) {
    window.location.assign(link.href);
  }
})();
