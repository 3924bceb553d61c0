"""The form engine: an event type's form described from its data model (``describe``), the
submitted values read back into its data with errors per field (``parse``, ``errors``), and
data shown as the form's values (``values``). Pure: no web framework, no storage; the pages
of ``web`` render and submit these.

The effective date is never silently today (``effective``): a blank one follows the entry's
own natural date (a leave's start, the day after a retirement's last day), a correction's or
a void's follows the entry it changes; a record owner's request is made today, shown and not
typed; for every other event type (an order's entry, a scan) it is required and refused in
Thai beside its field."""

from __future__ import annotations

from web.forms.describe import (
    EFFECTIVE,
    Choice,
    Form,
    FormField,
    FormGroup,
    build_correction_form,
    build_form,
    build_void_form,
)
from web.forms.errors import FieldError, place_violations
from web.forms.parse import Parsed, parse_form
from web.forms.values import form_values

__all__ = [
    "EFFECTIVE",
    "Choice",
    "FieldError",
    "Form",
    "FormField",
    "FormGroup",
    "Parsed",
    "build_correction_form",
    "build_form",
    "build_void_form",
    "form_values",
    "parse_form",
    "place_violations",
]
