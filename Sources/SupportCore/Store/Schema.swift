import GRDB

/// The versioned schema. Shipped migrations are frozen: change the schema only by adding a new
/// migration below the last one. Tables and columns are named as strings on purpose, so that
/// renaming a Swift property can never change a shipped migration.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-tickets") { db in
            try db.execute(sql: """
                CREATE TABLE user (
                    id INTEGER PRIMARY KEY,
                    email TEXT NOT NULL UNIQUE COLLATE NOCASE
                        CHECK (length(email) BETWEEN 3 AND 254 AND email LIKE '%_@_%'),
                    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 1000),
                    role TEXT NOT NULL CHECK (role IN ('user', 'internal', 'admin')),
                    createdAt DATETIME NOT NULL
                );

                -- One row per year: the last ticket number handed out. Bumped inside the
                -- transaction that creates the ticket, so numbers are unique and gap-free.
                CREATE TABLE ticket_sequence (
                    year INTEGER PRIMARY KEY CHECK (year BETWEEN 1970 AND 9999),
                    lastNumber INTEGER NOT NULL CHECK (lastNumber >= 0)
                );

                CREATE TABLE ticket (
                    id INTEGER PRIMARY KEY,
                    ticketNumber TEXT NOT NULL UNIQUE
                        CHECK (ticketNumber GLOB 'ST-[0-9][0-9][0-9][0-9]-[0-9][0-9][0-9]*'),
                    subject TEXT NOT NULL CHECK (length(trim(subject)) BETWEEN 1 AND 2000),
                    message TEXT NOT NULL CHECK (length(trim(message)) >= 1),
                    category TEXT NOT NULL CHECK (category IN
                        ('technical-issue', 'account-issue', 'feature-request', 'general-inquiry', 'bug-report')),
                    priority INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 4),
                    status INTEGER NOT NULL CHECK (status BETWEEN 0 AND 3),
                    submittedBy INTEGER NOT NULL REFERENCES user(id) ON DELETE RESTRICT,
                    assignedTo INTEGER REFERENCES user(id) ON DELETE RESTRICT,
                    createdAt DATETIME NOT NULL,
                    updatedAt DATETIME NOT NULL,
                    resolvedAt DATETIME,
                    closedAt DATETIME
                );

                -- The seed's index plan, adapted: every list filter with the default sort
                -- (newest first) is served by one index, and each sort order has its own.
                CREATE INDEX ticket_on_createdAt ON ticket(createdAt);
                CREATE INDEX ticket_on_updatedAt ON ticket(updatedAt);
                CREATE INDEX ticket_on_submittedBy_createdAt ON ticket(submittedBy, createdAt);
                CREATE INDEX ticket_on_status_createdAt ON ticket(status, createdAt);
                CREATE INDEX ticket_on_status_priority_createdAt ON ticket(status, priority, createdAt);
                CREATE INDEX ticket_on_priority_createdAt ON ticket(priority, createdAt);
                CREATE INDEX ticket_on_category_createdAt ON ticket(category, createdAt);
                CREATE INDEX ticket_on_assignedTo_createdAt ON ticket(assignedTo, createdAt);

                CREATE TABLE response (
                    id INTEGER PRIMARY KEY,
                    ticketId INTEGER NOT NULL REFERENCES ticket(id) ON DELETE CASCADE,
                    message TEXT NOT NULL CHECK (length(trim(message)) >= 1),
                    respondedBy INTEGER NOT NULL REFERENCES user(id) ON DELETE RESTRICT,
                    isInternal BOOLEAN NOT NULL CHECK (isInternal IN (0, 1)),
                    createdAt DATETIME NOT NULL
                );
                CREATE INDEX response_on_ticketId_createdAt ON response(ticketId, createdAt);
                CREATE INDEX response_on_respondedBy ON response(respondedBy);

                CREATE TABLE setting (
                    key TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2-outbox") { db in
            try db.execute(sql: """
                -- Mail waiting to be piped to the mail program. Each row is one message to one
                -- recipient, composed once (so Message-ID and Date stay the same across retries)
                -- in the transaction of the change that caused it.
                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY,
                    ticketNumber TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN
                        ('new-ticket', 'auto-response', 'staff-reply', 'requester-reply', 'status-change')),
                    sender TEXT NOT NULL CHECK (length(sender) >= 3),
                    recipient TEXT NOT NULL CHECK (length(recipient) >= 3),
                    subject TEXT NOT NULL,
                    messageID TEXT NOT NULL UNIQUE,
                    message BLOB NOT NULL,
                    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
                    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                    nextAttemptAt DATETIME NOT NULL,
                    leaseOwner TEXT,
                    leaseUntil DATETIME,
                    lastError TEXT,
                    createdAt DATETIME NOT NULL,
                    sentAt DATETIME,
                    CHECK ((status = 'sending') = (leaseOwner IS NOT NULL AND leaseUntil IS NOT NULL))
                );
                CREATE INDEX outbox_on_status_nextAttemptAt ON outbox(status, nextAttemptAt);

                -- Every attempt to send, for `notify list` and the delivery statistics.
                CREATE TABLE outbox_attempt (
                    id INTEGER PRIMARY KEY,
                    outboxID INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
                    startedAt DATETIME NOT NULL,
                    finishedAt DATETIME NOT NULL,
                    outcome TEXT NOT NULL CHECK (outcome IN ('sent', 'retry', 'failed')),
                    exitStatus INTEGER,
                    detail TEXT
                );
                CREATE INDEX outbox_attempt_on_outboxID ON outbox_attempt(outboxID);
                """)
        }
        migrator.registerMigration("v3-search") { db in
            // Full-text indexes kept in step with their tables by triggers. Replies get their own
            // index so that a requester's search can leave internal notes out.
            try db.create(virtualTable: "ticket_fts", using: FTS5()) { t in
                t.synchronize(withTable: "ticket")
                t.tokenizer = .porter(wrapping: .unicode61())
                t.column("subject")
                t.column("message")
            }
            try db.create(virtualTable: "response_fts", using: FTS5()) { t in
                t.synchronize(withTable: "response")
                t.tokenizer = .porter(wrapping: .unicode61())
                t.column("message")
            }
        }
        migrator.registerMigration("v4-audit") { db in
            try db.execute(sql: """
                -- Who changed what, when: written in the transaction of the change itself. Kept
                -- when a ticket is deleted (ticketNumber is text, not a foreign key).
                CREATE TABLE audit_event (
                    id INTEGER PRIMARY KEY,
                    ticketNumber TEXT,
                    actorID INTEGER NOT NULL REFERENCES user(id) ON DELETE RESTRICT,
                    action TEXT NOT NULL CHECK (action IN
                        ('ticket.created', 'ticket.changed', 'ticket.replied', 'ticket.noted', 'ticket.deleted',
                         'setting.changed', 'user.added', 'user.changed')),
                    field TEXT,
                    oldValue TEXT,
                    newValue TEXT,
                    isInternal BOOLEAN NOT NULL DEFAULT 0 CHECK (isInternal IN (0, 1)),
                    createdAt DATETIME NOT NULL
                );
                CREATE INDEX audit_event_on_ticketNumber ON audit_event(ticketNumber, id);
                CREATE INDEX audit_event_on_actorID_action_createdAt ON audit_event(actorID, action, createdAt);
                """)
        }
        migrator.registerMigration("v5-list-indexes") { db in
            try db.execute(sql: """
                -- `--sort status` orders by status ascending but newest first within a status
                -- (ORDER BY status, createdAt DESC, id DESC): an index in that mixed order serves
                -- it in both directions, where (status, createdAt) left SQLite sorting every
                -- ticket of a status in a temporary B-tree. It serves `--status` with the default
                -- sort just as well, so it replaces (status, createdAt) and writes cost no more.
                CREATE INDEX ticket_on_status_createdAtDesc_idDesc ON ticket(status, createdAt DESC, id DESC);
                DROP INDEX ticket_on_status_createdAt;

                -- A requester's own list filtered by status (and `--requester X --status Y`):
                -- without it SQLite walked every ticket of that status checking the requester.
                CREATE INDEX ticket_on_submittedBy_status_createdAt ON ticket(submittedBy, status, createdAt);
                """)
        }
        migrator.registerMigration("v7-audit-indexes") { db in
            try db.execute(sql: """
                -- `support audit` lists events newest first (createdAt DESC, id DESC). Unfiltered
                -- and by --since/--until, (createdAt) reads them in that order; by --action,
                -- (action, createdAt) does, one range per action merged for several; by --actor,
                -- the rate limit's (actorID, action, createdAt) does, one range per action merged.
                -- Two indexes more for every audited write: each a short append at the end of
                -- its range, since events come in time order.
                CREATE INDEX audit_event_on_createdAt ON audit_event(createdAt);
                CREATE INDEX audit_event_on_action_createdAt ON audit_event(action, createdAt);
                """)
        }
        return migrator
    }
}
