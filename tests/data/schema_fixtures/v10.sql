-- Courtyard database at schema version 10, with sample data.
-- Made by tests/data/schema_fixtures/make_fixture.py; never edit or regenerate a
-- released version's fixture (see README.md beside it).
PRAGMA user_version = 10;
BEGIN TRANSACTION;
CREATE TABLE bot_state (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
INSERT INTO "bot_state" VALUES('next_update_offset','880003');
INSERT INTO "bot_state" VALUES('last_weekly_report','2026-11-23T01:00:00+00:00');
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
INSERT INTO "building_requests" VALUES(1,-1001234567890,'5号楼',700001,1793055600,'approved',700005,1793059200,1);
INSERT INTO "building_requests" VALUES(2,-1009876543210,'Block D',700003,1795644000,'rejected',NULL,1795647600,NULL);
INSERT INTO "building_requests" VALUES(3,-1009876543210,'Block D (east gate)',700003,1795647600,'pending',NULL,NULL,NULL);
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
        , public INTEGER NOT NULL DEFAULT 0);
INSERT INTO "buildings" VALUES(1,'5号楼','5号楼','zh','Asia/Shanghai','22:00','07:00',120,0,1,NULL,0,1793059200,1795392000,0);
INSERT INTO "buildings" VALUES(2,'Block C','block c','en',NULL,NULL,NULL,NULL,0,0,NULL,1,1793491200,1793491200,1);
CREATE TABLE chat_bots (
            chat_id INTEGER NOT NULL,
            bot_id INTEGER NOT NULL,
            PRIMARY KEY (chat_id, bot_id)
        );
INSERT INTO "chat_bots" VALUES(-1001234567890,5550001234);
INSERT INTO "chat_bots" VALUES(-1001234567890,5550005678);
CREATE TABLE chats (
            id INTEGER PRIMARY KEY,            -- Telegram chat id
            type TEXT NOT NULL CHECK (type IN ('private', 'group', 'supergroup', 'channel')),
            title TEXT,
            language TEXT CHECK (language IN ('zh', 'en')),
            active INTEGER NOT NULL DEFAULT 1,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        , building_id INTEGER
            REFERENCES buildings (id) ON DELETE SET NULL, greeted_at INTEGER, migrated_to INTEGER);
