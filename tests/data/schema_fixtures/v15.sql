-- Courtyard database at schema version 15, with sample data.
-- Made by tests/data/schema_fixtures/make_fixture.py; never edit or regenerate a
-- released version's fixture (see README.md beside it).
PRAGMA user_version = 15;
BEGIN TRANSACTION;
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
INSERT INTO "boards" VALUES(-1001234567890,1,1,99,1,'1f130bb5231407eb316268a80b4768e1',0,1795564800,1795708800);
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
INSERT INTO "care_alerts" VALUES(1,2,'help',1795316400,1,'[700004]',NULL,700004,1795317600,700004,1795316400);
INSERT INTO "care_alerts" VALUES(2,2,'missed',1795388400,1,'[700004]',NULL,NULL,1795396500,700004,1795395600);
CREATE TABLE care_carers (
            enrolment_id INTEGER NOT NULL REFERENCES care_enrolments (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
            relation TEXT NOT NULL CHECK (relation IN ('head', 'volunteer', 'relative')),
            PRIMARY KEY (enrolment_id, position),
            UNIQUE (enrolment_id, person_id)
        );
INSERT INTO "care_carers" VALUES(1,0,700001,'head');
INSERT INTO "care_carers" VALUES(1,1,700004,'volunteer');
INSERT INTO "care_carers" VALUES(2,0,700004,'volunteer');
INSERT INTO "care_carers" VALUES(2,1,700001,'head');
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
INSERT INTO "care_enrolments" VALUES(1,1,NULL,'王奶奶','1-101','spoken',700001,'11月20日上门时本人口头同意',1,'07:30',120,1795565400,1795649400,1795735800,1795656600,1795132800);
INSERT INTO "care_enrolments" VALUES(2,1,700003,'Emma Schulz','3-502','self',700003,NULL,2,'07:00',120,1795561800,NULL,1795734000,NULL,1795219200);
CREATE TABLE care_events (
            id INTEGER PRIMARY KEY,
            building_id INTEGER NOT NULL REFERENCES buildings (id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            at INTEGER NOT NULL
        );
INSERT INTO "care_events" VALUES(1,1,'enrolled',1795132800);
INSERT INTO "care_events" VALUES(2,1,'enrolled',1795219200);
INSERT INTO "care_events" VALUES(3,1,'help',1795316400);
INSERT INTO "care_events" VALUES(4,1,'handled',1795317600);
INSERT INTO "care_events" VALUES(5,1,'asked',1795388400);
INSERT INTO "care_events" VALUES(6,1,'missed',1795395600);
INSERT INTO "care_events" VALUES(7,1,'handled',1795396500);
INSERT INTO "care_events" VALUES(8,1,'seen',1795396500);
INSERT INTO "care_events" VALUES(9,1,'asked',1795561200);
INSERT INTO "care_events" VALUES(10,1,'fine',1795561800);
INSERT INTO "care_events" VALUES(11,1,'asked',1795563000);
INSERT INTO "care_events" VALUES(12,1,'seen',1795565400);
INSERT INTO "care_events" VALUES(13,1,'asked',1795649400);
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
INSERT INTO "decisions" VALUES(1,1,1,1,'project','2单元楼道粉刷，由物业负责，月底前完成',12,1,700005,1796050800,'project',2,'done',1795392000,NULL,'[]',NULL,700001,1795179600);
INSERT INTO "decisions" VALUES(2,1,2,1,'poll','车棚位置下月在群里投票决定 (vote on the bike shelter site next month)',NULL,NULL,700001,1796389200,NULL,NULL,'open',NULL,1796086800,'[]',NULL,700001,1795179600);
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
CREATE TABLE list_events (
            id INTEGER PRIMARY KEY,
            item_kind TEXT NOT NULL,
            item_id INTEGER NOT NULL,
            actor_id INTEGER,
            action TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            at INTEGER NOT NULL
        );
INSERT INTO "list_events" VALUES(1,'need',1,700002,'propose','',1794960000);
INSERT INTO "list_events" VALUES(2,'need',2,700003,'propose','',1795046400);
INSERT INTO "list_events" VALUES(3,'need',3,700002,'propose','',1795050000);
INSERT INTO "list_events" VALUES(4,'need',4,700001,'propose','',1795132800);
INSERT INTO "list_events" VALUES(5,'need',4,700001,'merged','N2',1795136400);
INSERT INTO "list_events" VALUES(6,'need',2,700001,'merged_in','N4',1795136400);
INSERT INTO "list_events" VALUES(7,'meeting',1,700001,'call','5号楼一层活动室',1794873600);
INSERT INTO "list_events" VALUES(8,'decision',1,700001,'decide','2单元楼道粉刷，由物业负责，月底前完成',1795179600);
INSERT INTO "list_events" VALUES(9,'decision',2,700001,'decide','车棚位置下月在群里投票决定 (vote on the bike shelter site next month)',1795179600);
INSERT INTO "list_events" VALUES(10,'need',2,700001,'decision','M1/D2: 车棚位置下月在群里投票决定 (vote on the bike shelter site next month)',1795179600);
INSERT INTO "list_events" VALUES(11,'project',2,700001,'planned','',1795179660);
INSERT INTO "list_events" VALUES(12,'project',2,700005,'photo','before',1795183200);
INSERT INTO "list_events" VALUES(13,'meeting',1,700001,'attendance','14',1795219200);
INSERT INTO "list_events" VALUES(14,'meeting',1,700001,'minutes','1: 物业负责粉刷，月底前完成',1795219200);
INSERT INTO "list_events" VALUES(15,'meeting',1,700001,'publish','',1795219260);
INSERT INTO "list_events" VALUES(16,'need',3,700001,'declined','物业已于本周换成感应灯',1795305600);
INSERT INTO "list_events" VALUES(17,'project',2,700005,'progress','50% · 已刷完一至三层',1795305600);
INSERT INTO "list_events" VALUES(18,'project',1,700001,'planned','',1795392000);
INSERT INTO "list_events" VALUES(19,'need',1,700001,'adopted','PJ1',1795392000);
INSERT INTO "list_events" VALUES(20,'project',1,700004,'photo','before',1795395600);
INSERT INTO "list_events" VALUES(21,'project',2,700005,'done','',1795392000);
INSERT INTO "list_events" VALUES(22,'decision',1,NULL,'done','PJ2',1795392000);
INSERT INTO "list_events" VALUES(23,'meeting',3,700001,'cancel','台风预警，会议改期',1795392000);
INSERT INTO "list_events" VALUES(24,'need',5,700001,'propose','',1795478400);
INSERT INTO "list_events" VALUES(25,'project',1,700001,'voting','#P1',1795564800);
INSERT INTO "list_events" VALUES(26,'project',3,NULL,'evaluation_reopened','25% / 60%',1794528000);
CREATE TABLE list_links (
            from_kind TEXT NOT NULL,
            from_id INTEGER NOT NULL,
            to_kind TEXT NOT NULL,
            to_id INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (from_kind, from_id, to_kind, to_id)
        );
INSERT INTO "list_links" VALUES('need',4,'need',2,1795136400);
INSERT INTO "list_links" VALUES('meeting',1,'decision',1,1795179600);
INSERT INTO "list_links" VALUES('meeting',1,'decision',2,1795179600);
INSERT INTO "list_links" VALUES('need',2,'decision',2,1795179600);
INSERT INTO "list_links" VALUES('decision',1,'project',2,1795179660);
INSERT INTO "list_links" VALUES('need',1,'project',1,1795392000);
INSERT INTO "list_links" VALUES('project',1,'poll',1,1795564800);
CREATE TABLE list_settings (
            building_id INTEGER PRIMARY KEY REFERENCES buildings (id) ON DELETE CASCADE,
            satisfaction_threshold INTEGER NOT NULL DEFAULT 60
                CHECK (satisfaction_threshold BETWEEN 1 AND 100),
            evaluation_days INTEGER NOT NULL DEFAULT 7 CHECK (evaluation_days BETWEEN 1 AND 60)
        );
INSERT INTO "list_settings" VALUES(1,70,7);
CREATE TABLE meeting_items (
            meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            title TEXT NOT NULL,
            ref_kind TEXT,                     -- 'need', 'request' or 'project'
            ref_id INTEGER,
            summary TEXT,
            PRIMARY KEY (meeting_id, position)
        );
INSERT INTO "meeting_items" VALUES(1,1,'2单元楼道粉刷',NULL,NULL,'物业负责粉刷，月底前完成');
INSERT INTO "meeting_items" VALUES(1,2,'Bike shelter near unit 2','need',2,'位置有争议，下月投票');
INSERT INTO "meeting_items" VALUES(2,1,'小花园方案','project',1,NULL);
INSERT INTO "meeting_items" VALUES(2,2,'Night parking in the fire lane',NULL,NULL,NULL);
INSERT INTO "meeting_items" VALUES(3,1,'电梯维保合同续签','request',2,NULL);
CREATE TABLE meeting_rsvps (
            meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
            person_id INTEGER NOT NULL,
            answer TEXT NOT NULL CHECK (answer IN ('yes', 'no', 'maybe')),
            marked_by INTEGER,
            at INTEGER NOT NULL,
            PRIMARY KEY (meeting_id, person_id)
        );
INSERT INTO "meeting_rsvps" VALUES(2,700002,'yes',NULL,1795568400);
INSERT INTO "meeting_rsvps" VALUES(2,700003,'maybe',NULL,1795650000);
INSERT INTO "meeting_rsvps" VALUES(2,700004,'no',NULL,1795650600);
INSERT INTO "meeting_rsvps" VALUES(2,-2,'yes',700001,1795650900);
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
INSERT INTO "meetings" VALUES(1,1,-1001234567890,'-1001234567890:52',53,700001,1795172400,'5号楼一层活动室','planned',NULL,14,'王建国、李娜、张师傅、Emma Schulz 等',1795219260,NULL,'[1, 24]',1794873600);
INSERT INTO "meetings" VALUES(2,1,-1001234567890,'private:700001:140',70,700001,1795950000,'小区南门凉亭 (south gate pavilion)','planned',NULL,NULL,NULL,NULL,1795863600,'[]',1795564800);
INSERT INTO "meetings" VALUES(3,1,-1001234567890,'-1001234567890:68',69,700001,1795518000,'5号楼一层活动室','cancelled','台风预警，会议改期',NULL,NULL,NULL,NULL,'[]',1795219200);
CREATE TABLE need_supporters (
            need_id INTEGER NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
            supporter_key TEXT NOT NULL,
            person_id INTEGER NOT NULL,
            added_at INTEGER NOT NULL,
            PRIMARY KEY (need_id, supporter_key)
        );
INSERT INTO "need_supporters" VALUES(1,'h1',700002,1794960000);
INSERT INTO "need_supporters" VALUES(1,'p700003',700003,1794963600);
INSERT INTO "need_supporters" VALUES(2,'p700003',700003,1795046400);
INSERT INTO "need_supporters" VALUES(3,'h1',700002,1795050000);
INSERT INTO "need_supporters" VALUES(4,'p700001',700001,1795132800);
INSERT INTO "need_supporters" VALUES(2,'p700001',700001,1795132800);
INSERT INTO "need_supporters" VALUES(5,'p700001',700001,1795478400);
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
INSERT INTO "needs" VALUES(1,1,-1001234567890,'-1001234567890:55',56,700002,'希望把楼下空地改成小花园，给老人孩子一个休息的地方',1,'adopted',2,NULL,NULL,1794960000,1795392000);
INSERT INTO "needs" VALUES(2,1,-1001234567890,'-1001234567890:58',59,700003,'Please add a covered bike shelter near unit 2',1,'forwarded',2,NULL,NULL,1795046400,1795179600);
INSERT INTO "needs" VALUES(3,1,NULL,'700002:88',NULL,700002,'楼道灯晚上太暗了，老人上下楼不安全',0,'declined',1,NULL,'物业已于本周换成感应灯',1795050000,1795305600);
INSERT INTO "needs" VALUES(4,1,-1001234567890,'-1001234567890:64',65,700001,'楼下想要一个自行车棚',1,'merged',1,2,NULL,1795132800,1795136400);
INSERT INTO "needs" VALUES(5,1,NULL,'survey:1:6',NULL,700001,'希望增加电动车充电桩，方便老人的代步车',0,'open',1,NULL,NULL,1795478400,1795478400);
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
CREATE TABLE project_photos (
            project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
            phase TEXT NOT NULL CHECK (phase IN ('before', 'after', 'progress')),
            file_id TEXT NOT NULL,
            file_unique_id TEXT NOT NULL,
            added_at INTEGER NOT NULL,
            PRIMARY KEY (project_id, file_unique_id)
        );
INSERT INTO "project_photos" VALUES(2,'before','AgACAgUAAxkBAAIBZ1Y','AQADy1pxG',1795183200);
INSERT INTO "project_photos" VALUES(2,'after','AgACAgUAAxkBAAIBaGE','AQADz8qxG',1795392000);
INSERT INTO "project_photos" VALUES(1,'before','AgACAgUAAxkBAAIBcXo','AQADa3rxG',1795395600);
CREATE TABLE project_ratings (
            project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
            round INTEGER NOT NULL,
            voter_key TEXT NOT NULL,
            score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 2),
            at INTEGER NOT NULL,
            PRIMARY KEY (project_id, round, voter_key)
        );
INSERT INTO "project_ratings" VALUES(2,1,'h1',2,1795478400);
INSERT INTO "project_ratings" VALUES(2,1,'p700003',1,1795564800);
INSERT INTO "project_ratings" VALUES(3,1,'p700003',2,1794009600);
INSERT INTO "project_ratings" VALUES(3,1,'p700001',0,1794096000);
INSERT INTO "project_ratings" VALUES(3,1,'p700004',0,1794096000);
INSERT INTO "project_ratings" VALUES(3,1,'p700005',0,1794355200);
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
INSERT INTO "projects" VALUES(1,1,-1001234567890,'-1001234567890:66',67,'空地改造小花园',700004,1200000,'公共收益','2027-04-30','voting',0,1,NULL,700001,1795392000,1795564800,NULL,0,NULL,NULL);
INSERT INTO "projects" VALUES(2,1,-1001234567890,'decision:1:1',81,'2单元楼道粉刷',700005,350000,'物业费','2026-11-30','done',100,NULL,NULL,700001,1795179660,1795392000,1795392000,1,1795996800,NULL);
INSERT INTO "projects" VALUES(3,2,NULL,'700001:130',NULL,'New bike racks by the east gate',700003,80000,'residents'' fund',NULL,'reopened',100,NULL,'{"poll": 2, "counts": [3, 5], "passed": null}',700001,1793491200,1794528000,1793923200,1,NULL,'{"round": 1, "satisfied": 1, "fairly_satisfied": 0, "dissatisfied": 3, "threshold": 60, "percent": 25, "verdict": "reopened"}');
CREATE TABLE request_deliveries (
            request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
            person_id INTEGER NOT NULL,
            message_id INTEGER,
            failure TEXT,
            at INTEGER NOT NULL, request_open INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (request_id, person_id)
        );
INSERT INTO "request_deliveries" VALUES(1,700004,901,NULL,1795651200,0);
INSERT INTO "request_deliveries" VALUES(3,700005,NULL,'Forbidden: bot was blocked by the user',1795478400,0);
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
        , intake_update_id INTEGER, routed_at INTEGER, category_alternative TEXT, next_due_at INTEGER);
