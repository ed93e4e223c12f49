"""Signals of the application pipeline; receivers live in listeners.py."""

from django.dispatch import Signal

# Sent once a stage move has committed (never for one that rolled back), with sender=Application,
# application= (the application moved) and change= (the StageChange recorded). Its side effects,
# such as e-mails to the applicant, hang on this signal, not on each caller of move_to.
application_moved = Signal()
