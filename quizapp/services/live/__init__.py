"""Seminar warm-ups: a live quiz joined by PIN, hosted on a projector, answered on phones.

All game state lives in the database, so several gunicorn workers can serve one game and a
restarted worker loses nothing. The phase "question" turns into "reveal" when the deadline
passes, and an unfinished game ends ``LIVE_GAME_LIFETIME`` after it was created; both are
derived when the state is read, so no background thread is needed.

Services add and flush, never commit; the request commits once (transactions.py) and then
``publish`` runs, so every worker's state cache forgets the old state at once. The exception
is answering (``submit_answer``): a whole room answers within a second, so answers are
stored by a group commit, many to a transaction, and that service commits before it returns.

One module per aggregate (games, players, answers, state, reads, sets, housekeeping); the
pure rules are in domain/live.py. This package re-exports the public names.
"""

from ...domain.live import (  # noqa: F401
    NICKNAME_MAX,
    highlight,
    histogram,
    iso,
    nickname_key,
    state_etag,
    state_json,
    valid_pin,
)
from .answers import (  # noqa: F401
    AnswerReceipt,
    submit_answer,
)
from .games import (  # noqa: F401
    CONFIDENCE_LEVELS,
    DEFAULT_SECONDS,
    MAX_PLAYERS,
    MAX_SECONDS,
    MIN_SECONDS,
    advance,
    create_game,
    end_expired_games,
    end_game,
    games_of,
    hosted_game,
    new_pin,
    reveal_now,
)
from .housekeeping import (  # noqa: F401
    PrunedGame,
    prune_games,
)
from .players import (  # noqa: F401
    clean_nickname,
    expired_error,
    join,
    kick,
    player_for_token,
)
from .reads import (  # noqa: F401
    LEADERBOARD_SIZE,
    host_view,
    leaderboard,
    player_count,
    player_status,
    question_summary,
    results,
    results_csv,
)
from .sets import (  # noqa: F401
    SET_NAME_MAX,
    delete_set,
    describe,
    preview_draw,
    question_set,
    save_set,
    set_json,
    sets_of,
    update_set,
)
from .state import (  # noqa: F401
    MAX_CACHED_GAMES,
    MAX_CACHED_PINS,
    LiveCache,
    build_state,
    cached_state_body,
    effective_phase,
    expired,
    expires_at,
    game_for_pin,
    game_lifetime,
    public_state,
    publish,
    question_payload,
)
