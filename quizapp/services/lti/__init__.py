"""LTI 1.3 (LTI Advantage) use cases on top of pylti1p3next: platforms, the tool's keys,
accounts and classes made from launches, deep links, grade passback and rosters.

The protocol (OIDC login, id_token checks against the platform's JWKS, deep-link JWTs,
OAuth2 client-credentials tokens for the services) is the library's; this module keeps its
state in the database, so several app servers share it: registrations, the tool's key pair,
nonces and launches (``LtiState``), and the grade outbox (``LtiGrade``). Like the other
services it adds and flushes; the caller commits once. Only what callers outside the
package use is re-exported here.
"""


from __future__ import annotations

from .grades import (
    course_context,
    enqueue_grade,
    linked_courses,
    pending_grades,
    send_after_response,
    send_grades,
    sync_roster,
)
from .launches import (
    check_audience,
    check_registered_audience,
    deep_link_choice,
    deep_link_instructor,
    deep_link_resource,
    provision,
    tool_configuration,
)
from .tool import (
    DL_CLAIM,
    NRPS_SCOPE,
    SCORE_SCOPE,
    DbStorage,
    ServiceConnector,
    Sessions,
    ToolConf,
    add_platform,
    http_session,
    jwks,
    new_ticket,
    platforms,
    purge_state,
    refused,
    use_ticket,
)

__all__ = [
    "DL_CLAIM",
    "DbStorage",
    "NRPS_SCOPE",
    "SCORE_SCOPE",
    "ServiceConnector",
    "Sessions",
    "ToolConf",
    "add_platform",
    "check_audience",
    "check_registered_audience",
    "course_context",
    "deep_link_choice",
    "deep_link_instructor",
    "deep_link_resource",
    "enqueue_grade",
    "http_session",
    "jwks",
    "linked_courses",
    "new_ticket",
    "pending_grades",
    "platforms",
    "provision",
    "purge_state",
    "refused",
    "send_after_response",
    "send_grades",
    "sync_roster",
    "tool_configuration",
    "use_ticket",
]
