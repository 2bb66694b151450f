/* Flashcards: one card at a time, turned over by tap, Space or Enter; ← and → move.
   Without this file every card shows its answer and its two rating buttons (plain forms). */
(function () {
  "use strict";

  function start() {
    var deck = document.querySelector("[data-flashcards]");
    if (!deck) { return; }
    var cards = Array.prototype.slice.call(deck.querySelectorAll(".fc-card"));
    var flip = deck.querySelector("[data-fc-flip]");
    var prev = deck.querySelector("[data-fc-prev]");
    var next = deck.querySelector("[data-fc-next]");
    var position = deck.querySelector(".fc-position");
    var status = deck.querySelector("[data-fc-status]");
    var current = 0;
    deck.classList.add("fc-js");
    deck.querySelector("[data-fc-controls]").hidden = false;
    deck.querySelector("[data-fc-keys]").hidden = false;

    function setFlipped(card, flipped) {
      card.classList.toggle("is-flipped", flipped);
      flip.setAttribute("aria-expanded", flipped ? "true" : "false");
      flip.textContent = flipped ? "Show the question" : "Show the answer";
    }

    function show(index, focus) {
      current = Math.max(0, Math.min(cards.length - 1, index));
      cards.forEach(function (card, i) {
        card.classList.toggle("is-current", i === current);
        setFlipped(card, false);
      });
      flip.setAttribute("aria-controls", cards[current].querySelector(".fc-back").id);
      position.textContent = "Card " + (current + 1) + " of " + cards.length;
      prev.disabled = current === 0;
      next.disabled = current === cards.length - 1;
      if (focus) { flip.focus(); }
    }

    function turn() {
      var card = cards[current];
      setFlipped(card, !card.classList.contains("is-flipped"));
    }

    flip.addEventListener("click", turn);
    prev.addEventListener("click", function () { show(current - 1, false); });
    next.addEventListener("click", function () { show(current + 1, false); });
    cards.forEach(function (card) {
      card.querySelector("[data-fc-face]").addEventListener("click", turn);
    });

    document.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.altKey || event.ctrlKey || event.metaKey ||
          target.closest("input, select, textarea")) { return; }
      if (event.key === "ArrowRight") {
        event.preventDefault();
        show(current + 1, true);
      } else if (event.key === "ArrowLeft") {
        event.preventDefault();
        show(current - 1, true);
      } else if ((event.key === " " || event.key === "Enter") &&
                 !target.closest("button, a, summary")) {
        event.preventDefault();
        turn();
      }
    });

    deck.querySelectorAll("[data-fc-rate]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var body = new FormData(form);
        if (event.submitter) { body.append(event.submitter.name, event.submitter.value); }
        fetch(form.action, { method: "POST", body: body, credentials: "same-origin",
                             headers: { Accept: "application/json" } })
          .then(function (response) {
            return response.json().then(function (data) {
              if (!response.ok) { throw new Error(data.error ? data.error.message : ""); }
              return data;
            });
          })
          .then(function (data) {
            var last = current === cards.length - 1;
            status.textContent = data.message + (last ? " That was the last card." : "");
            if (!last) { show(current + 1, true); }
          })
          .catch(function (error) {
            status.textContent = "Not saved: " + (error.message ||
              "the connection failed. Try again.");
          });
      });
    });

    var match = /^#card-(\d+)$/.exec(window.location.hash);
    show(match ? Number(match[1]) - 1 : 0, false);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
