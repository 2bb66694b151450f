"""Seminar warm-ups: the host's projector screen and the players' phone pages."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from urllib.parse import urlsplit

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from wtforms.fields.choices import SelectChoice

from ..domain.scoring import whole_points
from ..domain.selection import short_quiz_note
from ..errors import ServiceError
from ..extensions import limiter
from ..forms import EXPIRED, ActionForm, submitted
from ..models import LiveGame, LivePhase, LivePlayer, utcnow
from ..security import external_url, instructor_required
from ..services import live, throttle
from ..services.study import topic_options
from ..transactions import refused
from . import events, fastpath
from .forms import AdvanceForm, JoinForm, KickForm, StartForm

bp = Blueprint("live", __name__)
# Phones' state polls are answered from the cache before Flask runs (see fastpath.py).
bp.record_once(lambda state: fastpath.install(state.app))
bp.record_once(lambda state: guard_pin_lookups(state.app))

COOKIE_PREFIX = "live_"
COOKIE_MAX_AGE = 12 * 3600


# ------------------------------------------------------------------------------ helpers

def _requested_pin() -> str | None:
    """The warm-up PIN this request looks up (HTML and API), if any."""
    if request.view_args and "pin" in request.view_args:
        return request.view_args["pin"]
    if request.endpoint == "live.join":
        return request.values.get("pin") or None
    return None


def guard_pin_lookups(app) -> None:
    """Count unknown PINs per client and refuse a client that tried too many (ASVS V6.3.1)."""

    @app.before_request
    def refuse_pin_guessers():
        if _requested_pin() is not None and \
                throttle.pin_lookups_blocked(app, throttle.client_address()):
            raise ServiceError(429, "too_many_attempts", "Too many unknown PINs from this "
                               "network. Wait a few minutes, then check the PIN on the screen.")

    @app.after_request
    def count_unknown_pins(response):
        if response.status_code == 404 and _requested_pin() is not None:
            throttle.pin_lookup_failed(throttle.client_address())
        return response


host_required = instructor_required(message="Only instructors can host warm-ups.")


def _topic_choices() -> list[SelectChoice]:
    return [SelectChoice(t, title) for t, title in topic_options(current_user)]


@bp.app_template_filter("points")
def _points(value: float) -> str:
    return f"{whole_points(value):,}"


def _cookie_name(pin: str) -> str:
    return COOKIE_PREFIX + pin


def _cookie_player(game: LiveGame) -> LivePlayer | None:
    return live.player_for_token(game, request.cookies.get(_cookie_name(game.pin)))


def _set_player_cookie(response: Response, pin: str, token: str) -> None:
    response.set_cookie(_cookie_name(pin), token, max_age=COOKIE_MAX_AGE, httponly=True,
                        samesite="Lax", secure=current_app.config.get("SESSION_COOKIE_SECURE",
                                                                     False))


def _json_error(exc: ServiceError):
    body = {"code": exc.code, "message": exc.message}
    if exc.fields:
        body["fields"] = exc.fields
    return {"error": body}, exc.status


def _int_or_none(raw: str | None) -> int | None:
    """A form's whole number in ASCII digits, or None (``"²".isdigit()`` holds, int() fails)."""
    raw = (raw or "").strip()
    return int(raw) if re.fullmatch(r"-?[0-9]{1,9}", raw) else None


def _join_host() -> str:
    """How the join address reads on the projector, e.g. ``quiz.example.org/join``."""
    url = urlsplit(external_url("live.join"))
    return f"{url.netloc}{url.path}"


# --------------------------------------------------------------------------------- host

