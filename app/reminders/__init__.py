"""Reminders by e-mail: before a due date, when a course becomes overdue, and a weekly digest of overdue trainees."""
