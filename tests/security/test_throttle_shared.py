"""Login throttling shared across app instances: the database by default, Redis when set."""

from __future__ import annotations

import os
import uuid

import pytest

from quizapp import create_app

from support.helpers import basic_auth


def _redis_url() -> str:
    url = os.environ.get("QUIZAPP_TEST_REDIS_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must set QUIZAPP_TEST_REDIS_URL")
        # Whether a Redis server runs is not known here, only that none was named.
        pytest.skip("needs Redis: QUIZAPP_TEST_REDIS_URL is unset "
                    "(e.g. QUIZAPP_TEST_REDIS_URL=redis://127.0.0.1:6379/0; .ci/run sets it)")
    return url


def test_failures_in_one_worker_throttle_another(app_config, make_user):
    """Two app instances on one database stand for two gunicorn workers."""
    make_user("target")
    worker_a = create_app(app_config).test_client()
    worker_b = create_app(app_config).test_client()
    for _ in range(app_config.get("LOGIN_MAX_FAILURES", 10)):
        assert worker_a.post("/api/v1/tokens",
                             headers=basic_auth("target", "wrong guess")).status_code == 401
    assert worker_b.post("/api/v1/tokens", headers=basic_auth("target")).status_code == 429


def test_redis_storage_is_shared_between_instances(app_config, make_user, monkeypatch):
    url = _redis_url()
    make_user("target")
    namespace = uuid.uuid4().hex  # a fresh key space per run
    config = {**app_config, "RATELIMIT_STORAGE_URI": url, "RATELIMIT_KEY_PREFIX": namespace}
    worker_a = create_app(config).test_client()
    worker_b = create_app(config).test_client()
    for _ in range(10):
        assert worker_a.post("/api/v1/tokens",
                             headers=basic_auth("target", "wrong guess")).status_code == 401
    assert worker_b.post("/api/v1/tokens", headers=basic_auth("target")).status_code == 429
    other = create_app({**config, "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex}).test_client()
    assert other.post("/api/v1/tokens", headers=basic_auth("target")).status_code == 200


def test_wrong_join_codes_in_redis_are_shared_between_instances(app_config, api_token):
    """The join-code throttle uses the same shared storage as the login throttle."""
    url = _redis_url()
    headers = api_token("joiner")
    config = {**app_config, "RATELIMIT_STORAGE_URI": url, "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex}
    worker_a = create_app(config).test_client()
    worker_b = create_app(config).test_client()
    for _ in range(10):
        assert worker_a.post("/api/v1/enrollments", json={"join_code": "ZZZZZZ"},
                             headers=headers).status_code == 404
    assert worker_b.post("/api/v1/enrollments", json={"join_code": "ZZZZZZ"},
                         headers=headers).status_code == 429


def test_the_redis_skip_names_the_unset_variable_not_a_missing_server(monkeypatch):
    monkeypatch.delenv("QUIZAPP_TEST_REDIS_URL", raising=False)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        _redis_url()
    assert "QUIZAPP_TEST_REDIS_URL is unset" in str(skipped.value)
    assert "no Redis" not in str(skipped.value)
