/* Instructor pages: local times, the due date's time zone, "tick all". No framework. */
(function () {
  "use strict";

  // Show UTC times in the reader's own time zone (the UTC text stays as a tooltip).
  document.querySelectorAll("time[data-local]").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    if (isNaN(when.getTime())) { return; }
    el.title = el.textContent;
    el.textContent = when.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  });

  // The due date is typed in local time; send the offset valid on that date (DST-safe).
  document.querySelectorAll("form.assignment-form").forEach(function (form) {
    var tz = form.querySelector("input[name=tz_offset]");
    var due = form.querySelector("input[name=due_at]");
    if (!tz || !due) { return; }
    var update = function () {
      var local = due.value ? new Date(due.value) : new Date();
      tz.value = String(isNaN(local.getTime()) ? new Date().getTimezoneOffset()
                                                : local.getTimezoneOffset());
    };
    update();
    due.addEventListener("change", update);
    form.addEventListener("submit", update);
  });

  // "Tick all to review" on a commentary's candidate list.
  document.querySelectorAll("[data-check-all]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var boxes = document.querySelectorAll("input[name='" + button.dataset.checkAll + "'][data-candidate]");
      boxes.forEach(function (box) { box.checked = true; });
    });
  });
})();