@bp.route("/live/", methods=["GET", "POST"])
@host_required
def host_index():
    """Start a warm-up and list your earlier ones."""
    form = StartForm()
    form.topics.choices = _topic_choices()
    failed = None
    sets = live.sets_of(current_user)
    form.question_set.choices = [("", "None: draw or list questions below")] + [
        (str(qs.id), f"{qs.name} ({len(qs.question_ids)} questions)") for qs in sets]
    if request.method == "GET" and request.args.get("set"):
        form.question_set.data = request.args["set"]
    if form.validate_on_submit():
        ids = form.parsed_ids()
        set_id = _int_or_none(form.question_set.data)
        try:
            game = live.create_game(
                current_user, count=None if ids or set_id else (form.count.data or 5),
                seconds_per_question=form.seconds.data, types=form.types.data or None,
                topics=form.topics.data or None, question_ids=ids,
                question_set_id=set_id, speed_bonus=bool(form.speed_bonus.data),
                confidence=bool(form.confidence.data),
                auto_reveal=bool(form.auto_reveal.data))
        except ServiceError as exc:
            refused(exc, form, {"seconds_per_question": "seconds",
                                "question_set_id": "question_set"},
                    form.question_set if set_id is not None else form.count)
            failed = exc.status
        else:
            asked, drawn = form.count.data or 5, len(game.question_ids)
            if not ids and not set_id and drawn < asked:
                narrowed = form.topics.leaves_out() or form.types.leaves_out()
                flash(short_quiz_note(drawn, asked, narrowed, "warm-up"), "info")
            return redirect(url_for("live.host", game_id=game.id))
    status = failed or (400 if form.errors else 200)
    games = live.games_of(current_user)
    now = utcnow()
    return render_template("live/host_index.html", form=form, sets=sets, games=games,
                           expired={g.id for g in games if live.expired(g, now)}), status


def _host_context(game: LiveGame, view: str) -> dict:
    data = live.host_view(game, utcnow())
    return {"screen": data, "game": game, "view": view, "server_time": live.iso(utcnow()),
            "join_url": external_url("live.join", pin=game.pin),
            "join_host": _join_host(), "advance_form": AdvanceForm(from_index=game.question_index),
            "action_form": ActionForm(), "kick_form": KickForm()}


def _view_arg() -> str:
    return "leaderboard" if request.args.get("view") == "leaderboard" else "main"


@bp.get("/live/games/<int:game_id>")
@host_required
def host(game_id: int):
    """The projector screen: lobby, question with countdown, reveal, leaderboard, podium."""
    game = live.hosted_game(current_user, game_id=game_id)
    context = _host_context(game, _view_arg())
    # The panel's ETag as rendered here: the script's first poll then answers 304 instead
    # of replacing the panel the host may be clicking in (a lost click on "Results", seen
    # in a browser test under load).
    panel_etag = _panel_tag(render_template("live/_host_panel.html", **context))
    return render_template("live/host.html", panel_etag=panel_etag, **context)


@bp.get("/live/games/<int:game_id>/panel")
@host_required
def host_panel(game_id: int):
    """The changing part of the projector screen, polled by live-host.js (ETag → 304)."""
    game = live.hosted_game(current_user, game_id=game_id)
    html = render_template("live/_host_panel.html", **_host_context(game, _view_arg()))
    tag = _panel_tag(html)
    if request.if_none_match.contains_weak(tag):
        response = Response(status=304)
    else:
        response = Response(html, mimetype="text/html")
    response.set_etag(tag)
    response.headers["Cache-Control"] = "no-cache"
    return response


def _panel_tag(html: str) -> str:
    # The server time changes every call; leave it out of the tag.
    return hashlib.sha256(_stable(html).encode()).hexdigest()[:24]


def _stable(html: str) -> str:
    """The panel without what changes on every call: the server time and the CSRF tokens
    (signed with a timestamp), so an unchanged panel keeps its ETag."""
    html = html.replace(generate_csrf(), "")
    start = html.find('data-server-time="')
    if start < 0:
        return html
    end = html.find('"', start + len('data-server-time="'))
    return html[:start] + html[end + 1:]


