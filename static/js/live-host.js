/* Host screen: keep the projector panel fresh and run the countdown.
 *
 * Polls the panel (an HTML fragment rendered and escaped by the server) about once a
 * second with If-None-Match, swaps it in when it changed, corrects the countdown for the
 * clock skew between this computer and the server, and announces question changes and
 * countdown milestones to screen readers.
 */
(function () {
  "use strict";

  var holder = document.getElementById("host-panel");
  if (!holder) { return; }
  var url = holder.getAttribute("data-panel-url");
  var announcer = document.getElementById("host-announcer");
  // The panel as the page rendered it: an unchanged panel is not swapped on the first poll.
  var etag = holder.getAttribute("data-panel-etag") ?
    '"' + holder.getAttribute("data-panel-etag") + '"' : null;
  var skew = 0;            // server clock minus this clock, in ms
  var failures = 0;
  var pollTimer = null;
  var lastAnnounced = null;
  var spoken = {};         // countdown milestones already announced for this question
  var closedAt = null;     // deadline for which "time is up" triggered a poll

  function panel() { return holder.querySelector(".panel"); }

  function announce(text) {
    if (!announcer || !text) { return; }
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 60);
  }

  function readPanel(sentAt, receivedAt) {
    var p = panel();
    if (!p) { return; }
    var serverTime = Date.parse(p.getAttribute("data-server-time"));
    if (!isNaN(serverTime) && sentAt) {
      skew = serverTime - (sentAt + receivedAt) / 2;
    }
    var joinBar = document.getElementById("host-bar-join");
    if (joinBar && p.getAttribute("data-phase") === "finished") {
      joinBar.hidden = true;  // the game is over: stop advertising its PIN
    }
    var text = p.getAttribute("data-announce");
    if (text && text !== lastAnnounced) {
      lastAnnounced = text;
      spoken = {};
      announce(text);
    }
    tick();
  }

  function tick() {
    var p = panel();
    if (!p || p.getAttribute("data-phase") !== "question") { return; }
    var deadline = Date.parse(p.getAttribute("data-deadline"));
    if (isNaN(deadline)) { return; }
    var total = parseFloat(p.getAttribute("data-seconds")) || 20;
    var left = (deadline - (Date.now() + skew)) / 1000;
    var shown = Math.max(0, Math.ceil(left));
    var num = document.getElementById("timer-num");
    if (num && num.textContent !== String(shown)) { num.textContent = String(shown); }
    var fill = document.getElementById("timer-fill");
    if (fill) {
      fill.setAttribute("width", String(Math.max(0, Math.min(100, left / total * 100)).toFixed(2)));
    }
    var urgent = left <= 5;
    var timer = num && num.parentNode;
    if (timer) { timer.classList.toggle("urgent", urgent); }
    if (fill && fill.parentNode) { fill.parentNode.classList.toggle("urgent", urgent); }
    [10, 5].forEach(function (mark) {
      if (left <= mark && left > mark - 1.5 && total > mark && !spoken[mark]) {
        spoken[mark] = true;
        announce(mark + " seconds left");
      }
    });
    if (left <= 0 && closedAt !== deadline) {
      closedAt = deadline;
      poll();  // the server now reports the reveal
    }
  }

  var FOCUSABLE = "a[href], button, input:not([type=hidden]), summary, [tabindex]";

  // Where focus was, so the same control (or its nearest neighbour) gets it back after the
  // panel is replaced: by id, else by its text, else by its place among the controls.
  function where(el) {
    var all = Array.prototype.slice.call(holder.querySelectorAll(FOCUSABLE));
    return {id: el.id, tag: el.tagName, text: el.textContent.trim(), index: all.indexOf(el)};
  }

  function refocus(was) {
    var all = Array.prototype.slice.call(holder.querySelectorAll(FOCUSABLE));
    var same = was.id && document.getElementById(was.id);
    if (!same) {
      same = all.filter(function (el) {
        return el.tagName === was.tag && el.textContent.trim() === was.text;
      })[0];
    }
    if (!same && all.length) { same = all[Math.min(Math.max(was.index, 0), all.length - 1)]; }
    if (same) { same.focus(); }
  }

  function swap(html, sentAt, receivedAt) {
    var active = document.activeElement;
    if (active && holder.contains(active) && active.tagName === "INPUT" && active.value) {
      return false;  // the host is typing a nickname to remove: don't pull it away
    }
    var focused = active && active !== holder && holder.contains(active) ? where(active) : null;
    var detailsOpen = !!holder.querySelector("details[open]");
    holder.innerHTML = html;
    if (detailsOpen) {
      var details = holder.querySelector("details");
      if (details) { details.open = true; }
    }
    if (focused) { refocus(focused); }
    readPanel(sentAt, receivedAt);
    return true;
  }

  function schedule() {
    window.clearTimeout(pollTimer);
    var delay = failures ? Math.min(1000 * Math.pow(2, failures), 15000) : 1000;
    pollTimer = window.setTimeout(poll, delay);
  }

  function poll() {
    window.clearTimeout(pollTimer);
    var sentAt = Date.now();
    var headers = {"Accept": "text/html"};
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(url, {headers: headers, credentials: "same-origin", cache: "no-store"})
      .then(function (response) {
        if (response.redirected) {  // logged out: show the login page
          window.location.reload();
          return;
        }
        if (response.status === 304) { return; }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        var tag = response.headers.get("ETag");
        return response.text().then(function (html) {
          if (swap(html, sentAt, Date.now())) { etag = tag; }
        });
      })
      .then(function () { failures = 0; }, function () { failures += 1; })
      .then(schedule);
  }

  readPanel(null, null);
  window.setInterval(tick, 200);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { poll(); }
  });
  schedule();
}());