INSERT INTO "requests" VALUES(1,1,-1001234567890,41,-1001234567890,43,700002,'water',1,'3单元','3单元的水管爆了，楼道里全是水！','in_progress',700004,1,1,NULL,NULL,NULL,NULL,NULL,1795651200,1795651800,1795651500,NULL,NULL,NULL,NULL,880001,1795651202,NULL,NULL);
INSERT INTO "requests" VALUES(2,1,-1001234567890,77,NULL,NULL,700003,'elevator',0,NULL,'The lift in unit 2 makes a grinding noise','resolved',700005,2,1,'更换了导轨滑块',NULL,NULL,1,5,1795305600,1795478400,1795312800,1795478400,NULL,NULL,NULL,NULL,1795305601,'noise',NULL);
INSERT INTO "requests" VALUES(3,1,NULL,NULL,NULL,NULL,700002,'noise',0,NULL,'楼上每天半夜装修，电钻声很大','new',NULL,NULL,0,NULL,NULL,NULL,NULL,NULL,1795392000,1795392000,NULL,NULL,NULL,NULL,1795478400,NULL,1795392001,NULL,NULL);
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
INSERT INTO "survey_answers" VALUES(1,1,1,0,'[0]',NULL,NULL,1794009480);
INSERT INTO "survey_answers" VALUES(2,1,1,1,NULL,3,NULL,1794009540);
INSERT INTO "survey_answers" VALUES(3,1,1,2,NULL,NULL,'楼道灯太暗，希望晚上亮一些',1794009600);
INSERT INTO "survey_answers" VALUES(4,2,1,0,'[2]',NULL,NULL,1794182280);
INSERT INTO "survey_answers" VALUES(5,2,1,1,NULL,4,NULL,1794182340);
INSERT INTO "survey_answers" VALUES(6,2,1,2,NULL,NULL,'希望增加电动车充电桩，方便老人的代步车',1794182400);
INSERT INTO "survey_answers" VALUES(7,3,2,0,'[0, 1]',NULL,NULL,1795644000);
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
INSERT INTO "survey_followups" VALUES(1,1,2,6,'need',5,'希望增加电动车充电桩，方便老人的代步车',2,700001,1795478400);
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
INSERT INTO "survey_responses" VALUES(1,1,'h1',1,700002,NULL,1794009600,1794009600);
INSERT INTO "survey_responses" VALUES(2,1,'h2',2,NULL,700004,1794182400,1794182400);
INSERT INTO "survey_responses" VALUES(3,2,'p700003',NULL,700003,NULL,NULL,1795644000);
CREATE TABLE survey_visits (
            id INTEGER PRIMARY KEY,
            survey_id INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
            household_id INTEGER NOT NULL REFERENCES households (id) ON DELETE CASCADE,
            outcome TEXT NOT NULL CHECK (outcome IN ('answered', 'nobody_home', 'declined')),
            visitor_id INTEGER,
            visited_on TEXT NOT NULL,           -- local date
            at INTEGER NOT NULL
        );
