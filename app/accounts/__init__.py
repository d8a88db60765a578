"""The platform administrator's user management: every account, on pages (the `flask users` commands'
counterpart), through the academy area's services and with the audit log."""
