"""Change signals (signals.py): the process that announces a change sees it at once."""

from __future__ import annotations

from quizapp import signals


def test_an_announcing_process_does_not_wait_for_its_own_notification(app, monkeypatch):
    # A connected listener that never hears anything: as if the NOTIFY's echo were still on
    # its way. Other apps and threads of this process (a gthread worker's threads) must stop
    # trusting their caches now: a logout sent here, replayed through another thread at once,
    # must find the session ended.
    listener = signals._Listener("postgresql://nowhere")
    listener.connected = True
    monkeypatch.setattr(signals, "_listener", lambda _app: listener)
    before = signals.version(app, "users")
    with app.app_context():
        signals.announce(app, "users")  # the NOTIFY itself fails here (SQLite): only logged
    assert signals.version(app, "users") != before
    assert signals.version(app, "live") == signals.version(app, "live")


def test_the_echo_of_its_own_notification_does_not_change_the_version_again(app, monkeypatch):
    # The version changed when this process announced; when PostgreSQL delivers the same
    # NOTIFY back, a cache filled in between must stay trusted (a warm-up poll answered
    # from the cache right after the host moved on).
    listener = signals._Listener("postgresql://nowhere")
    listener.connected = True
    monkeypatch.setattr(signals, "_listener", lambda _app: listener)
    with app.app_context():
        signals.announce(app, "live")
    filled_under = signals.version(app, "live")
    listener.heard("quizapp_live", listener.token)  # the echo
    assert signals.version(app, "live") == filled_under
    listener.heard("quizapp_live", "4242-another-process")  # another server's change
    assert signals.version(app, "live") != filled_under