INSERT INTO "survey_visits" VALUES(1,1,2,'nobody_home',700004,'2026-11-07',1794016800);
INSERT INTO "survey_visits" VALUES(2,1,2,'answered',700004,'2026-11-09',1794182400);
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
INSERT INTO "surveys" VALUES(1,1,700001,'2026年冬季居民需求调查','[{"kind": "single", "text": "您家里有几位60岁以上的老人？", "options": ["没有", "1位", "2位及以上"]}, {"kind": "rating", "text": "您对物业服务的满意度？", "options": []}, {"kind": "text", "text": "您最希望小区改进什么？", "options": []}]',1,'closed',1793923200,1794528000,1794528000,NULL,2,NULL,NULL);
INSERT INTO "surveys" VALUES(2,2,700001,'Bike parking at Block C','[{"kind": "multi", "text": "When do you cycle?", "options": ["Weekdays", "Weekends"]}, {"kind": "text", "text": "Anything else we should know?", "options": []}]',0,'open',1795564800,1796169600,NULL,NULL,0,NULL,1795867200);
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
CREATE INDEX outbox_failed ON outbox (failed_at) WHERE failed_at IS NOT NULL;
CREATE INDEX requests_status ON requests (status);
CREATE INDEX needs_top ON needs (building_id, status, support DESC, id);
CREATE INDEX projects_building_status ON projects (building_id, status);
CREATE INDEX projects_voting ON projects (poll_id) WHERE status = 'voting';
CREATE INDEX projects_evaluation_due ON projects (evaluation_closes_at)
            WHERE evaluation_closes_at IS NOT NULL;
