"""The released schema steps of issues 11, 12, 17 and 15 (trust, then the features after)."""

from __future__ import annotations

ISSUES_11_TO_15_STEPS: list[tuple[str, str]] = [
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
]
