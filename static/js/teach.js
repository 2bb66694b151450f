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

  // A stored UTC date-time in a form is shown, and typed, in the reader's own time zone.
  document.querySelectorAll("input[data-utc]").forEach(function (input) {
    if (!input.value) { return; }
    var when = new Date(input.value + "Z");
    if (isNaN(when.getTime())) { return; }
    var pad = function (n) { return String(n).padStart(2, "0"); };
    input.value = when.getFullYear() + "-" + pad(when.getMonth() + 1) + "-" +
      pad(when.getDate()) + "T" + pad(when.getHours()) + ":" + pad(when.getMinutes());
  });

  // The due date is typed in local time; send the offset valid on that date (DST-safe).
  document.querySelectorAll("form.assignment-form, form[data-tz]").forEach(function (form) {
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

  // The question author form: show only the answer fields of the chosen form.
  document.querySelectorAll("form.author-form").forEach(function (form) {
    var sections = form.querySelectorAll("[data-forms]");
    var labels = JSON.parse(form.dataset.promptLabels || "{}");
    var update = function () {
      var picked = form.querySelector("input[name=type]:checked") ||
                   form.querySelector("input[type=hidden][name=type]");
      var type = picked ? picked.value : "";
      sections.forEach(function (section) {
        section.hidden = section.dataset.forms.split(" ").indexOf(type) < 0;
      });
      var prompt = form.querySelector("label[for=prompt]");
      if (prompt) { prompt.textContent = labels[type] || "Question"; }
    };
    form.querySelectorAll("input[name=type]").forEach(function (radio) {
      radio.addEventListener("change", update);
    });
    update();
  });
})();
