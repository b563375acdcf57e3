"""Dispatch: from a caller's words to the right line, answer or unit.

Emergencies recognised by meaning, the intake rules and the catalogue match with due dates, the
published answers that settle a request on the phone, past work orders that re-rank the catalogue,
and the region a request concerns.
"""
