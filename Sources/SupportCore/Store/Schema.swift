import GRDB

/// The versioned schema. Shipped migrations are frozen: change the schema only by adding a new
/// migration below the last one. Tables and columns are named as strings on purpose, so that
/// renaming a Swift property can never change a shipped migration.
enum Schema {
    /// How far a migration that fills an index in ranges has got: rows written, rows in all.
    typealias FillProgress = @Sendable (_ done: Int, _ total: Int) -> Void

    static var migrator: DatabaseMigrator { migrator(fillProgress: nil) }

    /// The migrator; `fillProgress` hears from the migrations that rebuild an index in ranges.
    static func migrator(fillProgress: FillProgress?) -> DatabaseMigrator {
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
        migrator.registerMigration("v6-stats") { db in
            try db.execute(sql: """
                -- GRDB's full-text trigger re-indexed a ticket's subject and message on every
                -- update of any column (a reply bumping updatedAt, a priority change, the columns
                -- below): only a change of the indexed text needs it.
                DROP TRIGGER "__ticket_fts_au";
                CREATE TRIGGER "__ticket_fts_au" AFTER UPDATE OF "subject", "message" ON "ticket" BEGIN
                    INSERT INTO "ticket_fts"("ticket_fts", "rowid", "subject", "message") VALUES('delete', old."id", old."subject", old."message");
                    INSERT INTO "ticket_fts"("rowid", "subject", "message") VALUES (new."id", new."subject", new."message");
                END;

                -- `stats` read every ticket and found each one's first staff reply with a correlated
                -- subquery (3.5 s and 270 MiB at a million tickets). The first public staff reply is
                -- now kept on the ticket, and the durations in seconds (to the millisecond: julianday
                -- alone is off by microseconds) beside it, by triggers: right whichever command, or
                -- an import, writes the reply or the resolution. The role is the author's when the
                -- reply was written. Stored, not virtual, columns: SQLite 3.40 cannot read a
                -- virtual column back from an index, and an index walk that has to visit every
                -- table row is what this replaces.
                ALTER TABLE ticket ADD COLUMN firstResponseAt DATETIME;
                ALTER TABLE ticket ADD COLUMN firstResponderID INTEGER REFERENCES user(id) ON DELETE RESTRICT;
                ALTER TABLE ticket ADD COLUMN firstResponseSeconds REAL;
                ALTER TABLE ticket ADD COLUMN resolutionSeconds REAL;
                UPDATE ticket SET (firstResponseAt, firstResponderID) = (
                    SELECT r.createdAt, r.respondedBy FROM response r JOIN user u ON u.id = r.respondedBy
                    WHERE r.ticketId = ticket.id AND r.isInternal = 0 AND u.role != 'user'
                    ORDER BY r.createdAt, r.id LIMIT 1);
                UPDATE ticket SET
                    firstResponseSeconds = round((julianday(firstResponseAt) - julianday(createdAt)) * 86400000) / 1000,
                    resolutionSeconds = round((julianday(resolvedAt) - julianday(createdAt)) * 86400000) / 1000
                WHERE firstResponseAt IS NOT NULL OR resolvedAt IS NOT NULL;
                CREATE TRIGGER response_first_staff_reply AFTER INSERT ON response
                WHEN NEW.isInternal = 0 AND (SELECT role FROM user WHERE id = NEW.respondedBy) != 'user'
                BEGIN
                    UPDATE ticket SET firstResponseAt = NEW.createdAt, firstResponderID = NEW.respondedBy,
                        firstResponseSeconds = round((julianday(NEW.createdAt) - julianday(createdAt)) * 86400000) / 1000
                    WHERE id = NEW.ticketId AND (firstResponseAt IS NULL OR firstResponseAt > NEW.createdAt);
                END;
                CREATE TRIGGER ticket_resolution_seconds_insert AFTER INSERT ON ticket WHEN NEW.resolvedAt IS NOT NULL BEGIN
                    UPDATE ticket SET resolutionSeconds = round((julianday(resolvedAt) - julianday(createdAt)) * 86400000) / 1000
                    WHERE id = NEW.id;
                END;
                CREATE TRIGGER ticket_resolution_seconds_update AFTER UPDATE OF resolvedAt, createdAt ON ticket BEGIN
                    UPDATE ticket SET resolutionSeconds = round((julianday(resolvedAt) - julianday(createdAt)) * 86400000) / 1000
                    WHERE id = NEW.id;
                END;

                -- The durations indexed in order, per staff member and overall, so a median or 90th
                -- percentile is one walk of an index with an OFFSET instead of a sort. createdAt
                -- rides along so that `--since`/`--until` filter inside the index.
                CREATE INDEX ticket_on_firstResponder_seconds ON ticket(firstResponderID, firstResponseSeconds, createdAt)
                    WHERE firstResponseSeconds IS NOT NULL;
                CREATE INDEX ticket_on_firstResponseSeconds ON ticket(firstResponseSeconds, createdAt)
                    WHERE firstResponseSeconds IS NOT NULL;
                CREATE INDEX ticket_on_assignedTo_resolutionSeconds ON ticket(assignedTo, resolutionSeconds, createdAt)
                    WHERE resolutionSeconds IS NOT NULL;
                CREATE INDEX ticket_on_resolutionSeconds ON ticket(resolutionSeconds, createdAt)
                    WHERE resolutionSeconds IS NOT NULL;

                -- Tickets by category, priority and status, kept by triggers in the transaction of
                -- each change: `stats` for all time reads 80 rows instead of three index scans.
                CREATE TABLE ticket_tally (
                    category TEXT NOT NULL,
                    priority INTEGER NOT NULL,
                    status INTEGER NOT NULL,
                    tickets INTEGER NOT NULL CHECK (tickets >= 0),
                    PRIMARY KEY (category, priority, status)
                ) WITHOUT ROWID;
                INSERT INTO ticket_tally (category, priority, status, tickets)
                    SELECT category, priority, status, count(*) FROM ticket GROUP BY category, priority, status;
                CREATE TRIGGER ticket_tally_insert AFTER INSERT ON ticket BEGIN
                    INSERT INTO ticket_tally (category, priority, status, tickets) VALUES (NEW.category, NEW.priority, NEW.status, 1)
                    ON CONFLICT DO UPDATE SET tickets = tickets + 1;
                END;
                CREATE TRIGGER ticket_tally_delete AFTER DELETE ON ticket BEGIN
                    UPDATE ticket_tally SET tickets = tickets - 1
                    WHERE category = OLD.category AND priority = OLD.priority AND status = OLD.status;
                END;
                CREATE TRIGGER ticket_tally_update AFTER UPDATE OF category, priority, status ON ticket
                WHEN OLD.category != NEW.category OR OLD.priority != NEW.priority OR OLD.status != NEW.status
                BEGIN
                    UPDATE ticket_tally SET tickets = tickets - 1
                    WHERE category = OLD.category AND priority = OLD.priority AND status = OLD.status;
                    INSERT INTO ticket_tally (category, priority, status, tickets) VALUES (NEW.category, NEW.priority, NEW.status, 1)
                    ON CONFLICT DO UPDATE SET tickets = tickets + 1;
                END;
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
        migrator.registerMigration("mail-in") { db in
            try db.execute(sql: """
                -- Every message `mail ingest` was handed, with what became of it (`mail list`). The
                -- bytes are kept as received (up to mail_max_bytes; `size` is the whole size), so
                -- a quarantined message can be ingested again and nothing is lost. A message is
                -- ingested once: its Message-ID, or without one the SHA-256 of its bytes, is
                -- unique among the rows that are not themselves duplicates.
                CREATE TABLE inbound_mail (
                    id INTEGER PRIMARY KEY,
                    receivedAt DATETIME NOT NULL,
                    messageID TEXT,
                    digest TEXT NOT NULL CHECK (length(digest) = 64),
                    sender TEXT,
                    subject TEXT,
                    outcome TEXT NOT NULL CHECK (outcome IN
                        ('created', 'replied', 'ignored', 'bounce', 'quarantined', 'duplicate')),
                    reason TEXT,
                    ticketNumber TEXT,
                    responseID INTEGER,
                    raw BLOB NOT NULL,
                    size INTEGER NOT NULL CHECK (size >= 0),
                    truncated BOOLEAN NOT NULL DEFAULT 0 CHECK (truncated IN (0, 1))
                );
                CREATE UNIQUE INDEX inbound_mail_on_messageID ON inbound_mail(messageID)
                    WHERE messageID IS NOT NULL AND outcome != 'duplicate';
                CREATE UNIQUE INDEX inbound_mail_on_digest ON inbound_mail(digest) WHERE outcome != 'duplicate';
                CREATE INDEX inbound_mail_on_outcome ON inbound_mail(outcome, id);

                -- Message-IDs the desk sent ('out', with the recipient) or received ('in', with the
                -- sender) for a ticket: how a reply's In-Reply-To/References find their ticket.
                CREATE TABLE ticket_message (
                    messageID TEXT PRIMARY KEY NOT NULL,
                    ticketNumber TEXT NOT NULL,
                    direction TEXT NOT NULL CHECK (direction IN ('out', 'in')),
                    address TEXT NOT NULL,
                    createdAt DATETIME NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX ticket_message_on_ticketNumber ON ticket_message(ticketNumber);
                INSERT OR IGNORE INTO ticket_message (messageID, ticketNumber, direction, address, createdAt)
                    SELECT messageID, ticketNumber, 'out', recipient, createdAt FROM outbox;

                -- Secrets of the desk (the key its Message-IDs are signed with), made on first use.
                -- Not settings: never shown, never set by hand, not in the settings' audit trail.
                CREATE TABLE desk_secret (
                    name TEXT PRIMARY KEY NOT NULL,
                    value BLOB NOT NULL
                ) WITHOUT ROWID;

                -- A delivery-status report about a sent message marks it bounced.
                ALTER TABLE outbox ADD COLUMN bouncedAt DATETIME;

                -- Auto-responses to one address in the last hour, counted before each new
                -- ticket by mail (two desks answering each other must not ping-pong).
                CREATE INDEX outbox_on_recipient_kind_createdAt ON outbox(recipient, kind, createdAt);
                """)
        }
        migrator.registerMigration("server-auth-key-and-token-generations") { db in
            try db.execute(sql: """
                -- `support serve`: the desk's own HS256 signing key, made on first use. Kept out of
                -- `setting` so that `settings get` (and its audit trail) never shows it.
                CREATE TABLE server_key (
                    name TEXT PRIMARY KEY,
                    secret BLOB NOT NULL
                ) WITHOUT ROWID;
                -- Each token carries its person's generation; `support token revoke` raises it, and
                -- every token issued before stops working at once.
                CREATE TABLE token_generation (
                    userID INTEGER PRIMARY KEY REFERENCES user(id) ON DELETE CASCADE,
                    generation INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("v8-queue-indexes") { db in
            try db.execute(sql: """
                -- The queues agents watch all day, each read in order from one index range and
                -- counted from the same range (the page stops after `limit` rows; the total is a
                -- count of index entries, no table row read): unassigned (or someone's) tickets
                -- of a status or a category, newest first, and a status by last update. Before,
                -- SQLite walked every ticket of one filter checking the other (300 ms at 1M).
                CREATE INDEX ticket_on_status_assignedTo_createdAt ON ticket(status, assignedTo, createdAt DESC, id DESC);
                CREATE INDEX ticket_on_category_assignedTo_createdAt ON ticket(category, assignedTo, createdAt DESC, id DESC);
                CREATE INDEX ticket_on_status_updatedAt ON ticket(status, updatedAt DESC, id DESC);
                CREATE INDEX ticket_on_assignedTo_updatedAt ON ticket(assignedTo, updatedAt DESC, id DESC);

                -- `--since` with `--sort updated`: the page walks updatedAt in order (id breaks
                -- ties, so it is a column before createdAt) and filters createdAt inside the
                -- index instead of reading every ticket row it passes.
                CREATE INDEX ticket_on_updatedAt_createdAt ON ticket(updatedAt, id, createdAt);
                DROP INDEX ticket_on_updatedAt;
                """)
        }
        migrator.registerMigration("v9-ticket-search") { db in
            try db.execute(sql: AppDatabase.ticketSearchSchema)
            // Built in place from the tickets and replies already in the file, in the
            // migration's one transaction: a kill leaves the file as it was, with v3's indexes.
            try db.execute(sql: "INSERT INTO ticket_search(ticket_search) VALUES('rebuild')")
        }
        migrator.registerMigration("attachments-content-by-sha256") { db in
            try db.execute(sql: """
                -- The bytes of every attached file, once per SHA-256 however many tickets carry
                -- them (a logo in every signature, the same PDF sent twice). A rowid table, so the
                -- content can be written and read in pieces (sqlite3_blob_*), never whole in memory.
                CREATE TABLE attachment_content (
                    id INTEGER PRIMARY KEY,
                    sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
                    size INTEGER NOT NULL CHECK (size >= 0),
                    data BLOB NOT NULL
                );

                -- A file as one ticket has it: of its first message (responseID NULL) or of one
                -- reply or internal note. Deleting the ticket or the reply deletes the row; the
                -- trigger below drops content nobody refers to any more.
                CREATE TABLE attachment (
                    id INTEGER PRIMARY KEY,
                    ticketId INTEGER NOT NULL REFERENCES ticket(id) ON DELETE CASCADE,
                    responseId INTEGER REFERENCES response(id) ON DELETE CASCADE,
                    contentId INTEGER NOT NULL REFERENCES attachment_content(id),
                    fileName TEXT NOT NULL CHECK (length(fileName) BETWEEN 1 AND 255),
                    contentType TEXT NOT NULL CHECK (length(contentType) BETWEEN 3 AND 255),
                    createdAt DATETIME NOT NULL
                );
                CREATE INDEX attachment_on_ticketId ON attachment(ticketId, id);
                CREATE INDEX attachment_on_contentId ON attachment(contentId);
                CREATE INDEX attachment_on_responseId ON attachment(responseId) WHERE responseId IS NOT NULL;
                CREATE TRIGGER attachment_content_unreferenced AFTER DELETE ON attachment
                WHEN NOT EXISTS (SELECT 1 FROM attachment WHERE contentId = old.contentId)
                BEGIN
                    DELETE FROM attachment_content WHERE id = old.contentId;
                END;
                """)
        }
        migrator.registerMigration("user-login-and-removal") { db in
            try db.execute(sql: """
                -- The Unix account a staff member works from: without --as, the invoking login's
                -- user is the actor (recorded in the audit trail as that person). At most one
                -- user per login.
                ALTER TABLE user ADD COLUMN login TEXT CHECK (login IS NULL OR length(login) BETWEEN 1 AND 64);
                CREATE UNIQUE INDEX user_on_login ON user(login) WHERE login IS NOT NULL;
                -- `user remove`: the row stays (their tickets, replies and audit records name
                -- them), but they can no longer act.
                ALTER TABLE user ADD COLUMN removedAt DATETIME;
                """)
        }
        migrator.registerMigration("v10-ticket-search-tail") { db in
            // Only schema: a ticket without a split row is indexed as v9 indexed it.
            try db.execute(sql: AppDatabase.ticketSearchTailSchema)
        }
        migrator.registerMigration("v11-person-sort-indexes") { db in
            try db.execute(sql: """
                -- A requester's list (theirs, or `--requester`) and someone's queue (`--assignee
                -- me`) in every order, read in order from one range: by last update and by
                -- priority they were gathered and sorted in a temporary B-tree. (By status, one
                -- range per status of the existing indexes is merged: `mergeArms`.) Scanned
                -- backwards for newest first: the rowid ends every index, so ties go by id.
                CREATE INDEX ticket_on_submittedBy_updatedAt ON ticket(submittedBy, updatedAt);
                CREATE INDEX ticket_on_submittedBy_priority_createdAt ON ticket(submittedBy, priority, createdAt);
                CREATE INDEX ticket_on_assignedTo_priority_createdAt ON ticket(assignedTo, priority, createdAt);
                """)
        }
        migrator.registerMigration("audit-keeps-deleted-tickets") { db in
            try db.execute(sql: """
                -- The whole ticket a `ticket.deleted` event removed, as the NDJSON line `ticket
                -- export` writes (replies, internal notes, attachment references), so that a
                -- mistaken delete can be restored with `ticket import`. A column of its own, not
                -- oldValue: the audit list never reads it, however large the ticket was.
                ALTER TABLE audit_event ADD COLUMN deletedTicket TEXT;
                """)
        }
        migrator.registerMigration("outbox-kind-assignment") { db in
            try addOutboxKind(db, "assignment", after: "status-change")
        }
        migrator.registerMigration("outbox-kind-too-large") { db in
            // The notice to the sender of a message over mail_max_bytes (issue 12). Its
            // ticketNumber is '' (it is about no ticket).
            try addOutboxKind(db, "too-large", after: "assignment")
        }
        migrator.registerMigration("ticket-search-notes-index-of-their-own") { db in
            try db.execute(sql: AppDatabase.ticketSearchNotesSchema)
            // Built in place from the tables, in the migration's one transaction: a kill leaves
            // the file as it was, with v10's indexes. The two large indexes are filled range by
            // range in rowid order (what `rebuild` does in one statement), so that a terminal
            // can be told how far it is; the tails are a few rows per long ticket.
            let tickets = try Int.fetchOne(db, sql: "SELECT count(*) FROM ticket") ?? 0
            let notes = try Int.fetchOne(db, sql: "SELECT count(*) FROM response WHERE isInternal = 1") ?? 0
            let total = tickets + notes
            var done = 0
            try AppDatabase.fillInRanges(db, ids: AppDatabase.ticketIDRanges, rows: tickets,
                                         insert: "INSERT INTO ticket_search(rowid, subject, body)"
                                             + " SELECT id, subject, body FROM ticket_search_document WHERE id > ? AND id <= ?") {
                done += $0
                fillProgress?(done, total)
            }
            try db.execute(sql: "INSERT INTO ticket_search_reply(ticket_search_reply) VALUES('rebuild')")
            try AppDatabase.fillInRanges(db, ids: "SELECT id FROM response WHERE isInternal = 1 AND id > ? ORDER BY id LIMIT 1 OFFSET ?",
                                         rows: notes,
                                         insert: "INSERT INTO ticket_search_note(rowid, note)"
                                             + " SELECT id, note FROM ticket_search_note_document WHERE id > ? AND id <= ?") {
                done += $0
                fillProgress?(done, total)
            }
        }
        migrator.registerMigration("ticket-search-staff-documents") { db in
            try db.execute(sql: AppDatabase.ticketSearchStaffSchema)
            // Built in place, range by range with progress, in the migration's one transaction
            // (a kill leaves the file as it was); the notes' index now holds only the tails'
            // notes, a few per long ticket.
            let tickets = try Int.fetchOne(db, sql: "SELECT count(*) FROM ticket") ?? 0
            var done = 0
            try AppDatabase.fillInRanges(db, ids: AppDatabase.ticketIDRanges, rows: tickets,
                                         insert: "INSERT INTO ticket_search_staff(rowid, subject, body, notes)"
                                             + " SELECT id, subject, body, notes FROM ticket_search_staff_document WHERE id > ? AND id <= ?") {
                done += $0
                fillProgress?(done, tickets)
            }
            try db.execute(sql: "INSERT INTO ticket_search_note(ticket_search_note) VALUES('rebuild')")
        }
        migrator.registerMigration("inbound-mail-maildir-file") { db in
            try db.execute(sql: """
                -- The Maildir file a message was taken from (its unique name, without the ":2,"
                -- flags), written in the same transaction as the message: a run killed after a
                -- batch committed but before its files were moved to cur/ leaves them in new/, and
                -- the next run knows them for its own and only moves them (issue 12).
                ALTER TABLE inbound_mail ADD COLUMN maildirFile TEXT;
                CREATE INDEX inbound_mail_on_maildirFile ON inbound_mail(maildirFile) WHERE maildirFile IS NOT NULL;
                """)
        }
        migrator.registerMigration("ticket-search-lengths") { db in
            // The ranked read's packed document lengths (SearchLengths), filled from the
            // indexes' own sizes in the migration's transaction (1,000,000 tickets: see
            // docs/benchmarks.md), and the triggers that keep them.
            try SearchLengths.install(db)
        }
        return migrator
    }

    /// Adds a kind to the outbox's CHECK, after the kind `last` that the list ends with now. SQLite
    /// cannot change a CHECK in place: the table is made again from its own CREATE statement
    /// (whatever columns other migrations added) with the kind added, its rows copied, its
    /// indexes and triggers remade. Foreign keys are off during a migration (GRDB), so
    /// outbox_attempt keeps its rows.
    static func addOutboxKind(_ db: Database, _ kind: String, after last: String) throws {
        guard let create = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'outbox'"),
              let list = create.range(of: "'\(last)')"),
              // SQLite's RENAME writes the name quoted: so it stands after the first such rebuild.
              let name = ["CREATE TABLE \"outbox\"", "CREATE TABLE outbox"].first(where: { create.hasPrefix($0) })
        else { throw SupportError.internalError("the outbox table is not as the migrations made it") }
        var rebuilt = create
        rebuilt.replaceSubrange(list, with: "'\(last)', '\(kind)')")
        rebuilt = "CREATE TABLE outbox_rebuilt" + rebuilt.dropFirst(name.count)
        let indexes = try String.fetchAll(db, sql: """
            SELECT sql FROM sqlite_master WHERE tbl_name = 'outbox' AND type IN ('index', 'trigger') AND sql IS NOT NULL
            """)
        try db.execute(sql: rebuilt)
        try db.execute(sql: "INSERT INTO outbox_rebuilt SELECT * FROM outbox")
        try db.execute(sql: "DROP TABLE outbox")
        try db.execute(sql: "ALTER TABLE outbox_rebuilt RENAME TO outbox")
        for index in indexes { try db.execute(sql: index) }
    }
}
