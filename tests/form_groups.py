"""Row and column groups of table 三 that the tests evaluate identities over, read from the templates
(extract/templates/): the applicant columns summed into 总计, the rows of （七）'s sum in each printed form of
（六）, and the two sides of T3_BALANCE."""

from __future__ import annotations

from extract.templates import form

_APPLICATIONS = form.tables()["applications"]
APPLICANT_PARTS: tuple[str, ...] = tuple(_APPLICATIONS.parts())
_FORMS, _ = form.printed_forms()
OUTCOMES_BASE: tuple[str, ...] = tuple(r for r, row in _APPLICATIONS.rows.items()
                                       if row.attrs.get("item") and r not in _FORMS)
OTHER_SINGLE: tuple[str, ...] = tuple(r for r, f in _FORMS.items() if f == "single")
OTHER_SPLIT: tuple[str, ...] = tuple(r for r, f in _FORMS.items() if f == "split")
_BALANCE = next(s for s in form.relation_scopes() if s.check_id == "T3_BALANCE")
BALANCE_IN: tuple[str, ...] = tuple(t.row for t in _BALANCE.actual)
BALANCE_OUT: tuple[str, ...] = tuple(t.row for t in _BALANCE.expected)
