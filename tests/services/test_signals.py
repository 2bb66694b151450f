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

