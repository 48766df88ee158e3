"""Renderers: iCalendar bytes, JSON dicts and page values, made from airings; no Flask."""
