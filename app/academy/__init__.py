"""Academies, and (later) their trainees, cohorts and assignments."""
