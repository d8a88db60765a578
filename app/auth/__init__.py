"""Accounts, roles, sign-in and sign-out."""
