"""Personal calendars without Flask: their stores (SQLite, PostgreSQL), rules, form, list files."""
