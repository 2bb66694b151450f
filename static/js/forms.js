/* Every page with a form, progressive enhancement only: after a refused submission, start
   at the first field to fix, not at the top of the page. */
(function () {
  "use strict";

  var IN_ERROR = ".has-error input:not([type=hidden]), .has-error select, " +
                 ".has-error textarea, [aria-invalid=true]";
  var FIELD = "input:not([type=hidden]):not([disabled]), select:not([disabled]), " +
              "textarea:not([disabled])";

  // The first field the server marked as wrong (render_field links its error to it with
  // aria-describedby, so a screen reader says the error on focus). A refusal of the whole
  // form (a failed login, a sign-up limit) marks no field: then its first field, described
  // by the summary.
  function firstToFix() {
    var invalid = document.querySelector(IN_ERROR);
    if (invalid) { return invalid; }
    var summary = document.querySelector(".error-summary");
    if (!summary) { return null; }
    var forms = Array.prototype.filter.call(document.querySelectorAll("form"), function (form) {
      return form.contains(summary) ||
        (summary.compareDocumentPosition(form) & Node.DOCUMENT_POSITION_FOLLOWING);
    });
    var field = forms.length ? forms[0].querySelector(FIELD) : null;
    if (field) {
      summary.id = summary.id || "error-summary";
      var described = (field.getAttribute("aria-describedby") || "").split(" ");
      if (described.indexOf(summary.id) < 0) {
        field.setAttribute("aria-describedby", [summary.id].concat(described).join(" ").trim());
      }
    }
    return field;
  }

  function focusFirstError() {
    var field = firstToFix();
    if (field && document.activeElement === document.body) {
      field.focus();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusFirstError);
  } else {
    focusFirstError();
  }
})();
