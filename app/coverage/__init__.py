"""Training-mainstreaming coverage: target populations and the figures coordinators and academies read."""
