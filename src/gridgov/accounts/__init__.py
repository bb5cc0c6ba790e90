"""Users, roles, territorial scopes, sessions and API keys."""