def _after_host_action(game: LiveGame, view: str = "main"):
    target = url_for("live.host", game_id=game.id, view="leaderboard") \
        if view == "leaderboard" else url_for("live.host", game_id=game.id)
    return redirect(target)


@bp.post("/live/games/<int:game_id>/advance")
@host_required
def host_advance(game_id: int):
    """Open the next question (or the podium after the last)."""
    form = AdvanceForm()
    if not form.validate_on_submit():
        live.hosted_game(current_user, game_id=game_id)  # another instructor: 403, not 400
        abort(400, EXPIRED)
    try:
        game = live.advance(current_user, utcnow(), game_id=game_id, from_index=form.index())
    except ServiceError as exc:
        if exc.status != 409:
            raise
        refused(exc)  # a double click: the game already moved on
        game = live.hosted_game(current_user, game_id=game_id)
    return _after_host_action(game)


@bp.post("/live/games/<int:game_id>/reveal")
@host_required
def host_reveal(game_id: int):
    """Close the open question now and show its answer."""
    return _host_button(live.reveal_now, game_id)


@bp.post("/live/games/<int:game_id>/end")
@host_required
def host_end(game_id: int):
    """End the warm-up now and show the podium."""
    return _host_button(live.end_game, game_id)


def _host_button(action: Callable[..., LiveGame], game_id: int):
    """A host's button: check its form, ``action`` the game now, back to the screen."""
    submitted()
    return _after_host_action(action(current_user, utcnow(), game_id=game_id))


@bp.post("/live/games/<int:game_id>/kick")
@host_required
def host_kick(game_id: int):
    """Remove a player (by the button next to their name, or by typing the nickname)."""
    form = submitted(KickForm(), "The form expired or the nickname is too long; reload the "
                                 "page.")
    player_id = _int_or_none(form.player_id.data)
    try:
        player = live.kick(current_user, game_id=game_id, player_id=player_id,
                           nickname=form.nickname.data if player_id is None else None)
    except ServiceError as exc:
        if exc.status not in (400, 404):
            raise
        refused(exc)
        flash(exc.message if exc.status == 400 else "No player has that nickname.", "error")
        game = live.hosted_game(current_user, game_id=game_id)
        return _after_host_action(game, _view_arg())
    flash(f"Removed {player.nickname}.", "info")
    game = live.hosted_game(current_user, game_id=game_id)
    return _after_host_action(game, _view_arg())


@bp.get("/live/games/<int:game_id>/qr.svg")
@host_required
def host_qr(game_id: int):
    """The join link as a QR code (SVG) for the projector."""
    game = live.hosted_game(current_user, game_id=game_id)
    url = external_url("live.join", pin=game.pin)
    svg = segno.make(url, error="m").svg_inline(scale=10, dark="#000", light="#fff",
                                                border=2, omitsize=True)
    svg = svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/live/games/<int:game_id>/results")
@host_required
def host_results(game_id: int):
    """Results after (or during) a warm-up: podium, every player, every question."""
    game = live.hosted_game(current_user, game_id=game_id)
    return render_template("live/results.html", game=game, results=live.results(game))


