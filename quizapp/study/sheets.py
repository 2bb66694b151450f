"""Responses shared by the study, teach and API views for printed quizzes and Anki decks."""

from __future__ import annotations

import io

from flask import Response, render_template, request, send_file, url_for

from ..domain.printing import PAPER_SIZES, letter
from ..services.decks import MIMETYPE, DeckFile
from ..services.printing import Sheet


def render_sheet(sheet: Sheet, paper: str, back_url: str, back_label: str) -> str:
    """The print page of ``sheet`` on ``paper`` (its questions, then its key on a new page)."""
    args = request.args.to_dict(flat=False)
    paper_links = {size: url_for(request.endpoint, **{**(request.view_args or {}),
                                                     **args, "paper": size})
                   for size in PAPER_SIZES}
    return render_template("print/sheet.html", sheet=sheet, paper=paper, letter=letter,
                           paper_links=paper_links, back_url=back_url, back_label=back_label)


def send_deck(deck: DeckFile) -> Response:
    """The deck as a download; never cached, as it holds the learner's own facts."""
    response = send_file(io.BytesIO(deck.data), mimetype=MIMETYPE, as_attachment=True,
                         download_name=deck.filename, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
