/* Student pages, progressive enhancement only: every page works without this file. */
(function () {
  "use strict";

  // Move focus to the heading that matters (the feedback after an answer, the next
  // question), so keyboard and screen reader users start reading there.
  // A flashed message (a late answer, a confirmation) moves to just after that heading and
  // describes it, or screen readers, starting at the heading, would never reach it.
  function focusHeading() {
    var target = document.querySelector("[data-autofocus]");
    var flashes = document.querySelector(".flashes");
    if (target && flashes) {
      target.insertAdjacentElement("afterend", flashes);
      flashes.id = flashes.id || "flashes";
      target.setAttribute("aria-describedby", flashes.id);
    }
    // After a refused answer, forms.js (every page) has focused the first field to fix.
    if (target && document.activeElement === document.body) {
      target.focus({ preventScroll: false });
    }
  }

  // Timeline questions: choosing a position another event holds swaps the two, so the
  // positions always stay a complete order.
  // The swap is said in a status line, so it is not a silent change to another field.
  function keepOrderComplete() {
    var selects = document.querySelectorAll("select[data-order-group]");
    var status = null;
    if (selects.length) {
      status = document.createElement("p");
      status.className = "visually-hidden";
      status.setAttribute("role", "status");
      selects[0].form.appendChild(status);
    }
    selects.forEach(function (select) {
      select.dataset.previous = select.value;
      select.addEventListener("change", function () {
        var group = select.dataset.orderGroup;
        var previous = select.dataset.previous;
        document.querySelectorAll('select[data-order-group="' + group + '"]').forEach(function (other) {
          if (other !== select && other.value === select.value && previous) {
            other.value = previous;
            other.dataset.previous = previous;
            var label = other.labels && other.labels[0];
            status.textContent = "Swapped: " + (label ? label.textContent.trim() : "the other event") +
              " is now in position " + previous + ".";
          }
        });
        select.dataset.previous = select.value;
      });
    });
  }

  // Timed attempts: count the remaining time down (the server still decides), and say so
  // in the status region at 5 minutes, 1 minute and zero (the ticking itself stays quiet).
  var WARNINGS = [
    [300, "5 minutes left. Answers sent after the time is up are not recorded."],
    [60, "1 minute left. Answers sent after the time is up are not recorded."],
    [0, "Time is up: answers can no longer be recorded."]
  ];

  function countdown() {
    var timer = document.querySelector(".timer[data-deadline]");
    var left = timer && timer.querySelector(".timer-left");
    var status = document.getElementById("timer-status");
    if (!left) { return; }
    var deadline = Date.parse(timer.dataset.deadline);
    if (isNaN(deadline)) { return; }
    var warned = (deadline - Date.now()) / 1000;  // warnings already past are not given
    function tick() {
      var seconds = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      var minutes = Math.floor(seconds / 60);
      var rest = String(seconds % 60).padStart(2, "0");
      left.textContent = seconds > 0 ? minutes + ":" + rest : "time is up";
      WARNINGS.forEach(function (warning) {
        if (seconds <= warning[0] && warned > warning[0]) {
          warned = warning[0];
          if (status) { status.textContent = warning[1]; }
          timer.classList.add("is-warning");
        }
      });
      if (seconds === 0) {
        timer.classList.add("is-over");
        clearInterval(handle);
      }
    }
    var handle = setInterval(tick, 1000);
    tick();
  }

  // A second click on a submit button while the first is on its way does nothing.
  function guardDoubleSubmit() {
    document.querySelectorAll("form[method=post]").forEach(function (form) {
      form.addEventListener("submit", function () {
        if (form.dataset.sending) { return; }
        form.dataset.sending = "1";
        setTimeout(function () {
          form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
        }, 0);
      });
    });
    // Coming back with the Back button: the form may be used again.
    window.addEventListener("pageshow", function () {
      document.querySelectorAll("form[data-sending]").forEach(function (form) {
        delete form.dataset.sending;
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
      });
    });
  }

  function start() {
    keepOrderComplete();
    countdown();
    guardDoubleSubmit();
    focusHeading();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