INSERT INTO "chats" VALUES(-1001234567890,'supergroup','5号楼邻里群','zh',1,1793059200,1793059200,1,1793059200,NULL);
INSERT INTO "chats" VALUES(-4000111222,'group','old group',NULL,0,1792195200,1793059200,NULL,NULL,-1001234567890);
INSERT INTO "chats" VALUES(700001,'private',NULL,'zh',1,1793059200,1793059200,NULL,NULL,NULL);
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
INSERT INTO "classifier_adaptations" VALUES(1,'47823131925e',2,2,X'504B030414000000080000002150B9A6F5A54C000000880000000B0000006275636B6574732E6E70799BEC17EA1B10C9C850C650AD9E925A9C5CA46EA5A06E9369A2AEA3A09E965F54529498179F5F94920A12774BCC294E058A17672416A402F91A463A9A3A0AB50A1400AE8D2C0C0C094A0C0C00504B03041400000008000000215099D816BAAC000000F00000000B000000776569676874732E6E70799BEC17EA1B10C9C850C650AD9E925A9C5CA46EA5A06E9366A2AEA3A09E965F54529498179F5F94920A12774BCC294E058A17672416A402F91A463A0A86269A3A0AB50AE4022E0686867DD59CB9FBBE0B45ED2B9271DFF756D5645F86BEE2BE27167CFBF6B57CDBBB65FA85BDAB57ADDABB706FCB5EFD85B67B2DFB1EEF51DB220EC23640B60D50CC1628670B54630B546B0BD4630BD46B0734C30E68961DD04C3BA0D976403BEC8076D90100504B0304140000000800000021506E8E6C453B000000400000000D0000006D657461646174612E6A736F6EABE652504A4A2C4E55B252503231B73032363436B434324D55D2014AA4A526969416A51603250D41FCB2D4A2E2CCFC3C90DA4443DD642325AE5A00504B0102140314000000080000002150B9A6F5A54C000000880000000B00000000000000000000008001000000006275636B6574732E6E7079504B010214031400000008000000215099D816BAAC000000F00000000B0000000000000000000000800175000000776569676874732E6E7079504B01021403140000000800000021506E8E6C453B000000400000000D000000000000000000000080014A0100006D657461646174612E6A736F6E504B05060000000003000300AD000000B00100000000','{"held_out_after": {"examples": 2, "false": 0, "right": 1}, "held_out_before": {"examples": 2, "false": 1, "right": 1}, "version": "a1-c2"}',0,1795654800,1795658400);
INSERT INTO "classifier_adaptations" VALUES(2,'47823131925e',3,3,X'504B030414000000080000002150BD1C676E500000008C0000000B0000006275636B6574732E6E70799BEC17EA1B10C9C850C650AD9E925A9C5CA46EA5A06E9369A2AEA3A09E965F54529498179F5F94920A12774BCC294E058A17672416A402F91AC63A9A3A0AB50A1400AE8D2C0C0C094A0C0C8BAD181800504B0304140000000800000021501E29DC6DE1000000280100000B000000776569676874732E6E70799BEC17EA1B10C9C850C650AD9E925A9C5CA46EA5A06E9366A2AEA3A09E965F54529498179F5F94920A12774BCC294E058A17672416A402F91AC63A0A86269A3A0AB50AE4022E0686867DF2CDC5FBECD8D2F7C57546EDABE5F1DB37A7DF71DF6E21D37DB7A76AECFB2521B34F720EFF3E0B79E67DEB5DDEEE7DEB7565AF4EE0EEBD59E18BF6AE8CEDDC7BEE78C25EEF2B7A7B271CFCB9A7F3D6D43D3CE78EEF06626B20DB0628660394B305AAB105AAB505EAB105EAB5059A610B34CB1668A61DD06C3BA01D7640BBEC8076DA01EDB603BAC10EE8163BA09BEC806EB303BAD10E00504B03041400000008000000215096F338CC3B000000400000000D0000006D657461646174612E6A736F6EABE652504A4A2C4E55B252503231B73032363436B434324D55D2014AA4A526969416A51603250D41FCB2D4A2E2CCFC3C90DA4423DD646325AE5A00504B0102140314000000080000002150BD1C676E500000008C0000000B00000000000000000000008001000000006275636B6574732E6E7079504B01021403140000000800000021501E29DC6DE1000000280100000B0000000000000000000000800179000000776569676874732E6E7079504B010214031400000008000000215096F338CC3B000000400000000D00000000000000000000008001830100006D657461646174612E6A736F6E504B05060000000003000300AD000000E90100000000','{"held_out_after": {"examples": 3, "false": 0, "right": 3}, "held_out_before": {"examples": 3, "false": 1, "right": 2}, "version": "a2-c3"}',1,1795658460,NULL);
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
INSERT INTO "classifier_corrections" VALUES(1,'r:2',1,2,700003,700005,'category','The lift in unit 2 makes a grinding noise',1,'elevator',0,'noise',1795309200);
INSERT INTO "classifier_corrections" VALUES(2,'m:-1001234567890:45',1,NULL,700003,700001,'dismissed','water everywhere in unit 3 stairs',0,NULL,0,'borderline',1795651500);
INSERT INTO "classifier_corrections" VALUES(3,'r:1',1,1,700002,700004,'urgent','3单元的水管爆了，楼道里全是水！',1,'water',1,'',1795651560);
CREATE TABLE conversations (
            person_id INTEGER PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL DEFAULT '{}',   -- JSON
            expires_at INTEGER NOT NULL
        );
INSERT INTO "conversations" VALUES(700003,'join','{"building_id": 1}',1795654800);
CREATE TABLE household_members (
            household_id INTEGER NOT NULL REFERENCES households (id) ON DELETE CASCADE,
            person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
            status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
            requested_at INTEGER NOT NULL,
            decided_by INTEGER,
            decided_at INTEGER, heads_asked_at INTEGER,
            PRIMARY KEY (household_id, person_id)
        );
