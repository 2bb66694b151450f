"""LTI 1.3 tool: launches from an LMS, deep linking, the tool's keys and configuration."""

from flask import Flask

from .views import LtiSessionInterface, bp


def init_app(app: Flask) -> None:
    """Register the blueprint; LTI-launched sessions get cross-site cookie attributes."""
    app.register_blueprint(bp)
    app.session_interface = LtiSessionInterface()
