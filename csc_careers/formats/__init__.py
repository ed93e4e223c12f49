"""Date formats of the project's languages, where they differ from Django's (FORMAT_MODULE_PATH).

Short dates are written as Canada.ca writes them, year first (2026-12-01), in both languages:
Django's English default (12/01/2026) reads as January 12 to half of Canada.

French times are written as Canada.ca writes them: 9 h, 9 h 30, 13 h 45 (24-hour, "h" between
non-breaking spaces), not Django's 09:00; clock.py leaves the minutes off on the hour.
"""
