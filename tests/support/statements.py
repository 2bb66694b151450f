"""Record the SQL statements a block of code sends, for tests that lock in their number."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import event
from sqlalchemy.engine import Engine


class StatementLog:
    """The statements every engine sends while the ``with`` block runs, in order."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def _log_statement(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(" ".join(statement.split()))

    def __enter__(self) -> StatementLog:
        event.listen(Engine, "before_cursor_execute", self._log_statement)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        event.remove(Engine, "before_cursor_execute", self._log_statement)

    def __len__(self) -> int:
        return len(self.statements)

    def __str__(self) -> str:
        return "\n".join(f"{n}. {s[:160]}" for n, s in enumerate(self.statements, 1))
