"""LTI 1.3 endpoints: OIDC login, launch, deep linking, JWKS, configuration, LMS page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user, login_required, login_user
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.exception import LtiException, OIDCException
from sqlalchemy import select

from ..errors import ServiceError
from ..extensions import csrf, db
from ..forms import ActionForm, submitted
from ..models import LtiPlatform
from ..security import external_url, instructor_required
from ..services import lti, teach
from ..transactions import commit_now

bp = Blueprint("lti", __name__)

#: Session key marking a session that began with an LTI launch (cross-site cookie).
LTI_SESSION = "_lti"


class LtiSessionInterface(SecureCookieSessionInterface):
    """Flask's cookie session; a session begun by an LTI launch over HTTPS is sent with
    SameSite=None; Secure; Partitioned, so it works inside the LMS's iframe. Every other
    session keeps the configured SameSite=Lax."""

    @staticmethod
    def _cross_site() -> bool:
        return bool(session.get(LTI_SESSION)) and request.is_secure

    def get_cookie_samesite(self, app):
        return "None" if self._cross_site() else super().get_cookie_samesite(app)

    def get_cookie_secure(self, app):
        return True if self._cross_site() else super().get_cookie_secure(app)

    def get_cookie_partitioned(self, app):
        return True if self._cross_site() else super().get_cookie_partitioned(app)


def _framed(html: str, form_action: str = "'self'"):
    """Let the LMS show this page in its iframe (the app's other pages refuse framing)."""
    response = make_response(html)
    ancestors = current_app.config.get("LTI_FRAME_ANCESTORS", "https:")
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"frame-ancestors {ancestors}; form-action {form_action}; base-uri 'self'; "
        "object-src 'none'")
    # frame-ancestors overrides X-Frame-Options in browsers that know both.
    response.headers["X-Frame-Options"] = ""
    return response


#: The library's refusals, by a phrase of its message, as people can act on them.
REFUSALS = (
    ("Invalid Nonce", "This launch was already used (replayed nonce). Open the activity "
                      "again from your course."),
    ("Signature has expired", "The launch has expired (its token is too old). Open the "
                              "activity again from your course."),
    ("Signature verification failed", "The launch's signature does not match the "
                                      "platform's keys (forged or altered token)."),
    ("Unable to find public key", "The launch is signed with a key the platform does not "
                                  "publish (forged or altered token)."),
    ("Can't decode id_token", "The launch token could not be verified."),
    ("Registration not found", "The launch comes from a platform that is not registered "
                               "with quizapp, or was meant for another tool."),
    ("Could not find registration", "That platform is not registered with quizapp; an "
                                    "administrator adds it with `quizapp lti add-platform`."),
    ("is not recognised", "This deployment is not registered with quizapp; an administrator "
                          "adds it with `quizapp lti add-platform --deployment-id ...`."),
    ("State not found", "The launch did not come back to the browser that started it "
                        "(state mismatch). Allow cookies for quizapp, or open the activity "
                        "in a new window."),
    ("Missing cookie", "The launch did not come back to the browser that started it. Allow "
                       "cookies for quizapp, or open the activity in a new window."),
)


def _refusal(exc: Exception) -> ServiceError:
    text = str(exc)
    for phrase, message in REFUSALS:
        if phrase in text:
            return lti.refused(message)
    status = 400 if isinstance(exc, OIDCException) else 403
    return lti.refused(f"The LTI launch was refused: {text}", status)


def _message_launch(flask_request: FlaskRequest) -> FlaskMessageLaunch:
    return FlaskMessageLaunch(flask_request, lti.ToolConf(),
                              session_service=lti.Sessions(flask_request),
                              launch_data_storage=lti.DbStorage(),
                              requests_session=lti.http_session(),
                              service_connector_cls=lti.ServiceConnector)


@bp.route("/lti/login", methods=["GET", "POST"])
@csrf.exempt
def login():
    """OIDC third-party login: remember a state and nonce, send the browser to the platform."""
    launch_url = external_url("lti.launch")
    target = request.values.get("target_link_uri") or launch_url
    if urlsplit(target).netloc != urlsplit(launch_url).netloc:
        raise lti.refused("The launch is meant for another site (target_link_uri).", 400)
    flask_request = FlaskRequest()
    try:
        oidc = FlaskOIDCLogin(flask_request, lti.ToolConf(),
                              session_service=lti.Sessions(flask_request),
                              launch_data_storage=lti.DbStorage())
        response = oidc.redirect(launch_url)
    except (OIDCException, LtiException) as exc:
        raise _refusal(exc) from None
    return response


