/* Phone page of a warm-up: poll the state, show the question, send the answer, show the result.
 *
 * Where the server pushes (data-events-url: Server-Sent Events of the same JSON as the state
 * poll), listens with an EventSource and polls only while it is not connected. Otherwise
 * polls GET /api/v1/live/{pin}/state about every 700 ms (with jitter; If-None-Match makes
 * most answers a tiny 304). Corrects the countdown with the server's clock, backs off when
 * the network fails, and retries an unacknowledged answer (a repeat counts once). All text
 * from the server is put in with textContent, never as HTML.
 */
(function () {
  "use strict";

  // The join form: a second tap while the first is on its way does nothing.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-submit-once]"), function (form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sent")) { event.preventDefault(); return; }
      form.setAttribute("data-sent", "1");
    });
  });

  var root = document.getElementById("play");
  if (!root) { return; }

  var PIN = root.getAttribute("data-pin");
  var STATE_URL = root.getAttribute("data-state-url");
  var EVENTS_URL = root.getAttribute("data-events-url");
  var ME_URL = root.getAttribute("data-me-url");
  var ANSWER_URL = root.getAttribute("data-answer-url");
  var JOIN_URL = "/join?pin=" + encodeURIComponent(PIN);
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var CSRF = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var LETTERS = "ABCDEFGHIJ";

  var screen = document.getElementById("screen");
  var announcer = document.getElementById("announcer");
  var alertBox = document.getElementById("alert");
  var netStatus = document.getElementById("net-status");
  var scoreBox = document.getElementById("player-score");

  var state = null;
  var me = null;
  var etag = null;
  var skew = 0;            // server clock minus this clock, in ms
  var failures = 0;
  var pollTimer = null;
  var rendered = "";       // what the screen shows, e.g. "q2", "wait2", "r2", "end"
  var sent = {};           // question index -> true once the server acknowledged an answer
  var late = {};           // question index -> message when the answer came too late
  var sending = false;
  var spoken = {};
  var stopped = false;     // finished or removed: no more polling
  var source = null;       // the EventSource while the server pushes states
  var meAsked = 0;         // the latest status request: an older reply arriving later is stale
  var recheck = null;      // timer asking again for a result the reveal has not brought yet

  // ------------------------------------------------------------------ small helpers
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) { return; }
      if (key === "text") { node.textContent = value; }
      else if (key === "className") { node.className = value; }
      else if (key.slice(0, 2) === "on") { node.addEventListener(key.slice(2), value); }
      else { node.setAttribute(key, value === true ? "" : String(value)); }
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) { return; }
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function say(text, urgent) {
    var box = urgent ? alertBox : announcer;
    if (!box) { return; }
    box.textContent = "";
    window.setTimeout(function () { box.textContent = text; }, 60);
  }

  function ordinal(n) {
    var s = ["th", "st", "nd", "rd"], v = n % 100;
    return n + (s[(v - 20) % 10] || s[v] || s[0]);
  }

  function points(n) {
    return Math.round(n).toLocaleString("en");
  }

  function keyText(answerText) {
    return Array.isArray(answerText) ? answerText.join("; ") : String(answerText);
  }

  function secondsLeft() {
    if (!state || !state.deadline) { return 0; }
    return (Date.parse(state.deadline) - (Date.now() + skew)) / 1000;
  }

  function show(key, nodes, focusHeading) {
    rendered = key;
    screen.textContent = "";
    nodes.forEach(function (n) { if (n) { screen.appendChild(n); } });
    if (focusHeading) {
      var heading = screen.querySelector("h1, h2");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
    }
  }

  function setOnline(ok) {
    if (!netStatus) { return; }
    if (ok) { netStatus.hidden = true; return; }
    netStatus.hidden = false;
    netStatus.textContent = "Connection lost. Reconnecting… your score is safe.";
  }

  function updateScore() {
    if (me && scoreBox && typeof me.score === "number") {
      scoreBox.textContent = points(me.score) + " pts";
    }
  }

  // ------------------------------------------------------------------------ polling
  function listening() {
    return source !== null && source.readyState === 1;  // EventSource.OPEN
  }

  function schedule() {
    window.clearTimeout(pollTimer);
    if (stopped) { stopListening(); return; }
    if (listening()) { return; }  // pushed states arrive by themselves
    var delay = failures ? Math.min(1000 * Math.pow(2, failures - 1), 10000) : 700;
    delay += Math.random() * 200 - 100;  // jitter: phones do not poll in lockstep
    if (!failures && state && state.phase === "question" && state.deadline) {
      // Look again just after the deadline so the answer shows promptly.
      var untilClose = secondsLeft() * 1000 + 80 + Math.random() * 300;
      if (untilClose > 0 && untilClose < delay) { delay = untilClose; }
    }
    pollTimer = window.setTimeout(poll, Math.max(50, delay));
  }

  function poll() {
    window.clearTimeout(pollTimer);
    var sentAt = Date.now();
    var headers = {"Accept": "application/json"};
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(STATE_URL, {headers: headers, credentials: "same-origin", cache: "no-store"})
      .then(function (response) {
        if (response.status === 304) { return null; }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        var tag = response.headers.get("ETag");
        return response.json().then(function (data) {
          var serverTime = Date.parse(data.server_time);
          if (!isNaN(serverTime)) { skew = serverTime - (sentAt + Date.now()) / 2; }
          etag = tag;
          return data;
        });
      })
      .then(function (data) {
        failures = 0;
        setOnline(true);
        if (data) { return onState(data); }
      }, function () {
        failures += 1;
        if (failures >= 2) { setOnline(false); }
      })
      .then(schedule, schedule);
  }

  // Pushed states: the same JSON as the poll, sent when it changes. Until the stream is
  // open (and while the browser reconnects it) the page polls as usual.
  function listen() {
    if (!EVENTS_URL || !window.EventSource) { return false; }
    var opened = false;
    source = new window.EventSource(EVENTS_URL);
    source.onopen = function () {
      opened = true;
      failures = 0;
      setOnline(true);
      window.clearTimeout(pollTimer);
    };
    source.onmessage = function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      var serverTime = Date.parse(data.server_time);
      if (!isNaN(serverTime)) { skew = serverTime - Date.now(); }
      etag = null;  // the next poll, if any, fetches the state whole
      onState(data);
    };
    source.onerror = function () {
      if (!opened && source) { stopListening(); }  // no stream here: poll from now on
      schedule();
    };
    return true;
  }

  function stopListening() {
    if (source) { source.close(); source = null; }
  }

  function fetchMe() {
    var asked = ++meAsked;
    return fetch(ME_URL, {headers: {"Accept": "application/json"}, credentials: "same-origin",
                          cache: "no-store"})
      .then(function (response) {
        if (response.status === 401) { window.location.href = JOIN_URL; return null; }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        // A reply to an older request (sent while the question was open) must not replace
        // a newer one that already brought the result.
        if (data && asked === meAsked) { me = data; updateScore(); }
      }, function () { /* keep the last one; renderReveal asks again if it lacks the result */ });
  }

  function onState(data) {
    var changed = !state || data.version !== state.version || data.phase !== state.phase ||
      data.question_index !== state.question_index;
    var newQuestion = !state || data.question_index !== state.question_index;
    if (newQuestion) { spoken = {}; }
    state = data;
    if (changed && me && newQuestion && data.phase === "question") {
      // Nothing of this phone's changed with a new question: spare the server a request.
      me.answer = null;
      me.question_index = data.question_index;
      me.rank = null;
    } else if (changed) {
      return fetchMe().then(render);
    }
    render();
  }

  // ------------------------------------------------------------------------ screens
  function render() {
    if (!state) { return; }
    var idx = state.question_index;
    if (me && me.kicked) { return renderKicked(); }
    if (state.phase === "lobby") { return renderLobby(); }
    if (state.phase === "finished") { return renderFinal(); }
    if (state.phase === "reveal") { return renderReveal(idx); }
    var answered = sent[idx] || (me && me.answer && me.answer.question_index === idx);
    if (late[idx]) { return renderLate(idx); }
    if (answered) { return renderWaiting(idx); }
    return renderQuestion(idx);
  }

  function renderKicked() {
    if (rendered === "kicked") { return; }
    window.clearTimeout(pollTimer);
    stopped = true;
    stopListening();
    show("kicked", [el("div", {className: "p-status"}, [
      el("span", {className: "icon bad", "aria-hidden": "true", text: "×"}),
      el("h1", {text: "You were removed from this warm-up"}),
      el("p", {text: "The host removed your nickname. Your answers no longer count."})
    ])], true);
    say("You were removed from this warm-up.", true);
  }

  function renderLobby() {
    if (rendered === "lobby") { return; }
    show("lobby", [el("div", {className: "p-status"}, [
      el("span", {className: "icon", "aria-hidden": "true", text: "✓"}),
      el("h1", {text: "You’re in!"}),
      el("p", {className: "big-note", text: me ? me.nickname : ""}),
      el("p", {className: "muted", text: "Look at the big screen. The first question appears here when the host starts."})
    ])], false);
    say("You’re in. Waiting for the host to start.");
  }

  function timerNode() {
    return el("span", {className: "p-timer", "data-timer": "1", role: "timer",
                        "aria-label": "Seconds left", text: String(Math.max(0, Math.ceil(secondsLeft())))});
  }

  function metaLine() {
    return el("div", {className: "p-meta"}, [
      el("span", {className: "p-count", text: "Question " + (state.question_index + 1) + " of " + state.question_count}),
      timerNode()
    ]);
  }

  function renderWaiting(idx) {
    var key = "wait" + idx;
    if (rendered === key) { return; }
    show(key, [metaLine(), el("div", {className: "p-status"}, [
      el("span", {className: "icon", "aria-hidden": "true", text: "✓"}),
      el("h1", {text: "Answer locked in"}),
      el("p", {className: "muted", text: "Waiting for the time to run out… Look at the big screen."})
    ])], true);
    say("Answer sent. Waiting for the others.");
  }

  function renderLate(idx) {
    var key = "late" + idx;
    if (rendered === key) { return; }
    show(key, [metaLine(), el("div", {className: "p-status"}, [
      el("span", {className: "icon bad", "aria-hidden": "true", text: "!"}),
      el("h1", {text: late[idx].heading}),
      el("p", {text: late[idx].message})
    ])], true);
    say(late[idx].message, true);
  }

  function askAgainForResult() {
    // The status at hand predates the reveal (a request failed, or answered out of order):
    // ask again until the result comes; the state poll alone would only bring 304s.
    if (recheck) { return; }
    recheck = window.setTimeout(function () {
      recheck = null;
      if (state && state.phase === "reveal") { fetchMe().then(render); }
    }, 1000);
  }

  function renderReveal(idx) {
    var mine = me && me.answer && me.answer.question_index === idx ? me.answer : null;
    // Answered (this page sent it, or the server says so) but no result yet: never "Time's
    // up" (the host may have shown the answer early); say the result is on its way.
    var pending = (mine && mine.correct === undefined) || (!mine && sent[idx]);
    var key = "r" + idx + ":" + (mine ? mine.points : "-") + ":" + (me ? me.rank : "") + (pending ? ":p" : "");
    if (pending) { askAgainForResult(); }
    if (rendered === key) { return; }
    var box;
    if (pending) {
      box = el("div", {className: "p-result none"}, [el("h1", {text: "Answer shown"}),
        el("p", {text: "Your answer was received; your result is on its way."})]);
    } else if (!mine) {
      box = el("div", {className: "p-result none"}, [el("h1", {text: "No answer this time"})]);
    } else if (mine.correct) {
      box = el("div", {className: "p-result right"}, [
        el("h1", {text: "Correct!"}), el("p", {className: "p-points", text: "+" + points(mine.points)})]);
    } else if (mine.points > 0) {
      box = el("div", {className: "p-result partly"}, [
        el("h1", {text: "Partly right"}), el("p", {className: "p-points", text: "+" + points(mine.points)})]);
    } else {
      box = el("div", {className: "p-result wrong"}, [
        el("h1", {text: "Not quite"}),
        el("p", {className: "p-points", text: mine.points < 0 ? "−" + points(-mine.points) + " (you were sure)" : "+0"})]);
    }
    var answer = state.answer_text;
    var keyBox = el("div", {className: "p-key"}, [
      el("strong", {text: "The answer: "}),
      Array.isArray(answer) ? el("ul", {}, answer.map(function (t) { return el("li", {text: t}); }))
                            : document.createTextNode(String(answer))
    ]);
    var yours = mine ? yourAnswer(state.question, mine.response) : null;
    if (yours) { keyBox.appendChild(el("p", {className: "p-yours"}, [el("strong", {text: "Yours: "}), yours])); }
    var rank = me && me.rank ? el("p", {className: "p-rank"}, [
      "You are ", el("strong", {text: ordinal(me.rank)}), " of " + me.players + " with ",
      el("strong", {text: points(me.score) + " points"}), "."]) : null;
    show(key, [
      el("p", {className: "p-count", text: "Question " + (idx + 1) + " of " + state.question_count}),
      box, keyBox, rank,
      el("p", {className: "muted", text: state.question_index + 1 < state.question_count
        ? "The next question comes when the host is ready." : "That was the last question."})
    ], true);
    var heading = box.querySelector("h1").textContent;
    say(heading + ". The answer: " + keyText(answer) + (me && me.rank ? ". You are " + ordinal(me.rank) + "." : ""));
  }

  function choiceTexts(q, response) {
    var picked = Array.isArray(response) ? response : [response];
    return q.choices.filter(function (c) { return picked.indexOf(c.id) >= 0; })
      .map(function (c) { return c.text; }).join("; ");
  }

  function yourAnswer(q, response) {
    var form = q && FORMS[q.type];
    return form && form.yours ? form.yours(q, response) : null;
  }

  function renderFinal() {
    var key = "end:" + (me ? me.rank + ":" + me.score : "");
    if (rendered === key) { return; }
    var nodes = [el("h1", {text: state.expired ? "This warm-up has ended" : "That’s the end!"})];
    if (state.expired) {
      nodes.push(el("p", {text: "It was left open too long and closed by itself. Ask the host for a new PIN."}));
    }
    if (me && me.rank && (!state.expired || state.question_index >= 0)) {  // no podium for a game never started
      nodes.push(el("div", {className: "p-final"}, [
        el("p", {className: "muted", text: "Your place"}),
        el("p", {className: "place", text: ordinal(me.rank)}),
        el("p", {text: "of " + me.players + " players, with " + points(me.score) + " points."}),
        me.rank <= 3 ? el("p", {className: "big-note", text: "On the podium. Well done, " + me.nickname + "!"}) : null
      ]));
    }
    nodes.push(el("p", {className: "muted", text: "Thanks for playing. You can close this page."}));
    show(key, nodes, true);
    say("The warm-up is over." + (me && me.rank ? " You finished " + ordinal(me.rank) + " of " + me.players + "." : ""));
    stopped = true;
    stopListening();
  }

  // ---------------------------------------------------------------------- questions
  function errorLine() {
    return el("p", {className: "p-error", id: "answer-error", role: "alert"});
  }

  function showError(text) {
    var box = document.getElementById("answer-error");
    if (box) { box.textContent = text; } else { say(text, true); }
  }

  function setBusy(busy) {
    sending = busy;
    Array.prototype.forEach.call(screen.querySelectorAll("button, input, select"), function (node) {
      node.disabled = busy;
    });
  }

  function submitButtons(collect) {
    function go(confidence) {
      return function () {
        var response = collect();
        if (response === undefined) { return; }
        send(state.question_index, response, confidence);
      };
    }
    if (state.confidence) {
      return el("div", {className: "p-submit"}, [
        el("button", {type: "button", className: "button primary", text: "Submit: I’m sure", onclick: go("sure")}),
        el("button", {type: "button", className: "button", text: "Submit: not sure", onclick: go("unsure")})
      ]);
    }
    return el("div", {className: "p-submit"}, [
      el("button", {type: "button", className: "button primary only", text: "Submit answer", onclick: go(null)})
    ]);
  }

  function renderQuestion(idx) {
    var key = "q" + idx;
    if (rendered === key) { return; }
    var q = state.question;
    // The prompt is the page's heading; focus moves to it, so a screen reader reads it once
    // (the announcement below names only the question number).
    var nodes = [metaLine(), el("h1", {className: "p-prompt", id: "prompt", text: q.prompt})];
    var form = FORMS[q.type];
    var body = form ? form.widgets(q) : [el("p", {text: "This question type cannot be answered here."})];
    show(key, nodes.concat(body, [errorLine()]), true);
    say("Question " + (idx + 1) + " of " + state.question_count + ".");
  }

  function singleChoice(q, options) {
    var picked = null;
    var buttons = options.map(function (c, i) {
      return el("li", {}, [el("button", {
        type: "button", className: "p-choice tile-" + i, "aria-pressed": state.confidence ? "false" : null,
        onclick: function (event) {
          if (!state.confidence) { send(state.question_index, c.id, null); return; }
          picked = c.id;
          Array.prototype.forEach.call(screen.querySelectorAll(".p-choice"), function (b) {
            b.setAttribute("aria-pressed", b === event.currentTarget ? "true" : "false");
          });
        }
      }, [el("span", {className: "tile-letter", "aria-hidden": "true", text: LETTERS[i]}), c.text])]);
    });
    var list = el("ul", {className: "p-choices", "aria-label": "Answers"}, buttons);
    if (!state.confidence) { return [list]; }
    return [list, submitButtons(function () {
      if (picked === null) { showError("Choose an answer first."); return undefined; }
      return picked;
    })];
  }

  function multiChoice(q) {
    var boxes = q.choices.map(function (c, i) {
      var input = el("input", {type: "checkbox", value: c.id, name: "choice"});
      return el("li", {}, [el("label", {className: "p-choice tile-" + i}, [
        input, el("span", {className: "tile-letter", "aria-hidden": "true", text: LETTERS[i]}), c.text])]);
    });
    var group = el("fieldset", {}, [el("legend", {className: "visually-hidden", text: "Select all that apply"}),
                                   el("ul", {className: "p-choices"}, boxes)]);
    return [group, submitButtons(function () {
      var picked = Array.prototype.map.call(screen.querySelectorAll("input[name=choice]:checked"),
                                            function (i) { return i.value; });
      if (!picked.length) { showError("Choose at least one answer."); return undefined; }
      return picked;
    })];
  }

  function shortAnswer() {
    var input = el("input", {type: "text", id: "short-answer", maxlength: "300", autocomplete: "off",
                             autocapitalize: "none", spellcheck: "false"});
    var buttons = submitButtons(function () {
      var text = input.value.trim();
      if (!text) { showError("Type an answer first."); return undefined; }
      return text;
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        var first = buttons.querySelector("button");
        if (first) { first.click(); }
      }
    });
    return [el("div", {className: "field"}, [el("label", {"for": "short-answer", text: "Your answer"}), input]),
            buttons];
  }

  function ordering(q) {
    var list = el("ol", {className: "p-order", "aria-label": "Events, earliest first"});
    function move(li, step) {
      var target = step < 0 ? li.previousElementSibling : li.nextElementSibling;
      if (!target) { return; }
      if (step < 0) { list.insertBefore(li, target); } else { list.insertBefore(target, li); }
      var items = Array.prototype.slice.call(list.children);
      say(li.querySelector(".text").textContent + ": now " + ordinal(items.indexOf(li) + 1));
      var again = li.querySelector(step < 0 ? ".up" : ".down");
      if (again) { again.focus(); }
    }
    q.items.forEach(function (item) {
      var li = el("li", {"data-id": item.id}, [el("span", {className: "text", text: item.text})]);
      li.appendChild(el("button", {type: "button", className: "up", "aria-label": "Move up: " + item.text,
                                   text: "↑", onclick: function () { move(li, -1); }}));
      li.appendChild(el("button", {type: "button", className: "down", "aria-label": "Move down: " + item.text,
                                   text: "↓", onclick: function () { move(li, 1); }}));
      list.appendChild(li);
    });
    return [el("p", {className: "muted", text: "Earliest at the top. Move events with the arrows."}), list,
            submitButtons(function () {
              return Array.prototype.map.call(list.children, function (li) { return li.getAttribute("data-id"); });
            })];
  }

  function matching(q) {
    // One group of radio buttons per term: long expansions wrap, unlike a <select>.
    var groups = q.left.map(function (left, i) {
      var options = q.right.map(function (r, j) {
        var id = "match-" + i + "-" + j;
        return el("li", {}, [el("label", {"for": id, className: "p-match-option"}, [
          el("input", {type: "radio", id: id, name: "match-" + i, value: r.id}), r.text])]);
      });
      return el("fieldset", {className: "p-match-group", "data-left": left.id}, [
        el("legend", {text: left.text}), el("ul", {}, options)]);
    });
    return [el("div", {className: "p-match"}, groups), submitButtons(function () {
      var out = {};
      var missing = false;
      groups.forEach(function (group) {
        var picked = group.querySelector("input:checked");
        if (!picked) { missing = true; } else { out[group.getAttribute("data-left")] = picked.value; }
      });
      if (missing) { showError("Match every term first."); return undefined; }
      return out;
    })];
  }

  // One entry per question type (its API name): the widgets that answer it and, where
  // the reveal repeats it, the player's answer in words.
  var FORMS = {
    mcq: {widgets: function (q) { return singleChoice(q, q.choices); }, yours: choiceTexts},
    multi: {widgets: multiChoice, yours: choiceTexts},
    true_false: {
      widgets: function (q) { return singleChoice(q, [{id: true, text: "True"}, {id: false, text: "False"}]); },
      yours: function (q, response) { return response ? "True" : "False"; }
    },
    short: {widgets: shortAnswer, yours: function (q, response) { return String(response); }},
    ordering: {widgets: ordering},
    matching: {widgets: matching}
  };

  // ------------------------------------------------------------------------ answering
  function send(index, response, confidence) {
    if (sending) { return; }
    if (secondsLeft() <= 0) {
      showError("Time is up for this question.");
      return;
    }
    setBusy(true);
    var body = JSON.stringify({response: response, confidence: confidence});
    var tries = 0;

    function attempt() {
      tries += 1;
      fetch(ANSWER_URL + index, {
        method: "POST", credentials: "same-origin", cache: "no-store",
        headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": CSRF},
        body: body
      }).then(function (r) {
        return r.json().then(function (data) { return {status: r.status, data: data}; },
                             function () { return {status: r.status, data: {}}; });
      }).then(function (result) {
        var error = (result.data && result.data.error) || {};
        if (result.status === 200) {
          sending = false;
          sent[index] = true;
          render();
          return;
        }
        if (result.status >= 500 && tries < 6) {  // busy: try again, a repeat counts once
          window.setTimeout(attempt, Math.min(400 * Math.pow(2, tries), 4000));
          return;
        }
        setBusy(false);
        if (result.status === 401) { window.location.href = JOIN_URL; return; }
        if (result.status === 403) { me = me || {}; me.kicked = true; render(); return; }
        if (result.status === 409 && /already answered/i.test(error.message || "")) {
          sent[index] = true; render(); return;
        }
        if (result.status === 409 && error.code === "too_late") {
          // Still time on this phone's clock: the host showed the answer early.
          late[index] = secondsLeft() > 0
            ? {heading: "Answer shown", message: "The host showed the answer before yours arrived, so it was not recorded."}
            : {heading: "Too late", message: error.message};
          render(); poll(); return;
        }
        if (result.status === 409) { showError(error.message || "That question is closed."); poll(); return; }
        showError(error.message || "The page expired. Reload it and try again.");
      }, function () {
        if (tries < 6 && secondsLeft() > -5) {
          setOnline(false);
          window.setTimeout(attempt, Math.min(400 * Math.pow(2, tries), 4000));
          return;
        }
        setBusy(false);
        showError("Could not reach the server. Check your connection and tap again.");
      });
    }
    attempt();
  }

  // ------------------------------------------------------------------------ countdown
  function tick() {
    if (!state || state.phase !== "question") { return; }
    var left = secondsLeft();
    var shown = String(Math.max(0, Math.ceil(left)));
    Array.prototype.forEach.call(screen.querySelectorAll("[data-timer]"), function (node) {
      if (node.textContent !== shown) { node.textContent = shown; }
      node.classList.toggle("urgent", left <= 5);
    });
    [10, 5].forEach(function (mark) {
      if (left <= mark && left > mark - 1.5 && state.seconds_per_question > mark && !spoken[mark]) {
        spoken[mark] = true;
        say(mark + " seconds left");
      }
    });
    if (left <= 0 && !spoken.closed) {
      spoken.closed = true;
      if (!sent[state.question_index]) { say("Time is up.", true); }
      Array.prototype.forEach.call(screen.querySelectorAll(".p-choice, .p-submit button"), function (n) {
        n.disabled = true;
      });
    }
  }

  window.setInterval(tick, 250);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { poll(); }
  });
  window.addEventListener("online", poll);
  poll();
  listen();
}());