INSERT INTO "household_members" VALUES(1,700002,'approved',1794787200,700001,1794790800,1794787200);
INSERT INTO "household_members" VALUES(1,700003,'pending',1795564800,NULL,NULL,1795564805);
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
INSERT INTO "households" VALUES(1,1,'3','502','3-502',NULL,700002,1794787200);
INSERT INTO "households" VALUES(2,1,'1','101','1-101','王奶奶 138****1234',700001,1794873600);
CREATE TABLE inbox (
            update_id INTEGER PRIMARY KEY,
            payload TEXT NOT NULL,
            received_at INTEGER NOT NULL,
            handled_at INTEGER
        , arrived_after INTEGER);
INSERT INTO "inbox" VALUES(880001,'{"update_id": 880001, "message": {"message_id": 41, "text": "3单元的水管爆了"}}',1795651200,1795651201,1795651170);
INSERT INTO "inbox" VALUES(880002,'{"update_id": 880002, "message": {"message_id": 42}}',1795651260,NULL,1795651255);
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
INSERT INTO "invites" VALUES('inv-7Gq2xPz','staff',1,NULL,'new_plumber','water',1,700001,1795564800,1796169600,NULL,NULL);
CREATE TABLE journal (
            scope TEXT NOT NULL,               -- 'u<update id>' or a piece of work
            step TEXT NOT NULL,
            chat_id INTEGER,                   -- where a recorded message went
            value TEXT NOT NULL,               -- JSON
            at INTEGER NOT NULL,
            PRIMARY KEY (scope, step)
        );
INSERT INTO "journal" VALUES('u880002','sendMessage:-1001234567890:49148e62ca28aa19#0',-1001234567890,'{"message_id": 44, "date": 1795651261, "chat": {"id": -1001234567890, "type": "supergroup"}}',1795651261);
INSERT INTO "journal" VALUES('request:1:card','sendMessage:-1001234567890#0',-1001234567890,'{"message_id": 43, "date": 1795651201, "chat": {"id": -1001234567890, "type": "supergroup"}}',1795651201);
INSERT INTO "journal" VALUES('request:1:staff:700004','sendMessage:700004#0',700004,'{"message_id": 901, "date": 1795651202, "chat": {"id": 700004, "type": "private"}}',1795651202);
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
        , photo BLOB);
INSERT INTO "outbox" VALUES(1,'digest|700004|2026-11-26|1',700004,'您有 1 个待处理的报修：
#1 水管爆了（紧急）','{"inline_keyboard": [[{"text": "处理中", "callback_data": "req:1:start"}]]}',NULL,-1001234567890,'@zhang_fix 请查看私信',1795654800,1795654820,2,NULL,NULL,'Timed out',NULL);
INSERT INTO "outbox" VALUES(2,'weekly|2026-W48|-1001234567890|chart',-1001234567890,'本周报告',NULL,NULL,NULL,NULL,1795564800,1795564800,1,1795564803,NULL,NULL,X'89504E470D0A1A0A0000000D49484452000000010000000108060000001F15C4890000000D49444154789C6360000002000154A24F5D0000000049454E44AE426082');
INSERT INTO "outbox" VALUES(3,'ping|3|respond-overdue|700005',700005,'#3 已超时',NULL,NULL,NULL,NULL,1795478400,1795478400,1,NULL,1795478401,'Forbidden: bot was blocked by the user',NULL);
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
        , phone TEXT, forgotten_at INTEGER);