CREATE INDEX list_events_item ON list_events (item_kind, item_id, id);
CREATE INDEX list_events_at ON list_events (at);
CREATE INDEX list_links_to ON list_links (to_kind, to_id);
CREATE INDEX meetings_reminder_due ON meetings (next_reminder_at)
            WHERE next_reminder_at IS NOT NULL;
CREATE INDEX meetings_building ON meetings (building_id, starts_at);
CREATE INDEX decisions_due ON decisions (next_ping_at) WHERE next_ping_at IS NOT NULL;
CREATE INDEX decisions_building ON decisions (building_id, status, due_at);
CREATE INDEX decisions_subject ON decisions (subject_kind, subject_id)
            WHERE status = 'open';
CREATE INDEX boards_building ON boards (building_id);
CREATE INDEX boards_refresh_due ON boards (refresh_at) WHERE enabled = 1;
CREATE INDEX boards_dirty ON boards (chat_id) WHERE dirty = 1 AND enabled = 1;
CREATE INDEX surveys_due ON surveys (next_due_at) WHERE next_due_at IS NOT NULL;
CREATE INDEX surveys_building ON surveys (building_id, id);
CREATE INDEX survey_responses_household ON survey_responses (survey_id, household_id);
CREATE INDEX survey_responses_person ON survey_responses (person_id);
CREATE INDEX survey_answers_question ON survey_answers (survey_id, question);
CREATE INDEX survey_visits_household ON survey_visits (survey_id, household_id, id);
CREATE UNIQUE INDEX care_enrolments_person ON care_enrolments (building_id, person_id)
            WHERE person_id IS NOT NULL;
