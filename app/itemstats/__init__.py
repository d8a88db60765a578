"""Item statistics: how each question of a bank performs, from stored attempt answers."""
