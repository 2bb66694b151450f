"""Warm-up PIN guessing is throttled per client (ASVS V6.3.1) without locking a room out."""

from __future__ import annotations

import pytest

LIMIT = 5
ROOM, GUESSER = "10.0.0.7", "198.51.100.4"


@pytest.fixture
def app_config(app_config: dict) -> dict:
    """A small budget, and a state cache that outlives the test (so the fast path serves)."""
    return {**app_config, "PIN_MAX_FAILURES": LIMIT, "LIVE_STATE_CACHE": 600}


@pytest.fixture
def live_pin(make_user, create_game) -> str:
    """A warm-up in its lobby."""
    return create_game(make_user("host1", "instructor"), count=2).pin


def _from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _unknown(pin: str) -> str:
    return f"{(int(pin) + 1) % 1_000_000:06d}"


def test_a_client_that_tried_too_many_unknown_pins_finds_no_game(app, live_pin):
    guesser = _from(app, GUESSER)
    room = _from(app, ROOM)
    assert room.get(f"/api/v1/live/{live_pin}/state").status_code == 200  # now cached
    wrong = _unknown(live_pin)
    for attempt in range(LIMIT):
        if attempt % 2:
            response = guesser.put(f"/api/v1/live/{wrong}/answers/0", json={"response": 1},
                                   headers={"X-Player-Token": "x"})
        else:
            response = guesser.get(f"/api/v1/live/{wrong}/state")
        assert response.status_code == 404
    # The live PIN is refused to the guesser: from the cache (fast path), to joins and pages.
    assert guesser.get(f"/api/v1/live/{live_pin}/state").status_code == 429
    assert guesser.post(f"/api/v1/live/{live_pin}/players",
                        json={"nickname": "Eve"}).status_code == 429
    assert guesser.get(f"/join?pin={live_pin}").status_code == 429
    assert guesser.put(f"/api/v1/live/{live_pin}/answers/0", json={"response": 1},
                       headers={"X-Player-Token": "x"}).status_code == 429
    # Other clients play on.
    assert room.get(f"/api/v1/live/{live_pin}/state").status_code == 200
    assert room.post(f"/api/v1/live/{live_pin}/players",
                     json={"nickname": "Ada"}).status_code == 201


def test_a_room_polling_its_pin_is_never_throttled(app, live_pin):
    """Only unknown PINs count: a whole class behind one address polls all it likes."""
    phones = [_from(app, ROOM) for _ in range(3)]
    for n, phone in enumerate(phones):
        assert phone.post(f"/api/v1/live/{live_pin}/players",
                          json={"nickname": f"P{n}"}).status_code == 201
    for _ in range(4 * LIMIT):
        for phone in phones:
            assert phone.get(f"/api/v1/live/{live_pin}/state").status_code == 200
    # A few typos in the room stay under the budget.
    for _ in range(LIMIT - 1):
        assert phones[0].post("/join", data={"pin": _unknown(live_pin),
                                             "nickname": "Typo"}).status_code == 404
    assert phones[1].get(f"/api/v1/live/{live_pin}/state").status_code == 200
