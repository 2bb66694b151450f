"""quizapp with three bare routes: what any of its requests costs before doing its work.

Served by bench.py beside the real app and the bare hello, with the same gunicorn settings,
so the table shows where the floor is: quizapp's own request hooks, then opening the
request's database transaction, then loading one user with the ORM (what Flask-Login's
user loader did on every logged-in page before ``services/identity.py`` cached it).
Never deployed: only ``bench.py`` imports it.
"""

from quizapp import create_app
from quizapp.extensions import db
from quizapp.models import User

app = create_app()


@app.get("/__floor/hello")
def floor_hello() -> str:
    """Only quizapp's request hooks (security headers, sessions, CSRF, rate limiter...)."""
    return "Hello, World!"


@app.get("/__floor/transaction")
def floor_transaction() -> str:
    """… and the request's database transaction (pool checkout, BEGIN, ROLLBACK)."""
    db.session.connection()
    return "Hello, World!"


@app.get("/__floor/user/<int:user_id>")
def floor_user(user_id: int) -> str:
    """… and one user loaded by id through the ORM, as Flask-Login's loader once did."""
    return db.session.get(User, user_id).username
