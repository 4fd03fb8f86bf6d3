"""Contract tests build the app without AWS: its settings are only read on first request."""
