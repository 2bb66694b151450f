"""Form pieces shared by the blueprints' forms."""

from __future__ import annotations

from typing import TypeVar

from flask import abort
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes (keyboard and screen-reader friendly)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def leaves_out(self) -> bool:
        """Whether the ticked choices leave some out (none ticked means all)."""
        offered = {value for value, *_ in self.iter_choices()}
        return bool(self.data) and not offered <= set(self.data)


class ActionForm(FlaskForm):
    """A POST button with only its CSRF token (finish, retire, end the warm-up...)."""


_Form = TypeVar("_Form", bound=FlaskForm)

#: Why a host's or an instructor's button was refused: its page's CSRF token expired.
EXPIRED = "The form expired. Reload the page and try again."


def submitted(form: _Form | None = None, message: str = EXPIRED) -> _Form | ActionForm:
    """The POSTed form (an ``ActionForm`` by default), validated; else a 400 with ``message``."""
    form = ActionForm() if form is None else form
    if not form.validate_on_submit():
        abort(400, message)
    return form
