// Skip links whose target sits in a closed DSFR dialog (the main menu and
// the search box, which are dialogs on a phone): open the dialog with its
// own button, then move the focus to the target. On a wide screen the
// target is shown and the link works as a plain anchor.
(function () {
  "use strict";
  var FOCUSABLE = /^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/;

  // Laid out, visible and opaque (a closed DSFR dialog keeps its box but
  // is hidden by visibility or opacity).
  function shown(el) {
    if (el.checkVisibility) return el.checkVisibility({ checkVisibilityCSS: true, checkOpacity: true });
    var s = getComputedStyle(el);
    return el.getClientRects().length > 0 && s.visibility !== "hidden";
  }

  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest(".fr-skiplinks a[href^='#']");
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    var dialog = target && target.closest(".fr-modal");
    if (!dialog || shown(target)) return;
    var opener = document.querySelector("button[aria-controls='" + dialog.id + "']:not(.fr-btn--close)");
    if (!opener) return;
    e.preventDefault();
    opener.click();
    // DSFR shows the dialog over the next frames (and focuses its first
    // button); once the target is shown, it takes the focus.
    var frames = 0;
    (function focusWhenShown() {
      if (shown(target)) {
        if (!FOCUSABLE.test(target.tagName) && !target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
        target.focus();
      } else if (++frames < 120) {
        requestAnimationFrame(focusWhenShown);
      }
    })();
  });
})();
