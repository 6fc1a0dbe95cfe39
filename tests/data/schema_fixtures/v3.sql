-- Courtyard database at schema version 3, with sample data.
-- Made by tests/data/schema_fixtures/make_fixture.py; never edit or regenerate a
-- released version's fixture (see README.md beside it).
PRAGMA user_version = 3;
BEGIN TRANSACTION;
CREATE TABLE bot_state (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
INSERT INTO "bot_state" VALUES('next_update_offset','880003');
INSERT INTO "bot_state" VALUES('last_weekly_report','2026-11-23T01:00:00+00:00');
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
INSERT INTO "buildings" VALUES(1,'5号楼','5号楼','zh','Asia/Shanghai','22:00','07:00',120,0,1,NULL,0,1793059200,1795392000);
INSERT INTO "buildings" VALUES(2,'Block C','block c','en',NULL,NULL,NULL,NULL,0,0,NULL,1,1793491200,1793491200);
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
            decided_at INTEGER,
            PRIMARY KEY (household_id, person_id)
        );
INSERT INTO "household_members" VALUES(1,700002,'approved',1794787200,700001,1794790800);
INSERT INTO "household_members" VALUES(1,700003,'pending',1795564800,NULL,NULL);
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
        );
INSERT INTO "inbox" VALUES(880001,'{"update_id": 880001, "message": {"message_id": 41, "text": "3单元的水管爆了"}}',1795651200,1795651201);
INSERT INTO "inbox" VALUES(880002,'{"update_id": 880002, "message": {"message_id": 42}}',1795651260,NULL);
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
CREATE INDEX people_username ON people (lower(username));
CREATE INDEX inbox_unhandled ON inbox (update_id) WHERE handled_at IS NULL;
CREATE INDEX chats_building ON chats (building_id);
CREATE INDEX roles_person ON roles (person_id);
CREATE INDEX household_members_person ON household_members (person_id);
COMMIT;