CREATE INDEX care_checkins_due ON care_enrolments (next_checkin_at);
CREATE INDEX care_missed_due ON care_enrolments (missed_at) WHERE missed_at IS NOT NULL;
CREATE INDEX care_carers_person ON care_carers (person_id);
CREATE INDEX care_alerts_due ON care_alerts (next_step_at) WHERE next_step_at IS NOT NULL;
CREATE INDEX care_alerts_open ON care_alerts (enrolment_id) WHERE handled_at IS NULL;
CREATE INDEX care_events_building ON care_events (building_id, at);
CREATE INDEX requests_due ON requests (next_due_at) WHERE next_due_at IS NOT NULL;
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
CREATE INDEX requests_building_created ON requests (building_id, created_at);
CREATE INDEX requests_building_responded ON requests (building_id, responded_at)
            WHERE responded_at IS NOT NULL;
CREATE INDEX requests_building_resolved ON requests (building_id, resolved_at)
            WHERE resolved_at IS NOT NULL;
CREATE INDEX requests_building_closed ON requests (building_id, closed_at)
            WHERE closed_at IS NOT NULL;
CREATE INDEX requests_created ON requests (created_at);
CREATE INDEX request_deliveries_open_sent
            ON request_deliveries (person_id, request_id, request_open, message_id)
            WHERE request_open = 1 AND message_id IS NOT NULL;
COMMIT;
