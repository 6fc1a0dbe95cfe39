"""The schema, as an append-only list of migration steps (never edit a released step)."""

from __future__ import annotations

from storage.schema_steps.foundation import FOUNDATION_STEPS
from storage.schema_steps.issues_11_to_15 import ISSUES_11_TO_15_STEPS

# Timestamps are integer Unix seconds (UTC); Telegram ids are INTEGER primary keys.
# The older released steps live in storage/schema_steps/ (moved, text unchanged); new steps
# are appended at the end of this list.
MIGRATIONS_SQL: list[tuple[str, str]] = [
    *FOUNDATION_STEPS,
    *ISSUES_11_TO_15_STEPS,
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
    # --- issue 14i ---
    (
        "the digest reads staff's delivered cards of open requests from one covering index",
        """
        -- The daily digest reads every staff member's cards of open requests (140,000 in a
        -- district) through this index alone, without a visit to each delivery's row; it
        -- replaces the index that covered only the first two columns.
        DROP INDEX request_deliveries_open_person;
        CREATE INDEX request_deliveries_open_sent
            ON request_deliveries (person_id, request_id, request_open, message_id)
            WHERE request_open = 1 AND message_id IS NOT NULL;
        """,
    ),
]