INSERT INTO "people" VALUES(700001,'王','建国','wang_head','zh-hans','zh',1793059200,NULL,1793059200,1795564800,'+8613800138000',NULL);
INSERT INTO "people" VALUES(700002,'李','娜',NULL,'zh-hans',NULL,1794787200,NULL,1794787200,1794787200,NULL,NULL);
INSERT INTO "people" VALUES(700003,'Emma','Schulz','emma_s','en','en',NULL,NULL,1795219200,1795219200,NULL,NULL);
INSERT INTO "people" VALUES(700004,'张','师傅','zhang_fix','zh-hans',NULL,1793923200,NULL,1793923200,1793923200,NULL,NULL);
INSERT INTO "people" VALUES(700005,'物业','赵经理','pm_zhao','zh-hans',NULL,1793923200,1795478400,1793923200,1795478400,NULL,NULL);
CREATE TABLE poll_votes (
            poll_id INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
            voter_id INTEGER NOT NULL,           -- negative: a household voted for by proxy
            household_id INTEGER,
            choices TEXT NOT NULL,               -- JSON list of option indexes
            cast_at_us INTEGER NOT NULL,         -- microseconds: the latest ballot wins
            proxy_by INTEGER,
            PRIMARY KEY (poll_id, voter_id)
        );
INSERT INTO "poll_votes" VALUES(1,700002,1,'[0]',1795647600123456,NULL);
INSERT INTO "poll_votes" VALUES(1,-2,2,'[1]',1795647600500000,700001);
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
            created_at INTEGER NOT NULL, eligible_households TEXT, household_total INTEGER,
            UNIQUE (chat_id, source_message_id)
        );
INSERT INTO "polls" VALUES(1,1,-1001234567890,60,61,700001,'空地改成小花园？','{"options": [{"default": "for"}, {"default": "against"}, {"default": "abstain"}], "secret": false, "per_household": true, "multi": false, "quorum": {"share": "1/2"}, "pass": {"share": "2/3", "strict": false}}',1795824000,'open',NULL,NULL,NULL,'[24]',1795564800,'[1, 2]',120);
INSERT INTO "polls" VALUES(2,1,-1001234567890,20,21,700001,'Which topic next month?','{"options": [{"label": "Parking"}, {"label": "Garden"}], "secret": false, "per_household": false, "multi": true, "quorum": null, "pass": {"share": "1/2", "strict": true}}',1795219200,'closed',1795219200,NULL,'{"counts": [3, 5], "voters": 7}','[1, 24]',1795046400,NULL,NULL);
CREATE TABLE request_deliveries (
            request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
            person_id INTEGER NOT NULL,
            message_id INTEGER,
            failure TEXT,
            at INTEGER NOT NULL,
            PRIMARY KEY (request_id, person_id)
        );
INSERT INTO "request_deliveries" VALUES(1,700004,901,NULL,1795651200);
INSERT INTO "request_deliveries" VALUES(3,700005,NULL,'Forbidden: bot was blocked by the user',1795478400);
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
INSERT INTO "request_events" VALUES(1,1,700002,'report',NULL,'new','',1795651200);
INSERT INTO "request_events" VALUES(2,1,700004,'start','new','in_progress','马上到',1795651500);
INSERT INTO "request_events" VALUES(3,2,700005,'resolve','assigned','resolved','更换了导轨滑块',1795478400);
CREATE TABLE request_photos (
            request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
            file_id TEXT NOT NULL,
            file_unique_id TEXT NOT NULL,
            added_at INTEGER NOT NULL,
            PRIMARY KEY (request_id, file_unique_id)
        );
INSERT INTO "request_photos" VALUES(1,'AgACAgUAAxkBAAIBQ2Z','AQADx7oxG',1795651200);
CREATE TABLE request_supporters (
            request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
            person_id INTEGER NOT NULL,
            household_id INTEGER,
            added_at INTEGER NOT NULL,
            PRIMARY KEY (request_id, person_id)
        );
INSERT INTO "request_supporters" VALUES(1,700002,1,1795651200);
INSERT INTO "request_supporters" VALUES(1,700003,NULL,1795651320);
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
        , intake_update_id INTEGER, routed_at INTEGER, category_alternative TEXT);
