"""A small LMS for the LTI tests, built from the LTI 1.3 / Advantage specifications.

It runs as a real WSGI server on 127.0.0.1 (an ephemeral port) in a thread, has its own
RSA key pair and JWKS, signs id_tokens (OIDC launch, deep linking requests), issues OAuth2
client-credentials access tokens after checking the tool's signed assertion against the
tool's JWKS, keeps a gradebook of the scores the tool sends (AGS), serves a course roster
(NRPS) and checks deep-linking responses. ``down = True`` makes every service endpoint
answer 503, as a platform in maintenance does.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


def new_key() -> tuple[rsa.RSAPrivateKey, dict[str, Any]]:
    """An RSA key and its public JWK (with a kid)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid=uuid.uuid4().hex, alg="RS256", use="sig")
    return key, jwk


class Platform:
    """The LMS stand-in; ``with Platform() as p:`` serves it while the block runs."""

    def __init__(self, client_id: str = "quizapp-tool", deployment_id: str = "deploy-1",
                 context_id: str = "course-101") -> None:
        self.key, self.jwk = new_key()
        self.client_id, self.deployment_id, self.context_id = client_id, deployment_id, \
            context_id
        #: Scores received: one dict per POST to a line item's /scores.
        self.gradebook: list[dict[str, Any]] = []
        self.lineitems: dict[str, dict[str, Any]] = {}
        self.members: list[dict[str, Any]] = []
        self.deep_link_items: list[dict[str, Any]] = []
        self.tokens: dict[str, set[str]] = {}
        self.down = False
        #: Returns the tool's JWKS (the tests read it from the app's /.well-known/jwks.json).
        self.tool_jwks: Callable[[], dict[str, Any]] = lambda: {"keys": []}
        self._server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self.issuer = self.url
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Platform:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    # -------------------------------------------------------------- registration data
    def registration(self) -> dict[str, str]:
        """What an administrator copies from the LMS into ``quizapp lti add-platform``."""
        return {"issuer": self.issuer, "client_id": self.client_id,
                "deployment_id": self.deployment_id, "auth_login_url": self.url + "/auth",
                "auth_token_url": self.url + "/token", "keyset_url": self.url + "/jwks"}

    def lineitem_url(self, item_id: str) -> str:
        return f"{self.url}/contexts/{self.context_id}/lineitems/{item_id}"

    # -------------------------------------------------------------- id_tokens
    def id_token(self, nonce: str, *, sub: str = "u-learner", roles: list[str] | None = None,
                 message_type: str = "LtiResourceLinkRequest", resource_link: str = "rl-1",
                 custom: dict[str, str] | None = None, lineitem: str | None = None,
                 key: rsa.RSAPrivateKey | None = None, kid: str | None = None,
                 **overrides: Any) -> str:
        """Sign an id_token as the platform's authorization endpoint returns it."""
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": self.issuer, "aud": self.client_id, "sub": sub, "nonce": nonce,
            "iat": now, "exp": now + 300, "name": "Ada Lovelace" if sub == "u-learner"
            else "Grace Hopper", "given_name": "Ada", "family_name": "Lovelace",
            LTI + "version": "1.3.0", LTI + "message_type": message_type,
            LTI + "deployment_id": self.deployment_id,
            LTI + "roles": roles or [LEARNER],
            LTI + "context": {"id": self.context_id, "label": "POL101",
                              "title": "Alliances in Asia", "type": [
                                  "http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"]},
            LTI + "target_link_uri": "http://localhost/lti/launch",
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url":
                    f"{self.url}/contexts/{self.context_id}/memberships",
                "service_versions": ["2.0"]},
        }
        if message_type == "LtiDeepLinkingRequest":
            body["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
                "deep_link_return_url": self.url + "/deep_link_return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "data": "dl-data-42"}
        else:
            body[LTI + "resource_link"] = {"id": resource_link, "title": "Quiz"}
            body["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"] = {
                "scope": [SCORE_SCOPE, LINEITEM_SCOPE],
                "lineitems": f"{self.url}/contexts/{self.context_id}/lineitems",
                **({"lineitem": lineitem} if lineitem else {})}
            if custom:
                body[LTI + "custom"] = custom
        body.update(overrides)
        return jwt.encode(body, key or self.key, algorithm="RS256",
                          headers={"kid": kid or self.jwk["kid"]})

    def launch(self, client, *, id_token: Callable[[str], str] | None = None,
               base_url: str = "http://localhost", **claims: Any):
        """Run the OIDC third-party login and post the id_token, as a browser would."""
        response = client.get("/lti/login", base_url=base_url, query_string={
            "iss": self.issuer, "login_hint": claims.get("sub", "u-learner"),
            "target_link_uri": "http://localhost/lti/launch", "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id})
        assert response.status_code == 302, response.get_data(as_text=True)
        location = urlsplit(response.headers["Location"])
        assert f"{location.scheme}://{location.netloc}{location.path}" == self.url + "/auth"
        params = {k: v[0] for k, v in parse_qs(location.query).items()}
        assert params["client_id"] == self.client_id and params["response_type"] == "id_token"
        token = id_token(params["nonce"]) if id_token else self.id_token(params["nonce"],
                                                                           **claims)
        self.last_form = {"id_token": token, "state": params["state"]}
        return client.post(urlsplit(params["redirect_uri"]).path, data=self.last_form,
                           base_url=base_url)

    # -------------------------------------------------------------- the HTTP side
    def wsgi(self, environ, start_response):
        request = Request(environ)
        response = self._route(request)
        return response(environ, start_response)

    def _route(self, request: Request) -> Response:
        path = request.path
        if path == "/jwks":
            return self._json({"keys": [self.jwk]})
        if self.down:
            return Response("maintenance", status=503)
        if path == "/token" and request.method == "POST":
            return self._token(request)
        if path == "/deep_link_return" and request.method == "POST":
            return self._deep_link_return(request)
        if path.endswith("/scores") and request.method == "POST":
            return self._score(request, path.removesuffix("/scores"))
        if path.endswith("/memberships"):
            if NRPS_SCOPE not in self._scopes(request):
                return Response("no token for the roster", status=401)
            return self._json({"id": self.url + path,
                               "context": {"id": self.context_id, "title": "Alliances"},
                               "members": self.members},
                              "application/vnd.ims.lti-nrps.v2.membershipcontainer+json")
        return Response("not found", status=404)

    def _json(self, body: Any, content_type: str = "application/json") -> Response:
        return Response(json.dumps(body), content_type=content_type)

    def _token(self, request: Request) -> Response:
        form = request.form
        if form.get("grant_type") != "client_credentials" or \
                form.get("client_assertion_type") != JWT_BEARER:
            return Response(json.dumps({"error": "unsupported_grant_type"}), status=400,
                            content_type="application/json")
        assertion = form.get("client_assertion", "")
        try:
            kid = jwt.get_unverified_header(assertion)["kid"]
            jwk = next(k for k in self.tool_jwks()["keys"] if k["kid"] == kid)
            claims = jwt.decode(assertion, jwt.algorithms.RSAAlgorithm.from_jwk(jwk),
                                algorithms=["RS256"], audience=self.url + "/token")
        except (jwt.InvalidTokenError, KeyError, StopIteration):
            return Response(json.dumps({"error": "invalid_client"}), status=401,
                            content_type="application/json")
        if claims["iss"] != self.client_id or claims["sub"] != self.client_id:
            return Response(json.dumps({"error": "invalid_client"}), status=401,
                            content_type="application/json")
        token = secrets.token_urlsafe(16)
        self.tokens[token] = set(form.get("scope", "").split())
        return self._json({"access_token": token, "token_type": "Bearer",
                           "expires_in": 3600, "scope": form.get("scope", "")})

    def _scopes(self, request: Request) -> set[str]:
        auth = request.headers.get("Authorization", "")
        return self.tokens.get(auth.removeprefix("Bearer "), set())

    def _score(self, request: Request, lineitem: str) -> Response:
        if SCORE_SCOPE not in self._scopes(request):
            return Response("no token for scores", status=401)
        if request.content_type != "application/vnd.ims.lis.v1.score+json":
            return Response("wrong content type", status=415)
        score = json.loads(request.get_data())
        self.gradebook.append({"lineitem": self.url + lineitem, **score})
        return Response("", status=204)

    def _deep_link_return(self, request: Request) -> Response:
        token = request.form.get("JWT", "")
        kid = jwt.get_unverified_header(token)["kid"]
        jwk = next(k for k in self.tool_jwks()["keys"] if k["kid"] == kid)
        claims = jwt.decode(token, jwt.algorithms.RSAAlgorithm.from_jwk(jwk),
                            algorithms=["RS256"], audience=self.issuer)
        assert claims["iss"] == self.client_id
        assert claims[LTI + "message_type"] == "LtiDeepLinkingResponse"
        assert claims[LTI + "deployment_id"] == self.deployment_id
        assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "dl-data-42"
        items = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
        for item in items:
            item_id = str(len(self.lineitems) + 1)
            self.lineitems[item_id] = item.get("lineItem", {})
            item["_lineitem_url"] = self.lineitem_url(item_id)
        self.deep_link_items.extend(items)
        return Response("ok")

    def public_pem(self) -> str:
        return self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