@bp.get("/live/games/<int:game_id>/results.csv")
@host_required
def host_results_csv(game_id: int):
    """Download the results as CSV (cells that would run as formulas are neutralised)."""
    game = live.hosted_game(current_user, game_id=game_id)
    return Response(live.results_csv(game), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="warm-up-{game.pin}-{game.id}.csv"'})


# -------------------------------------------------------------------------------- players

@bp.route("/join", methods=["GET", "POST"])
def join():
    """Join a warm-up with the PIN and a nickname; no account needed."""
    form = JoinForm()
    ended = None
    if request.method == "GET" and request.args.get("pin"):
        pin = "".join(request.args["pin"].split())[:7]
        form.pin.data = pin
        comeback = _returning_player(pin)
        if comeback is not None:
            flash(f"Welcome back, {comeback.nickname}! Your score is kept.", "success")
            return redirect(url_for("live.play", pin=pin))
        ended = _ended_message(pin)
    if form.validate_on_submit():
        pin = form.clean_pin()
        comeback = _returning_player(pin)
        if comeback is not None and comeback.nickname_key == live.nickname_key(
                " ".join((form.nickname.data or "").split())):
            return redirect(url_for("live.play", pin=pin))  # a double submit
        try:
            player, token = live.join(pin, form.nickname.data,
                                      user_id=current_user.id
                                      if current_user.is_authenticated else None)
        except ServiceError as exc:
            refused(exc, form, {}, form.pin)
            return render_template("live/join.html", form=form), exc.status
        response = redirect(url_for("live.play", pin=pin))
        _set_player_cookie(response, pin, token)
        return response
    status = 400 if form.errors else 200
    return render_template("live/join.html", form=form, ended=ended), status


def _game_or_none(pin: str) -> LiveGame | None:
    """The warm-up a PIN from a form or cookie names, if any (no error page: it may be old)."""
    if not live.valid_pin(pin):
        return None
    try:
        return live.game_for_pin(pin)
    except ServiceError:
        return None


def _ended_message(pin: str) -> str | None:
    """What the join page says about a PIN whose warm-up is over (None: open or unknown)."""
    game = _game_or_none(pin)
    if game is None:
        return None
    if live.expired(game, utcnow()):
        return live.expired_error().message
    if game.phase is LivePhase.FINISHED:
        return "The warm-up with this PIN has ended. Ask the host for the new PIN."
    return None


def _returning_player(pin: str) -> LivePlayer | None:
    """The player this phone already is in the warm-up ``pin`` (its cookie), if any."""
    if not request.cookies.get(_cookie_name(pin)):
        return None  # a first join: no need to look the game up (a room joins at once)
    game = _game_or_none(pin)
    if game is None:
        return None
    player = _cookie_player(game)
    if player is None or player.kicked or live.effective_phase(game, utcnow()) \
            is LivePhase.FINISHED:
        return None
    return player


@bp.get("/live/<pin>/play")
def play(pin: str):
    """The phone screen: waits, shows each question, the result and the final rank."""
    game = live.game_for_pin(pin)
    player = _cookie_player(game)
    if player is None:
        flash("Join with a nickname first.", "info")
        return redirect(url_for("live.join", pin=pin))
    # Pushed states where this server streams them (events.py); else the page polls.
    events_url = f"/api/v1/live/{game.pin}/events" if events.push_enabled(current_app) \
        else None
    return render_template("live/play.html", game=game, player=player, events_url=events_url)


@bp.get("/live/<pin>/me")
@limiter.exempt
def play_me(pin: str):
    """The phone's own score, rank and answer (player cookie)."""
    try:
        return live.player_status(pin, request.cookies.get(_cookie_name(pin)), utcnow())
    except ServiceError as exc:
        if exc.code == "unknown_player":
            exc.message = "Join this warm-up first."
        return _json_error(exc)


@bp.post("/live/<pin>/answers/<int:question_index>")
@limiter.exempt
def play_answer(pin: str, question_index: int):
    """Answer from the phone page (player cookie + CSRF header); JSON in, JSON out."""
    try:
        data = request.get_json(silent=True)
        if not isinstance(data, dict) or "response" not in data:
            raise ServiceError(400, "invalid", "Send a JSON object with a response.")
        # Committed by the service's group commit before it returns.
        receipt = live.submit_answer(pin, request.cookies.get(_cookie_name(pin)),
                                     question_index, data["response"],
                                     data.get("confidence"), utcnow())
    except ServiceError as exc:
        body, status = _json_error(exc)
    else:
        body, status = receipt.to_json(), 200
    # Never cached, signed in or not; the fast path (fastpath.py) sends the same.
    return body, status, {"Cache-Control": "no-store"}
