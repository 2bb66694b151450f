"""Self-test use cases: start an attempt, record answers, finish, track progress per fact.

One module per aggregate (attempts, progress, topics); this package re-exports the public
names. They add and flush; the caller commits once (transactions.py).
"""

from .attempts import (  # noqa: F401
    MAX_COUNT,
    MODES,
    START_KEY,
    AnswerTarget,
    AttemptOutline,
    Feedback,
    answer_target,
    attempt_outline,
    bound_start_key,
    clean_start_key,
    feedback_for,
    filter_errors,
    finish_attempt,
    get_attempt,
    record_answer,
    start_attempt,
    start_fact_practice,
    started_with,
    store_answer,
    validate_filters,
    was_asked,
)
from .flashcards import flashcard_topics, flashcards, rate_flashcard  # noqa: F401
from .keys import keys_hidden, keys_shown, keys_visible, visible_score  # noqa: F401
from .mistakes import latest_answers, mistake_facts  # noqa: F401
from .progress import (  # noqa: F401
    MASTERY_DEFINITION,
    accuracy_trend,
    attempt_history,
    due_facts,
    fact_progress,
    latest_results,
    next_due_at,
    open_review,
    progress_summary,
    review_queue,
    review_status,
    topic_mastery,
    unfinished_attempts,
    update_progress,
)
from .topics import (  # noqa: F401
    active_candidates,
    course_instructor_ids,
    facts_of,
    known_topics,
    practice_topics,
    readable_commentaries,
    seen_by,
    source_passages,
    topic_options,
    topic_title,
    topic_titles,
    true_statements,
    visible_commentary_ids,
)
