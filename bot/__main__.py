"""`python -m bot` is the same as the `courtyard` command."""

from bot.cli import main

raise SystemExit(main())
