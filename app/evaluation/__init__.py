"""Evaluation beyond the knowledge test: the reaction questionnaire at the end of a course, the follow-up
questionnaire some months later (by e-mail), their protected aggregates, and knowledge gain per course and
module for the API (docs/evaluation.md)."""
