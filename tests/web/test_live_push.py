"""Pushed warm-up states: ``GET /api/v1/live/{pin}/events`` (live/events.py)."""

from __future__ import annotations

import json
import re

import pytest


@pytest.fixture
def app_config(app_config: dict) -> dict:
    """Push on, as under gevent workers (``LIVE_PUSH`` "auto" turns it on only there)."""
    return {**app_config, "LIVE_PUSH": True}


@pytest.fixture
def host(api_token) -> dict[str, str]:
    """Bearer headers of the instructor hosting the warm-ups."""
    return api_token("host1", "instructor")


def start(client, host) -> str:
    response = client.post("/api/v1/live", json={"count": 2, "types": ["mcq"]}, headers=host)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["pin"]


def events(chunks) -> list[tuple[str, dict]]:
    """The (id, JSON) of the Server-Sent Events in the chunks read so far."""
    text = b"".join(chunks).decode()
    return [(m.group(1), json.loads(m.group(2)))
            for m in re.finditer(r"id: (\S+)\ndata: (.+)\n\n", text)]


def without_clock(state: dict) -> dict:
    return {k: v for k, v in state.items() if k != "server_time"}


def test_events_push_the_polled_state_when_it_changes(client, host):
    pin = start(client, host)
    stream = client.get(f"/api/v1/live/{pin}/events", buffered=False)
    assert stream.status_code == 200
    assert stream.mimetype == "text/event-stream"
    chunks = iter(stream.response)
    read = [next(chunks)]
    polled = client.get(f"/api/v1/live/{pin}/state")
    # The first event is the state a poll gets: same JSON, the ETag as its id.
    [(tag, state)] = events(read)
    assert f'"{tag}"' == polled.headers["ETag"]
    assert without_clock(state) == without_clock(polled.get_json())
    assert state["phase"] == "lobby"

    advanced = client.post(f"/api/v1/live/{pin}/advance", headers=host).get_json()
    read.append(next(chunks))  # waits for the change signal (a stamp file on SQLite)
    tag, state = events(read)[-1]
    assert (state["phase"], state["question"]["id"]) == ("question", advanced["question"]["id"])
    assert f'"{tag}"' == client.get(f"/api/v1/live/{pin}/state").headers["ETag"]

    client.post(f"/api/v1/live/{pin}/reveal", headers=host)
    read.append(next(chunks))
    assert events(read)[-1][1]["phase"] == "reveal"

    client.post(f"/api/v1/live/{pin}/end", headers=host)
    read.extend(chunks)  # the stream ends after the last state
    assert events(read)[-1][1]["phase"] == "finished"
    stream.close()


def test_events_of_an_unknown_pin_are_404(client):
    response = client.get("/api/v1/live/999999/events")
    assert response.status_code == 404
    assert response.get_json()["error"]["message"]


@pytest.mark.parametrize("setting", ["auto", False])
def test_without_push_there_are_no_events_and_the_page_polls(app, client, host, setting):
    """Under thread or sync workers ("auto" outside gevent) a stream would hold a thread."""
    app.config["LIVE_PUSH"] = setting
    pin = start(client, host)
    assert client.get(f"/api/v1/live/{pin}/events").status_code == 404
    phone = app.test_client()
    phone.post("/join", data={"pin": pin, "nickname": "Ada"})
    page = phone.get(f"/live/{pin}/play").data.decode()
    assert "data-state-url" in page and "data-events-url" not in page


def test_the_phone_page_listens_where_the_server_pushes(app, client, host):
    pin = start(client, host)
    phone = app.test_client()
    phone.post("/join", data={"pin": pin, "nickname": "Ada"})
    page = phone.get(f"/live/{pin}/play").data.decode()
    assert f'data-events-url="/api/v1/live/{pin}/events"' in page