INSERT INTO "requests" VALUES(1,1,-1001234567890,41,-1001234567890,43,700002,'water',1,'3单元','3单元的水管爆了，楼道里全是水！','in_progress',700004,1,1,NULL,NULL,NULL,NULL,NULL,1795651200,1795651800,1795651500,NULL,NULL,NULL,NULL,880001,1795651202,NULL);
INSERT INTO "requests" VALUES(2,1,-1001234567890,77,NULL,NULL,700003,'elevator',0,NULL,'The lift in unit 2 makes a grinding noise','resolved',700005,2,1,'更换了导轨滑块',NULL,NULL,1,5,1795305600,1795478400,1795312800,1795478400,NULL,NULL,NULL,NULL,1795305601,'noise');
INSERT INTO "requests" VALUES(3,1,NULL,NULL,NULL,NULL,700002,'noise',0,NULL,'楼上每天半夜装修，电钻声很大','new',NULL,NULL,0,NULL,NULL,NULL,NULL,NULL,1795392000,1795392000,NULL,NULL,NULL,NULL,1795478400,NULL,1795392001,NULL);
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
INSERT INTO "role_events" VALUES(1,1,700004,'zhang_fix','staff','add','water,heating L1',700001,1793923200);
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
INSERT INTO "roles" VALUES(1,1,700001,'head','',NULL,0,NULL,1793059200);
INSERT INTO "roles" VALUES(2,1,700004,'staff','water,heating',1,0,700001,1793923200);
INSERT INTO "roles" VALUES(3,1,700005,'staff','*',2,1,NULL,1793923200);
CREATE TABLE sent_pings (
            dedup_key TEXT PRIMARY KEY,
            request_id INTEGER,
            at INTEGER NOT NULL
        );
INSERT INTO "sent_pings" VALUES('ping|3|respond-overdue|700005',3,1795478400);
CREATE TABLE staff_settings (
            person_id INTEGER PRIMARY KEY,
            digest_time TEXT,                   -- 'HH:MM'; NULL = the configured default
            digest_paused INTEGER NOT NULL DEFAULT 0,
            last_digest_on TEXT                 -- local date of the last digest
        );
INSERT INTO "staff_settings" VALUES(700004,'08:30',0,'2026-11-25');
INSERT INTO "staff_settings" VALUES(700005,NULL,1,NULL);
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
INSERT INTO "suggestions" VALUES(1,'duplicate',-1001234567890,45,700003,1,'water everywhere in unit 3 stairs',NULL,NULL,1,46,1795651300,NULL);
CREATE INDEX people_username ON people (lower(username));
CREATE INDEX inbox_unhandled ON inbox (update_id) WHERE handled_at IS NULL;
CREATE INDEX chats_building ON chats (building_id);
CREATE INDEX roles_person ON roles (person_id);
CREATE INDEX household_members_person ON household_members (person_id);
CREATE UNIQUE INDEX requests_source ON requests (chat_id, source_message_id)
            WHERE source_message_id IS NOT NULL;
CREATE INDEX requests_building_status ON requests (building_id, status);
CREATE INDEX requests_assignee ON requests (assignee_id, status);
CREATE INDEX request_events_request ON request_events (request_id, id);
CREATE INDEX polls_open ON polls (status, closes_at);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL
            AND failed_at IS NULL;
CREATE INDEX outbox_pending_by_chat ON outbox (chat_id, id) WHERE sent_at IS NULL
            AND failed_at IS NULL;
CREATE INDEX journal_at ON journal (at);
CREATE INDEX journal_chat ON journal (chat_id) WHERE chat_id IS NOT NULL;
CREATE UNIQUE INDEX requests_intake ON requests (intake_update_id)
            WHERE intake_update_id IS NOT NULL;
CREATE INDEX requests_unfinished ON requests (id)
            WHERE routed_at IS NULL OR (chat_id IS NOT NULL AND card_message_id IS NULL);
CREATE UNIQUE INDEX building_requests_pending ON building_requests (chat_id)
            WHERE status = 'pending';
CREATE INDEX invites_unbound ON invites (lower(target_username))
            WHERE target_person_id IS NULL AND used_at IS NULL;
CREATE INDEX classifier_corrections_subject ON classifier_corrections (subject, id);
CREATE INDEX classifier_corrections_author ON classifier_corrections (author_id);
CREATE INDEX classifier_adaptations_active ON classifier_adaptations (active, id);
COMMIT;
