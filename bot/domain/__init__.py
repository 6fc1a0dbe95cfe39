"""Pure domain logic: no Telegram, no database, time passed in as `now`."""
