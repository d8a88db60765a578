"""Curriculum files: format, validation, localisation, rendering and loading into the database."""
