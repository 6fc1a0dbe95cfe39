-- Courtyard database at schema version 1, with sample data.
-- Made by tests/data/schema_fixtures/make_fixture.py; never edit or regenerate a
-- released version's fixture (see README.md beside it).
PRAGMA user_version = 1;
BEGIN TRANSACTION;
CREATE TABLE bot_state (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
INSERT INTO "bot_state" VALUES('next_update_offset','880003');
INSERT INTO "bot_state" VALUES('last_weekly_report','2026-11-23T01:00:00+00:00');
CREATE TABLE chats (
            id INTEGER PRIMARY KEY,            -- Telegram chat id
            type TEXT NOT NULL CHECK (type IN ('private', 'group', 'supergroup', 'channel')),
            title TEXT,
            language TEXT CHECK (language IN ('zh', 'en')),
            active INTEGER NOT NULL DEFAULT 1,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
INSERT INTO "chats" VALUES(-1001234567890,'supergroup','5号楼邻里群','zh',1,1793059200,1793059200);
INSERT INTO "chats" VALUES(-4000111222,'group','old group',NULL,0,1792195200,1793059200);
INSERT INTO "chats" VALUES(700001,'private',NULL,'zh',1,1793059200,1793059200);
CREATE TABLE inbox (
            update_id INTEGER PRIMARY KEY,
            payload TEXT NOT NULL,
            received_at INTEGER NOT NULL,
            handled_at INTEGER
        );
INSERT INTO "inbox" VALUES(880001,'{"update_id": 880001, "message": {"message_id": 41, "text": "3单元的水管爆了"}}',1795651200,1795651201);
INSERT INTO "inbox" VALUES(880002,'{"update_id": 880002, "message": {"message_id": 42}}',1795651260,NULL);
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
INSERT INTO "people" VALUES(700001,'王','建国','wang_head','zh-hans','zh',1793059200,NULL,1793059200,1795564800);
INSERT INTO "people" VALUES(700002,'李','娜',NULL,'zh-hans',NULL,1794787200,NULL,1794787200,1794787200);
INSERT INTO "people" VALUES(700003,'Emma','Schulz','emma_s','en','en',NULL,NULL,1795219200,1795219200);
INSERT INTO "people" VALUES(700004,'张','师傅','zhang_fix','zh-hans',NULL,1793923200,NULL,1793923200,1793923200);
INSERT INTO "people" VALUES(700005,'物业','赵经理','pm_zhao','zh-hans',NULL,1793923200,1795478400,1793923200,1795478400);
CREATE INDEX people_username ON people (lower(username));
CREATE INDEX inbox_unhandled ON inbox (update_id) WHERE handled_at IS NULL;
COMMIT;
