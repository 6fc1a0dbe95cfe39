"""The schema, as an append-only list of migration steps (never edit a released step)."""

from __future__ import annotations

# Timestamps are integer Unix seconds (UTC); Telegram ids are INTEGER primary keys.
MIGRATIONS_SQL: list[tuple[str, str]] = [
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
    # --- issue 11 ---
    (
        "trust: what an update already did, the steps of a request's intake, update times, "
        "frozen poll denominators, bots in chats, building approval",
        """
        -- What handling an update (or one piece of work) already did: messages Telegram
        -- confirmed, and decisions taken. Handling it again reads this instead of repeating.
        CREATE TABLE journal (
            scope TEXT NOT NULL,               -- 'u<update id>' or a piece of work
            step TEXT NOT NULL,
            chat_id INTEGER,                   -- where a recorded message went
            value TEXT NOT NULL,               -- JSON
            at INTEGER NOT NULL,
            PRIMARY KEY (scope, step)
        );
        CREATE INDEX journal_at ON journal (at);
        CREATE INDEX journal_chat ON journal (chat_id) WHERE chat_id IS NOT NULL;

        -- The update that created a request (a replay finishes it instead of a second one),
        -- and when it was routed to staff (urgent ones are paged then).
        ALTER TABLE requests ADD COLUMN intake_update_id INTEGER;
        ALTER TABLE requests ADD COLUMN routed_at INTEGER;
        CREATE UNIQUE INDEX requests_intake ON requests (intake_update_id)
            WHERE intake_update_id IS NOT NULL;
        UPDATE requests SET routed_at = created_at;
        CREATE INDEX requests_unfinished ON requests (id)
            WHERE routed_at IS NULL OR (chat_id IS NOT NULL AND card_message_id IS NULL);

        -- When the heads were asked about a household registration.
        ALTER TABLE household_members ADD COLUMN heads_asked_at INTEGER;
        UPDATE household_members SET heads_asked_at = requested_at;

        -- The earliest moment an update can have been created (a button press carries no
        -- date): its arrival, or the previous getUpdates if it was waiting at Telegram.
        ALTER TABLE inbox ADD COLUMN arrived_after INTEGER;

        -- Household polls: the households registered and the building's stated total when
        -- the poll opened, so later registrations do not move the denominator.
        ALTER TABLE polls ADD COLUMN eligible_households TEXT;   -- JSON list of ids
        ALTER TABLE polls ADD COLUMN household_total INTEGER;

        -- Other bots seen in a group: Telegram counts them as members, turnout must not.
        CREATE TABLE chat_bots (
            chat_id INTEGER NOT NULL,
            bot_id INTEGER NOT NULL,
            PRIMARY KEY (chat_id, bot_id)
        );

        -- Buildings a community admin listed for everyone's private /join and /report.
        ALTER TABLE buildings ADD COLUMN public INTEGER NOT NULL DEFAULT 0;

        -- A group's request to create a building, waiting for a community admin.
        CREATE TABLE building_requests (
            id INTEGER PRIMARY KEY,
            chat_id INTEGER NOT NULL,
            name TEXT NOT NULL,
            requested_by INTEGER NOT NULL,
            requested_at INTEGER NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'approved', 'rejected')),
            decided_by INTEGER,
            decided_at INTEGER,
            building_id INTEGER
        );
        CREATE UNIQUE INDEX building_requests_pending ON building_requests (chat_id)
            WHERE status = 'pending';

        -- Invitations for an @username not yet tied to a user id (bound when one is seen).
        CREATE INDEX invites_unbound ON invites (lower(target_username))
            WHERE target_person_id IS NULL AND used_at IS NULL;
        """,
    ),
    # --- issue 12 ---
    (
        "learning from corrections: corrections, model adaptations, uncertain categories",
        """
        -- Every correction is a labelled example for this deployment's model.
        CREATE TABLE classifier_corrections (
            id INTEGER PRIMARY KEY,
            subject TEXT NOT NULL,             -- 'm:<chat>:<message>' or 'r:<request>'
            building_id INTEGER,
            request_id INTEGER,
            author_id INTEGER,                 -- who wrote the text (for /forgetme)
            actor_id INTEGER,                  -- who corrected
            kind TEXT NOT NULL,                -- track, confirm, dismiss, category, urgent, ...
            text TEXT NOT NULL,
            is_request INTEGER,                -- NULL: this correction does not say
            category TEXT,
            urgent INTEGER,
            predicted TEXT NOT NULL DEFAULT '', -- what the classifier had said
            created_at INTEGER NOT NULL
        );
        CREATE INDEX classifier_corrections_subject ON classifier_corrections (subject, id);
        CREATE INDEX classifier_corrections_author ON classifier_corrections (author_id);

        -- Adaptations of the packaged model learned from corrections; one is active at most.
        CREATE TABLE classifier_adaptations (
            id INTEGER PRIMARY KEY,
            base_version TEXT NOT NULL,
            examples INTEGER NOT NULL,
            last_correction_id INTEGER NOT NULL,
            delta BLOB NOT NULL,
            report TEXT NOT NULL,              -- JSON: held-out figures before and after
            active INTEGER NOT NULL DEFAULT 0,
            created_at INTEGER NOT NULL,
            rolled_back_at INTEGER
        );
        CREATE INDEX classifier_adaptations_active ON classifier_adaptations (active, id);

        -- A second category the classifier found nearly as likely (the card asks).
        ALTER TABLE requests ADD COLUMN category_alternative TEXT;
        """,
    ),
    # --- issue 17 ---
    (
        "operations: indexes for `courtyard status` (failed sends, open requests)",
        """
        CREATE INDEX outbox_failed ON outbox (failed_at) WHERE failed_at IS NOT NULL;
        -- Open requests are few among many closed ones; the planner lists them every minute.
        CREATE INDEX requests_status ON requests (status);
        """,
    ),
    # --- issue 15 ---
    (
        "the three lists: needs, projects, meetings, decisions, histories, links, boards",
        """
        -- Residents' wishes and suggestions. `support` counts supporters (one per household
        -- when households are registered) so the board's "top needs" reads an index.
        CREATE TABLE needs (
            id INTEGER PRIMARY KEY,
            building_id INTEGER NOT NULL REFERENCES buildings (id) ON DELETE CASCADE,
            chat_id INTEGER,                   -- where its card is (NULL: not shown in a group)
            source_key TEXT NOT NULL UNIQUE,   -- 'chat:message' of the command, for replays
            card_message_id INTEGER,
            author_id INTEGER,
            text TEXT NOT NULL,
            public INTEGER NOT NULL DEFAULT 1, -- 0: proposed privately, text stays private
            status TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'forwarded', 'merged', 'declined', 'adopted')),
            support INTEGER NOT NULL DEFAULT 0,
            merged_into INTEGER,
            decline_reason TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE INDEX needs_top ON needs (building_id, status, support DESC, id);

        -- 'h<household id>' for a registered household, else 'p<person id>'.
        CREATE TABLE need_supporters (
            need_id INTEGER NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
            supporter_key TEXT NOT NULL,
            person_id INTEGER NOT NULL,
            added_at INTEGER NOT NULL,
            PRIMARY KEY (need_id, supporter_key)
        );

        CREATE TABLE projects (
            id INTEGER PRIMARY KEY,
            building_id INTEGER NOT NULL REFERENCES buildings (id) ON DELETE CASCADE,
            chat_id INTEGER,
            source_key TEXT NOT NULL UNIQUE,
            card_message_id INTEGER,
            title TEXT NOT NULL,
            owner_id INTEGER,
            budget_cents INTEGER CHECK (budget_cents >= 0),
            funding TEXT,
            target_date TEXT,                  -- local ISO date
            status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'voting',
                'approved', 'in_progress', 'done', 'declined', 'reopened')),
            percent INTEGER NOT NULL DEFAULT 0 CHECK (percent BETWEEN 0 AND 100),
            poll_id INTEGER,                   -- the poll deciding it (while 'voting')
            poll_result TEXT,                  -- the result attached when a poll moved it
            created_by INTEGER,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            done_at INTEGER,
            evaluation_round INTEGER NOT NULL DEFAULT 0,
            evaluation_closes_at INTEGER,      -- while residents rate it
            evaluation TEXT                    -- JSON: the last evaluation's counts and verdict
        );
        CREATE INDEX projects_building_status ON projects (building_id, status);
        CREATE INDEX projects_voting ON projects (poll_id) WHERE status = 'voting';
        CREATE INDEX projects_evaluation_due ON projects (evaluation_closes_at)
            WHERE evaluation_closes_at IS NOT NULL;

        CREATE TABLE project_photos (
            project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
            phase TEXT NOT NULL CHECK (phase IN ('before', 'after', 'progress')),
            file_id TEXT NOT NULL,
            file_unique_id TEXT NOT NULL,
            added_at INTEGER NOT NULL,
            PRIMARY KEY (project_id, file_unique_id)
        );

        -- Anonymous satisfaction: the key only keeps one answer per household (or person).
        CREATE TABLE project_ratings (
            project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
            round INTEGER NOT NULL,
            voter_key TEXT NOT NULL,
            score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 2),
            at INTEGER NOT NULL,
            PRIMARY KEY (project_id, round, voter_key)
        );

        -- The history of needs, projects, meetings and decisions (requests keep theirs).
        CREATE TABLE list_events (
            id INTEGER PRIMARY KEY,
            item_kind TEXT NOT NULL,
            item_id INTEGER NOT NULL,
            actor_id INTEGER,
            action TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            at INTEGER NOT NULL
        );
        CREATE INDEX list_events_item ON list_events (item_kind, item_id, id);
        CREATE INDEX list_events_at ON list_events (at);

        -- What came from what: need -> poll -> project -> requests, meeting -> decision ...
        CREATE TABLE list_links (
            from_kind TEXT NOT NULL,
            from_id INTEGER NOT NULL,
            to_kind TEXT NOT NULL,
            to_id INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (from_kind, from_id, to_kind, to_id)
        );
        CREATE INDEX list_links_to ON list_links (to_kind, to_id);

        CREATE TABLE meetings (
            id INTEGER PRIMARY KEY,
            building_id INTEGER NOT NULL REFERENCES buildings (id) ON DELETE CASCADE,
            chat_id INTEGER NOT NULL,          -- the group it is announced in
            source_key TEXT NOT NULL UNIQUE,
            message_id INTEGER,                -- the announcement with the RSVP buttons
            creator_id INTEGER NOT NULL,
            starts_at INTEGER NOT NULL,
            place TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'planned'
                CHECK (status IN ('planned', 'cancelled')),
            cancel_reason TEXT,
            attendance_count INTEGER,
            attendance_names TEXT,
            minutes_published_at INTEGER,
            next_reminder_at INTEGER,          -- NULL: no reminder left
            reminders_sent TEXT NOT NULL DEFAULT '[]',
            created_at INTEGER NOT NULL
        );
        CREATE INDEX meetings_reminder_due ON meetings (next_reminder_at)
            WHERE next_reminder_at IS NOT NULL;
        CREATE INDEX meetings_building ON meetings (building_id, starts_at);

        CREATE TABLE meeting_items (
            meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            title TEXT NOT NULL,
            ref_kind TEXT,                     -- 'need', 'request' or 'project'
            ref_id INTEGER,
            summary TEXT,
            PRIMARY KEY (meeting_id, position)
        );

        -- One answer per person; a household marked coming by a head has person_id = -household.
        CREATE TABLE meeting_rsvps (
            meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
            person_id INTEGER NOT NULL,
            answer TEXT NOT NULL CHECK (answer IN ('yes', 'no', 'maybe')),
            marked_by INTEGER,
            at INTEGER NOT NULL,
            PRIMARY KEY (meeting_id, person_id)
        );

        CREATE TABLE decisions (
            id INTEGER PRIMARY KEY,
            meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
            item_position INTEGER NOT NULL,
            building_id INTEGER NOT NULL,
            kind TEXT NOT NULL
                CHECK (kind IN ('project', 'poll', 'assign', 'close', 'decline', 'other')),
            text TEXT NOT NULL,
            votes_for INTEGER,
            votes_against INTEGER,
            owner_id INTEGER NOT NULL,
            due_at INTEGER NOT NULL,
            subject_kind TEXT,                 -- what it created or acted on
            subject_id INTEGER,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
            done_at INTEGER,
            next_ping_at INTEGER,              -- next reminder / overdue / escalation moment
            pings_sent TEXT NOT NULL DEFAULT '[]',
            escalated_at INTEGER,
            created_by INTEGER,
            created_at INTEGER NOT NULL,
            UNIQUE (meeting_id, item_position)
        );
        CREATE INDEX decisions_due ON decisions (next_ping_at) WHERE next_ping_at IS NOT NULL;
        CREATE INDEX decisions_building ON decisions (building_id, status, due_at);
        CREATE INDEX decisions_subject ON decisions (subject_kind, subject_id)
            WHERE status = 'open';

        -- The pinned board of each group; `dirty` until the message shows the latest state.
        CREATE TABLE boards (
            chat_id INTEGER PRIMARY KEY,
            building_id INTEGER NOT NULL REFERENCES buildings (id) ON DELETE CASCADE,
            enabled INTEGER NOT NULL DEFAULT 1,
            message_id INTEGER,
            pinned INTEGER NOT NULL DEFAULT 0,
            text_hash TEXT,
            dirty INTEGER NOT NULL DEFAULT 1,
            edited_at INTEGER,
            refresh_at INTEGER                 -- next re-render for time-dependent counts
        );
        CREATE INDEX boards_building ON boards (building_id);
        CREATE INDEX boards_refresh_due ON boards (refresh_at) WHERE enabled = 1;
        CREATE INDEX boards_dirty ON boards (chat_id) WHERE dirty = 1 AND enabled = 1;

        CREATE TABLE list_settings (
            building_id INTEGER PRIMARY KEY REFERENCES buildings (id) ON DELETE CASCADE,
            satisfaction_threshold INTEGER NOT NULL DEFAULT 60
                CHECK (satisfaction_threshold BETWEEN 1 AND 100),
            evaluation_days INTEGER NOT NULL DEFAULT 7 CHECK (evaluation_days BETWEEN 1 AND 60)
        );
        """,
    ),
    # --- issue 16 ---
    (
        "surveys with door-to-door coverage, and care check-ins",
        """
        -- A survey of one building; questions are JSON [{kind, text, options}].
        CREATE TABLE surveys (
            id INTEGER PRIMARY KEY,
            building_id INTEGER NOT NULL REFERENCES buildings (id) ON DELETE CASCADE,
            creator_id INTEGER,
            title TEXT NOT NULL,
            questions TEXT NOT NULL,
            per_household INTEGER NOT NULL DEFAULT 1,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
            opened_at INTEGER NOT NULL,
            closes_at INTEGER NOT NULL,
            closed_at INTEGER,
            announce_at INTEGER,                -- group announcement still to send
            reminders_sent INTEGER NOT NULL DEFAULT 0,
            close_note_at INTEGER,              -- closing note still to send
            next_due_at INTEGER                 -- earliest of the above; NULL: nothing left
        );
        CREATE INDEX surveys_due ON surveys (next_due_at) WHERE next_due_at IS NOT NULL;
        CREATE INDEX surveys_building ON surveys (building_id, id);

        -- One respondent: a household ('h<id>') or a person ('p<id>').
        CREATE TABLE survey_responses (
            id INTEGER PRIMARY KEY,
            survey_id INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
            respondent TEXT NOT NULL,
            household_id INTEGER REFERENCES households (id) ON DELETE SET NULL,
            person_id INTEGER,                  -- answered on Telegram (NULL: at the door)
            recorded_by INTEGER,                -- the volunteer who recorded it on a visit
            completed_at INTEGER,               -- reached the last question
            updated_at INTEGER NOT NULL,
            UNIQUE (survey_id, respondent)
        );
        CREATE INDEX survey_responses_household ON survey_responses (survey_id, household_id);
        CREATE INDEX survey_responses_person ON survey_responses (person_id);

        CREATE TABLE survey_answers (
            id INTEGER PRIMARY KEY,
            response_id INTEGER NOT NULL REFERENCES survey_responses (id) ON DELETE CASCADE,
            survey_id INTEGER NOT NULL,
            question INTEGER NOT NULL,
            choices TEXT,                       -- JSON list of option indexes
            rating INTEGER CHECK (rating BETWEEN 1 AND 5),
            text TEXT,
            at INTEGER NOT NULL,
            UNIQUE (response_id, question)
        );
        CREATE INDEX survey_answers_question ON survey_answers (survey_id, question);

        CREATE TABLE survey_visits (
            id INTEGER PRIMARY KEY,
            survey_id INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
            household_id INTEGER NOT NULL REFERENCES households (id) ON DELETE CASCADE,
            outcome TEXT NOT NULL CHECK (outcome IN ('answered', 'nobody_home', 'declined')),
            visitor_id INTEGER,
            visited_on TEXT NOT NULL,           -- local date
            at INTEGER NOT NULL
        );
        CREATE INDEX survey_visits_household ON survey_visits (survey_id, household_id, id);

        -- Suggestions a head sent on to the needs list or the problems list.
        CREATE TABLE survey_followups (
            id INTEGER PRIMARY KEY,
            survey_id INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
            question INTEGER NOT NULL,
            answer_id INTEGER NOT NULL,         -- the group's representative answer
            target TEXT NOT NULL CHECK (target IN ('need', 'request')),
            target_id INTEGER,                  -- the need or request created
            summary TEXT NOT NULL,
            households INTEGER NOT NULL,
            created_by INTEGER NOT NULL,
            at INTEGER NOT NULL,
            UNIQUE (survey_id, answer_id, target)
        );

        -- The care list. Nothing here is ever shown in a group.
        CREATE TABLE care_enrolments (
            id INTEGER PRIMARY KEY,
            building_id INTEGER NOT NULL REFERENCES buildings (id) ON DELETE CASCADE,
            person_id INTEGER REFERENCES people (id) ON DELETE CASCADE,  -- NULL: not on Telegram
            name TEXT NOT NULL,
            flat TEXT,
            consent TEXT NOT NULL CHECK (consent IN ('self', 'family', 'spoken')),
            consent_by INTEGER NOT NULL,
            consent_note TEXT,
            cadence_days INTEGER NOT NULL CHECK (cadence_days IN (1, 2, 3, 7)),
            check_time TEXT NOT NULL,           -- 'HH:MM', building time
            grace_minutes INTEGER NOT NULL,
            last_seen_at INTEGER,
            awaiting_since INTEGER,             -- the check-in not answered yet
            next_checkin_at INTEGER NOT NULL,
            missed_at INTEGER,                  -- when silence becomes an alert
            created_at INTEGER NOT NULL
        );
        CREATE UNIQUE INDEX care_enrolments_person ON care_enrolments (building_id, person_id)
            WHERE person_id IS NOT NULL;
        CREATE INDEX care_checkins_due ON care_enrolments (next_checkin_at);
        CREATE INDEX care_missed_due ON care_enrolments (missed_at) WHERE missed_at IS NOT NULL;

        CREATE TABLE care_carers (
            enrolment_id INTEGER NOT NULL REFERENCES care_enrolments (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
            relation TEXT NOT NULL CHECK (relation IN ('head', 'volunteer', 'relative')),
            PRIMARY KEY (enrolment_id, position),
            UNIQUE (enrolment_id, person_id)
        );
        CREATE INDEX care_carers_person ON care_carers (person_id);

        CREATE TABLE care_alerts (
            id INTEGER PRIMARY KEY,
            enrolment_id INTEGER NOT NULL REFERENCES care_enrolments (id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('missed', 'help')),
            since INTEGER NOT NULL,             -- the unanswered check-in, or the press
            step INTEGER NOT NULL DEFAULT 0,    -- rungs of the ladder alerted so far
            alerted TEXT NOT NULL DEFAULT '[]', -- JSON: everyone told so far, in order
            next_step_at INTEGER,               -- NULL: taken care of, or nobody left
            acknowledged_by INTEGER,
            handled_at INTEGER,
            handled_by INTEGER,
            opened_at INTEGER NOT NULL
        );
        CREATE INDEX care_alerts_due ON care_alerts (next_step_at) WHERE next_step_at IS NOT NULL;
        CREATE INDEX care_alerts_open ON care_alerts (enrolment_id) WHERE handled_at IS NULL;

        -- Counts for the weekly report: no names, no enrolment.
        CREATE TABLE care_events (
            id INTEGER PRIMARY KEY,
            building_id INTEGER NOT NULL REFERENCES buildings (id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            at INTEGER NOT NULL
        );
        CREATE INDEX care_events_building ON care_events (building_id, at);
        """,
    ),
    # --- issue 14b ---
    (
        "scale: each request's next due moment, open deliveries by person, history by time",
        """
        -- When the scheduler next needs the request (a ping, an escalation, the unrated close).
        -- Maintained on every state change; ticks read only `next_due_at <= now`. Existing
        -- rows get the earliest moment they could need (their cycle start, or when they were
        -- resolved): the first tick re-plans them once and stores the exact moment.
        ALTER TABLE requests ADD COLUMN next_due_at INTEGER;
        UPDATE requests SET next_due_at = coalesce(reopened_at, created_at)
            WHERE status IN ('new', 'assigned', 'in_progress', 'reopened')
            AND building_id IS NOT NULL;
        UPDATE requests SET next_due_at = coalesce(resolved_at, updated_at)
            WHERE status = 'resolved';
        CREATE INDEX requests_due ON requests (next_due_at) WHERE next_due_at IS NOT NULL;

        -- The digest reads each staff member's cards of open requests, not years of them:
        -- `request_open` follows the request's status (trigger below).
        ALTER TABLE request_deliveries ADD COLUMN request_open INTEGER NOT NULL DEFAULT 1;
        UPDATE request_deliveries SET request_open = 0 WHERE request_id IN
            (SELECT id FROM requests
             WHERE status NOT IN ('new', 'assigned', 'in_progress', 'reopened'));
        CREATE INDEX request_deliveries_open_person ON request_deliveries (person_id, request_id)
            WHERE request_open = 1;
        CREATE INDEX request_deliveries_failed ON request_deliveries (person_id)
            WHERE message_id IS NULL;
        CREATE TRIGGER request_deliveries_follow_status AFTER UPDATE OF status ON requests
        WHEN (OLD.status IN ('new', 'assigned', 'in_progress', 'reopened'))
            IS NOT (NEW.status IN ('new', 'assigned', 'in_progress', 'reopened'))
        BEGIN
            UPDATE request_deliveries
            SET request_open = NEW.status IN ('new', 'assigned', 'in_progress', 'reopened')
            WHERE request_id = NEW.id;
        END;
        CREATE TRIGGER request_deliveries_born_open AFTER INSERT ON request_deliveries
        BEGIN
            UPDATE request_deliveries SET request_open = coalesce((SELECT status IN
                ('new', 'assigned', 'in_progress', 'reopened') FROM requests
                WHERE id = NEW.request_id), 0)
            WHERE rowid = NEW.rowid;
        END;

        -- The weekly report, /summary and /export read one period, not all history.
        CREATE INDEX requests_building_created ON requests (building_id, created_at);
        CREATE INDEX requests_building_responded ON requests (building_id, responded_at)
            WHERE responded_at IS NOT NULL;
        CREATE INDEX requests_building_resolved ON requests (building_id, resolved_at)
            WHERE resolved_at IS NOT NULL;
        CREATE INDEX requests_building_closed ON requests (building_id, closed_at)
            WHERE closed_at IS NOT NULL;
        CREATE INDEX requests_created ON requests (created_at);
        """,
    ),
]
