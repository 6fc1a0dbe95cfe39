"""Telegram update handlers, one module per feature."""
