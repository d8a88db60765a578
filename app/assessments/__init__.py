"""Question banks beyond the curriculum files: exchange with Moodle (GIFT, Moodle XML)."""
