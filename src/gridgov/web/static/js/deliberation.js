// Deliberation pages: ask before closing a meeting or completing a record (buttons with
// data-confirm), for plain forms and htmx forms alike. No inline scripts (CSP).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var button = target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);
})();
