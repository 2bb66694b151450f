"""Self-test use cases: start an attempt, record answers, finish, track progress per fact.

One module per aggregate (attempts, progress, topics); this package re-exports the public
names. They add and flush; the caller commits once (transactions.py).
"""

from .attempts import (  # noqa: F401
    MAX_COUNT,
    START_KEY,
    AttemptOutline,
    Feedback,
    attempt_outline,
    bound_start_key,
    clean_start_key,
    feedback_for,
    filter_errors,
    finish_attempt,
    get_attempt,
    keys_shown,
    keys_visible,
    record_response,
    start_attempt,
    start_fact_practice,
    started_with,
    validate_filters,
    visible_score,
)
from .progress import (  # noqa: F401
    MASTERY_DEFINITION,
    accuracy_trend,
    attempt_history,
    due_facts,
    fact_progress,
    keys_hidden,
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
    documents,
    facts_of,
    known_topics,
    practice_topics,
    seen_by,
    source_passages,
    topic_options,
    topic_title,
    topic_titles,
    true_statements,
    visible_document_ids,
)