@bp.post("/lti/launch")
@csrf.exempt
def launch():
    """Receive the platform's signed id_token: sign the user in, match the class, go on."""
    id_token = request.form.get("id_token", "")
    lti.check_registered_audience(id_token)
    try:
        message = _message_launch(FlaskRequest())
        body = dict(message.get_launch_data())
    except LtiException as exc:
        commit_now()  # the nonce stays used: the same token replayed is refused too
        raise _refusal(exc) from None
    lti.check_audience(body, message.get_client_id())
    result = lti.provision(body["iss"], message.get_client_id(), body)
    if result.deep_link:
        assignments = teach.course_assignments(result.course)
    login_user(result.user)
    session[LTI_SESSION] = True
    if result.deep_link:
        return _framed(render_template(
            "lti/deep_link.html", launch_id=message.get_launch_id(), course=result.course,
            assignments=assignments))
    if result.instructor:
        next_url = url_for("teach.course", course_id=result.course.id)
    else:
        next_url = url_for("teach.student_assignments")
    ticket = lti.new_ticket(result.user.id, next_url)
    return _framed(render_template(
        "lti/landing.html", launch=result, next_url=next_url,
        enter_url=external_url("lti.enter", ticket=ticket), action=ActionForm()))


@bp.get("/lti/enter/<ticket>")
def enter(ticket: str):
    """Sign in from the launch's "open in a new window" link (used once, then gone)."""
    user, next_url = lti.use_ticket(ticket)
    login_user(user)
    return redirect(next_url if next_url.startswith("/") else "/", 303)


@bp.post("/lti/deep-link")
@csrf.exempt
def deep_link():
    """Return the picked (or new) assignment to the LMS as a signed LtiResourceLink."""
    launch_id = request.form.get("launch_id", "")
    if not launch_id.startswith("lti1p3-launch-") or len(launch_id) > 80:
        raise lti.refused("The deep-linking request is missing; start again from the LMS.",
                          400)
    flask_request = FlaskRequest()
    try:
        message = FlaskMessageLaunch.from_cache(
            launch_id, flask_request, lti.ToolConf(),
            session_service=lti.Sessions(flask_request), launch_data_storage=lti.DbStorage(),
            requests_session=lti.http_session(), service_connector_cls=lti.ServiceConnector)
        body = dict(message.get_launch_data())
        if not message.is_deep_link_launch():
            raise LtiException("Not a deep-linking launch")
        deep_link = message.get_deep_link()
    except LtiException as exc:
        raise lti.refused("That deep-linking request has expired or was not found; start "
                          f"again from the LMS ({exc}).", 400) from None
    user, course = lti.deep_link_instructor(message.get_client_id(), body)
    assignment = lti.deep_link_choice(launch_id, user, course, request.form)
    resource = lti.deep_link_resource(assignment, external_url("lti.launch"))
    token = deep_link.get_response_jwt([resource])
    return_url = body[lti.DL_CLAIM]["deep_link_return_url"]
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(return_url))
    return _framed(render_template("lti/deep_link_return.html", return_url=return_url,
                                   token=token, assignment=assignment), f"'self' {origin}")


@bp.get("/.well-known/jwks.json")
@bp.get("/lti/jwks")
def jwks():
    """The tool's public keys (platforms check deep links and service tokens with them)."""
    return lti.jwks()  # the key pair is made on first use (committed with the request)


@bp.get("/lti/config.json")
@bp.get("/.well-known/lti-tool-configuration.json")
def configuration():
    """The tool's LTI 1.3 configuration, for Canvas (paste the URL) and Moodle (copy fields)."""
    return lti.tool_configuration({
        "login": external_url("lti.login"), "launch": external_url("lti.launch"),
        "jwks": external_url("lti.jwks"), "deep_link": external_url("lti.launch"),
        "base": external_url("study.index")})


@bp.get("/lti/")
@instructor_required
def platforms():
    """The registered LMS platforms, the URLs to paste into an LMS, and LMS-linked classes."""
    return render_template(
        "lti/platforms.html", platforms=db.session.scalars(
            select(LtiPlatform).order_by(LtiPlatform.id)).all(),
        linked=lti.linked_courses(current_user), action=ActionForm(),
        urls={"Login (OIDC initiation) URL": external_url("lti.login"),
              "Launch (redirect) URL": external_url("lti.launch"),
              "Deep linking URL": external_url("lti.launch"),
              "Public keyset (JWKS) URL": external_url("lti.jwks"),
              "Configuration JSON": external_url("lti.configuration")})


@bp.post("/lti/classes/<int:course_id>/roster")
@login_required
def sync_roster(course_id: int):
    """Fill the class from the LMS course's member list."""
    submitted()
    context = lti.course_context(current_user, course_id)
    added = lti.sync_roster(context)
    flash(f"Roster updated from the LMS: {added} new members enrolled.", "success")
    return redirect(url_for("lti.platforms"), 303)

