"""Accounts: local users and their roles, log-in with throttling, sessions and the audit trail."""
