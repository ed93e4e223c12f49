"""Candidate applications and the HR review queue (filled in by the applications issue)."""
