"""The project store: models, engine and sessions, migrations, and the event log."""
