"""The first released schema steps: chats, people, buildings, requests, polls, outbox."""

from __future__ import annotations

# Timestamps are integer Unix seconds (UTC); Telegram ids are INTEGER primary keys.
FOUNDATION_STEPS: list[tuple[str, str]] = [
    (
        "foundation: chats, people, update inbox, bot state",
        """
        CREATE TABLE people (
            id INTEGER PRIMARY KEY,            -- Telegram user id
            first_name TEXT NOT NULL DEFAULT '',
            last_name TEXT,
            username TEXT,
            language_code TEXT,                -- as Telegram reports it
            language TEXT,                     -- chosen with /language in private chat
            started_bot_at INTEGER,            -- the bot may message them privately
            blocked_bot_at INTEGER,            -- Telegram said "bot was blocked by the user"
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE INDEX people_username ON people (lower(username));

        CREATE TABLE chats (
            id INTEGER PRIMARY KEY,            -- Telegram chat id
            type TEXT NOT NULL CHECK (type IN ('private', 'group', 'supergroup', 'channel')),
            title TEXT,
            language TEXT CHECK (language IN ('zh', 'en')),
            active INTEGER NOT NULL DEFAULT 1,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );

        -- Every update is written here before Telegram is told we have it.
        CREATE TABLE inbox (
            update_id INTEGER PRIMARY KEY,
            payload TEXT NOT NULL,
            received_at INTEGER NOT NULL,
            handled_at INTEGER
        );
        CREATE INDEX inbox_unhandled ON inbox (update_id) WHERE handled_at IS NULL;

        CREATE TABLE bot_state (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,
    ),
    (
        "community: buildings, roles, invites, households",
        """
        CREATE TABLE buildings (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL UNIQUE,     -- casefolded name, for lookups
            language TEXT CHECK (language IN ('zh', 'en')),
            timezone TEXT,
            quiet_start TEXT,                  -- 'HH:MM' local; NULL = community default
            quiet_end TEXT,
            total_households INTEGER CHECK (total_households > 0),
            auto_approve INTEGER NOT NULL DEFAULT 0,
            residents_may_poll INTEGER NOT NULL DEFAULT 0,
            chat_admins_are_heads INTEGER,     -- NULL = community default
            from_config INTEGER NOT NULL DEFAULT 0,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );

        ALTER TABLE chats ADD COLUMN building_id INTEGER
            REFERENCES buildings (id) ON DELETE SET NULL;
        ALTER TABLE chats ADD COLUMN greeted_at INTEGER;
        ALTER TABLE chats ADD COLUMN migrated_to INTEGER;
        CREATE INDEX chats_building ON chats (building_id);

        ALTER TABLE people ADD COLUMN phone TEXT;
        ALTER TABLE people ADD COLUMN forgotten_at INTEGER;

        -- Heads and staff of a building. Admins come from the config file.
        CREATE TABLE roles (
            id INTEGER PRIMARY KEY,
            building_id INTEGER NOT NULL REFERENCES buildings (id) ON DELETE CASCADE,
            person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('head', 'staff')),
            categories TEXT NOT NULL DEFAULT '',   -- comma-separated keys, '*' = all
            level INTEGER CHECK (level BETWEEN 1 AND 3),
            from_config INTEGER NOT NULL DEFAULT 0,
            created_by INTEGER,
            created_at INTEGER NOT NULL,
            UNIQUE (building_id, person_id, role)
        );
        CREATE INDEX roles_person ON roles (person_id);

        -- Every role change, for accountability.
        CREATE TABLE role_events (
            id INTEGER PRIMARY KEY,
            building_id INTEGER NOT NULL,
            person_id INTEGER,
            username TEXT,
            role TEXT NOT NULL,
            action TEXT NOT NULL,
            details TEXT NOT NULL DEFAULT '',
            actor_id INTEGER,
            at INTEGER NOT NULL
        );

        -- One-time deep-link tokens (t.me/<bot>?start=<token>).
        CREATE TABLE invites (
            token TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('staff', 'head')),
            building_id INTEGER NOT NULL REFERENCES buildings (id) ON DELETE CASCADE,
            target_person_id INTEGER,
            target_username TEXT,
            categories TEXT NOT NULL DEFAULT '',
            level INTEGER,
            created_by INTEGER,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            used_at INTEGER,
            used_by INTEGER
        );

        CREATE TABLE households (
            id INTEGER PRIMARY KEY,
            building_id INTEGER NOT NULL REFERENCES buildings (id) ON DELETE CASCADE,
            unit TEXT,
            room TEXT NOT NULL,
            label TEXT NOT NULL,
            offline_contact TEXT,              -- registered on behalf of someone not on Telegram
            registered_by INTEGER,
            created_at INTEGER NOT NULL,
            UNIQUE (building_id, label)
        );

        CREATE TABLE household_members (
            household_id INTEGER NOT NULL REFERENCES households (id) ON DELETE CASCADE,
            person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
            status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
            requested_at INTEGER NOT NULL,
            decided_by INTEGER,
            decided_at INTEGER,
            PRIMARY KEY (household_id, person_id)
        );
        CREATE INDEX household_members_person ON household_members (person_id);
        """,
    ),
    (
        "private conversations: what the bot is waiting for from a person",
        """
        CREATE TABLE conversations (
            person_id INTEGER PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL DEFAULT '{}',   -- JSON
            expires_at INTEGER NOT NULL
        );
        """,
    ),
    (
        "tracked requests: requests, photos, history, me-too, suggestions, staff deliveries",
        """
        CREATE TABLE requests (
            id INTEGER PRIMARY KEY,            -- the request number residents see (#42)
            building_id INTEGER REFERENCES buildings (id) ON DELETE SET NULL,
            chat_id INTEGER,                   -- group it was reported in (NULL: private)
            source_message_id INTEGER,         -- the resident's message, for edits and replays
            card_chat_id INTEGER,
            card_message_id INTEGER,
            reporter_id INTEGER REFERENCES people (id) ON DELETE SET NULL,
            category TEXT NOT NULL,
            urgent INTEGER NOT NULL DEFAULT 0,
            location TEXT,
            description TEXT NOT NULL,
            status TEXT NOT NULL,
            assignee_id INTEGER REFERENCES people (id) ON DELETE SET NULL,
            level INTEGER,                     -- escalation rung currently responsible
            delivered INTEGER NOT NULL DEFAULT 0,
            resolution_note TEXT,
            reject_reason TEXT,
            duplicate_of INTEGER,
            satisfied INTEGER,                 -- 1 fixed, 0 not fixed (latest answer)
            rating INTEGER CHECK (rating BETWEEN 1 AND 5),
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            responded_at INTEGER,
            resolved_at INTEGER,
            reopened_at INTEGER,
            closed_at INTEGER,
            escalated_at INTEGER
        );
        CREATE UNIQUE INDEX requests_source ON requests (chat_id, source_message_id)
            WHERE source_message_id IS NOT NULL;
        CREATE INDEX requests_building_status ON requests (building_id, status);
        CREATE INDEX requests_assignee ON requests (assignee_id, status);

        CREATE TABLE request_photos (
            request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
            file_id TEXT NOT NULL,
            file_unique_id TEXT NOT NULL,
            added_at INTEGER NOT NULL,
            PRIMARY KEY (request_id, file_unique_id)
        );

        CREATE TABLE request_events (
            id INTEGER PRIMARY KEY,
            request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
            actor_id INTEGER,                  -- NULL: the system
            action TEXT NOT NULL,
            from_status TEXT,
            to_status TEXT,
            note TEXT NOT NULL DEFAULT '',
            at INTEGER NOT NULL
        );
        CREATE INDEX request_events_request ON request_events (request_id, id);

        -- The reporter and everyone who said "me too".
        CREATE TABLE request_supporters (
            request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
            person_id INTEGER NOT NULL,
            household_id INTEGER,
            added_at INTEGER NOT NULL,
            PRIMARY KEY (request_id, person_id)
        );

        -- Questions the bot asked about a message: "track this?" / "same as #41?".
        CREATE TABLE suggestions (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('borderline', 'duplicate')),
            chat_id INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            author_id INTEGER NOT NULL,
            building_id INTEGER NOT NULL,
            text TEXT NOT NULL,
            photo_file_id TEXT,
            photo_unique_id TEXT,
            candidate_request_id INTEGER,
            prompt_message_id INTEGER,
            created_at INTEGER NOT NULL,
            resolved_at INTEGER,
            UNIQUE (chat_id, message_id)
        );

        -- Private cards sent to staff, so they can be edited as the request moves.
        CREATE TABLE request_deliveries (
            request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
            person_id INTEGER NOT NULL,
            message_id INTEGER,
            failure TEXT,
            at INTEGER NOT NULL,
            PRIMARY KEY (request_id, person_id)
        );
        """,
    ),
    (
        "polls and binding votes",
        """
        CREATE TABLE polls (
            id INTEGER PRIMARY KEY,
            building_id INTEGER REFERENCES buildings (id) ON DELETE SET NULL,
            chat_id INTEGER NOT NULL,
            source_message_id INTEGER NOT NULL,  -- the /poll command, for replays
            message_id INTEGER,                  -- the poll message with the buttons
            creator_id INTEGER NOT NULL,
            question TEXT NOT NULL,
            rules TEXT NOT NULL,                 -- JSON: options, quorum, threshold, flags
            closes_at INTEGER NOT NULL,
            status TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'closed', 'cancelled')),
            closed_at INTEGER,
            cancel_reason TEXT,
            result TEXT,                         -- JSON, stored when the poll closes
            reminders_sent TEXT NOT NULL DEFAULT '[]',
            created_at INTEGER NOT NULL,
            UNIQUE (chat_id, source_message_id)
        );
        CREATE INDEX polls_open ON polls (status, closes_at);

        CREATE TABLE poll_votes (
            poll_id INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
            voter_id INTEGER NOT NULL,           -- negative: a household voted for by proxy
            household_id INTEGER,
            choices TEXT NOT NULL,               -- JSON list of option indexes
            cast_at_us INTEGER NOT NULL,         -- microseconds: the latest ballot wins
            proxy_by INTEGER,
            PRIMARY KEY (poll_id, voter_id)
        );
        """,
    ),
    (
        "reminders: a durable outbox and staff digest settings",
        """
        -- Messages the bot owes someone: written in the same transaction as the change that
        -- causes them, deleted from the queue only when Telegram confirms (sent_at).
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            dedup_key TEXT NOT NULL UNIQUE,
            chat_id INTEGER NOT NULL,
            text TEXT NOT NULL,
            reply_markup TEXT,                  -- JSON inline keyboard
            reply_to_message_id INTEGER,
            fallback_chat_id INTEGER,           -- where to mention the person if blocked
            fallback_text TEXT,
            created_at INTEGER NOT NULL,
            next_attempt_at INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            sent_at INTEGER,
            failed_at INTEGER,
            last_error TEXT
        );
        CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL
            AND failed_at IS NULL;

        -- Planned pings already acted on (their messages are in the outbox).
        CREATE TABLE sent_pings (
            dedup_key TEXT PRIMARY KEY,
            request_id INTEGER,
            at INTEGER NOT NULL
        );

        CREATE TABLE staff_settings (
            person_id INTEGER PRIMARY KEY,
            digest_time TEXT,                   -- 'HH:MM'; NULL = the configured default
            digest_paused INTEGER NOT NULL DEFAULT 0,
            last_digest_on TEXT                 -- local date of the last digest
        );
        """,
    ),
    (
        "outbox: messages to one chat leave in the order they were written",
        """
        CREATE INDEX outbox_pending_by_chat ON outbox (chat_id, id) WHERE sent_at IS NULL
            AND failed_at IS NULL;
        """,
    ),
    (
        "outbox: charts travel with their reports, in order",
        """
        ALTER TABLE outbox ADD COLUMN photo BLOB;  -- PNG bytes; then `text` is its caption
        """,
    ),
]
