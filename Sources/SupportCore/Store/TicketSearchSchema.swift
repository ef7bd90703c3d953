import GRDB

extension AppDatabase {
    /// One full-text document per ticket (`rowid` = the ticket's id): its subject; `body`, the
    /// message and every public reply; `notes`, its internal notes. Replaces v3's two indexes
    /// (tickets, replies), with which a search built the set of every matching ticket for each
    /// word and intersected them: its cost grew with the hits, not with the page. Here every
    /// word must occur in one document, FTS5 counts and pages it in rowid order, and a
    /// requester's search names `{subject body}`, so it never reads the notes column.
    ///
    /// The index holds no copy of the text: its content is the view `ticket_search_document`,
    /// which puts each ticket's document together from the tables (replies in the order they
    /// were written). An FTS5 entry is removed by handing FTS5 the very text it indexed, so the
    /// triggers take the document out *before* a change (as it was) and put it back *after*
    /// (as it is): the view is the one definition of a document, for the triggers, for
    /// `rebuild`, and for FTS5's integrity check. A reply re-indexes its ticket's document:
    /// FTS5 cannot append to one (the cost measured in docs/benchmarks.md).
    static let ticketSearchSchema = """
        DROP TRIGGER "__ticket_fts_ai";
        DROP TRIGGER "__ticket_fts_ad";
        DROP TRIGGER "__ticket_fts_au";
        DROP TRIGGER "__response_fts_ai";
        DROP TRIGGER "__response_fts_ad";
        DROP TRIGGER "__response_fts_au";
        DROP TABLE ticket_fts;
        DROP TABLE response_fts;

        CREATE VIEW ticket_search_document(id, subject, body, notes) AS
        SELECT t.id, t.subject,
            t.message || coalesce((SELECT group_concat(text, '') FROM (
                SELECT char(10) || r.message AS text FROM response r
                WHERE r.ticketId = t.id AND r.isInternal = 0 ORDER BY r.createdAt, r.id)), ''),
            coalesce((SELECT group_concat(text, char(10)) FROM (
                SELECT r.message AS text FROM response r
                WHERE r.ticketId = t.id AND r.isInternal = 1 ORDER BY r.createdAt, r.id)), '')
        FROM ticket t;

        CREATE VIRTUAL TABLE ticket_search USING fts5(subject, body, notes,
            content = 'ticket_search_document', content_rowid = 'id', tokenize = 'porter unicode61');

        CREATE TRIGGER ticket_search_insert AFTER INSERT ON ticket BEGIN
            INSERT INTO ticket_search(rowid, subject, body, notes)
                SELECT id, subject, body, notes FROM ticket_search_document WHERE id = NEW.id;
        END;
        CREATE TRIGGER ticket_search_before_update BEFORE UPDATE OF subject, message ON ticket
        WHEN OLD.subject IS NOT NEW.subject OR OLD.message IS NOT NEW.message BEGIN
            INSERT INTO ticket_search(ticket_search, rowid, subject, body, notes)
                SELECT 'delete', id, subject, body, notes FROM ticket_search_document WHERE id = OLD.id;
        END;
        CREATE TRIGGER ticket_search_after_update AFTER UPDATE OF subject, message ON ticket
        WHEN OLD.subject IS NOT NEW.subject OR OLD.message IS NOT NEW.message BEGIN
            INSERT INTO ticket_search(rowid, subject, body, notes)
                SELECT id, subject, body, notes FROM ticket_search_document WHERE id = NEW.id;
        END;
        -- Before: the replies are still there. Their own delete triggers, run by the cascade
        -- after the ticket row is gone, find no document and do nothing.
        CREATE TRIGGER ticket_search_delete BEFORE DELETE ON ticket BEGIN
            INSERT INTO ticket_search(ticket_search, rowid, subject, body, notes)
                SELECT 'delete', id, subject, body, notes FROM ticket_search_document WHERE id = OLD.id;
        END;
        CREATE TRIGGER response_search_before_insert BEFORE INSERT ON response BEGIN
            INSERT INTO ticket_search(ticket_search, rowid, subject, body, notes)
                SELECT 'delete', id, subject, body, notes FROM ticket_search_document WHERE id = NEW.ticketId;
        END;
        CREATE TRIGGER response_search_after_insert AFTER INSERT ON response BEGIN
            INSERT INTO ticket_search(rowid, subject, body, notes)
                SELECT id, subject, body, notes FROM ticket_search_document WHERE id = NEW.ticketId;
        END;
        CREATE TRIGGER response_search_before_delete BEFORE DELETE ON response BEGIN
            INSERT INTO ticket_search(ticket_search, rowid, subject, body, notes)
                SELECT 'delete', id, subject, body, notes FROM ticket_search_document WHERE id = OLD.ticketId;
        END;
        CREATE TRIGGER response_search_after_delete AFTER DELETE ON response BEGIN
            INSERT INTO ticket_search(rowid, subject, body, notes)
                SELECT id, subject, body, notes FROM ticket_search_document WHERE id = OLD.ticketId;
        END;
        CREATE TRIGGER response_search_before_update BEFORE UPDATE OF ticketId, message, isInternal, createdAt ON response BEGIN
            INSERT INTO ticket_search(ticket_search, rowid, subject, body, notes)
                SELECT 'delete', id, subject, body, notes FROM ticket_search_document WHERE id IN (OLD.ticketId, NEW.ticketId);
        END;
        CREATE TRIGGER response_search_after_update AFTER UPDATE OF ticketId, message, isInternal, createdAt ON response BEGIN
            INSERT INTO ticket_search(rowid, subject, body, notes)
                SELECT id, subject, body, notes FROM ticket_search_document WHERE id IN (OLD.ticketId, NEW.ticketId);
        END;
        """
}

extension AppDatabase {
    /// Migration v10: replies to long tickets no longer re-index the whole ticket.
    ///
    /// With v9, every reply took its ticket's document out of FTS5 (which needs the very text it
    /// indexed: all replies, read again and tokenized again) and put the longer one back: two
    /// passes over every reply the ticket has, on every reply (measured in docs/benchmarks.md).
    /// FTS5 of SQLite 3.40 can neither append to a document nor delete one without its text, so
    /// a long ticket is split:
    ///
    /// - `ticket_search` keeps one document per ticket: subject, message and the replies up to
    ///   `ticket_search_split.lastReplyId` (all of them when the ticket has no split row). A
    ///   reply to a ticket with fewer than 32 replies still re-indexes it.
    /// - A newer reply to a longer ticket becomes its own document in `ticket_search_reply`
    ///   (rowid = the reply's id): indexed once, from the trigger's NEW row, no view read. That
    ///   is the ticket's *tail*.
    /// - At 16 tail replies the tail is folded back (the split row deleted: the document is
    ///   re-indexed whole), so a long ticket pays one re-index every 16 replies, and a search
    ///   checks at most 16 tail replies per split ticket.
    /// - Searches match a ticket whose document has every word (the common case, one FTS5
    ///   look-up) or, for the few split tickets, whose document and tail have each word between
    ///   them (`searchSQL`'s second arm).
    ///
    /// The views are the one definition of what is indexed, for the triggers, `rebuild` and
    /// FTS5's integrity check; a ticket without a split row is indexed exactly as with v9, so
    /// the migration re-indexes nothing.
    static let ticketSearchTailSchema = """
        DROP TRIGGER ticket_search_delete;
        DROP TRIGGER response_search_before_insert;
        DROP TRIGGER response_search_after_insert;
        DROP TRIGGER response_search_before_delete;
        DROP TRIGGER response_search_after_delete;
        DROP TRIGGER response_search_before_update;
        DROP TRIGGER response_search_after_update;
        DROP TRIGGER ticket_search_insert;
        DROP TRIGGER ticket_search_before_update;
        DROP TRIGGER ticket_search_after_update;
        DROP VIEW ticket_search_document;

        CREATE TABLE ticket_search_split(
            ticketId INTEGER PRIMARY KEY REFERENCES ticket(id) ON DELETE CASCADE,
            lastReplyId INTEGER NOT NULL);

        CREATE VIEW ticket_search_document(id, subject, body, notes) AS
        SELECT t.id, t.subject,
            t.message || coalesce((SELECT group_concat(text, '') FROM (
                SELECT char(10) || r.message AS text FROM response r
                WHERE r.ticketId = t.id AND r.isInternal = 0 AND r.id <= coalesce(s.lastReplyId, 9223372036854775807)
                ORDER BY r.createdAt, r.id)), ''),
            coalesce((SELECT group_concat(text, char(10)) FROM (
                SELECT r.message AS text FROM response r
                WHERE r.ticketId = t.id AND r.isInternal = 1 AND r.id <= coalesce(s.lastReplyId, 9223372036854775807)
                ORDER BY r.createdAt, r.id)), '')
        FROM ticket t LEFT JOIN ticket_search_split s ON s.ticketId = t.id;

        CREATE VIEW ticket_search_reply_document(id, ticketId, body, notes) AS
        SELECT r.id, r.ticketId,
            CASE WHEN r.isInternal = 0 THEN r.message ELSE '' END,
            CASE WHEN r.isInternal = 1 THEN r.message ELSE '' END
        FROM ticket_search_split s JOIN response r ON r.ticketId = s.ticketId AND r.id > s.lastReplyId;

        CREATE VIRTUAL TABLE ticket_search_reply USING fts5(body, notes,
            content = 'ticket_search_reply_document', content_rowid = 'id', tokenize = 'porter unicode61');

        CREATE TRIGGER ticket_search_insert AFTER INSERT ON ticket BEGIN
            INSERT INTO ticket_search(rowid, subject, body, notes)
                SELECT id, subject, body, notes FROM ticket_search_document WHERE id = NEW.id;
        END;
        CREATE TRIGGER ticket_search_before_update BEFORE UPDATE OF subject, message ON ticket
        WHEN OLD.subject IS NOT NEW.subject OR OLD.message IS NOT NEW.message BEGIN
            INSERT INTO ticket_search(ticket_search, rowid, subject, body, notes)
                SELECT 'delete', id, subject, body, notes FROM ticket_search_document WHERE id = OLD.id;
        END;
        CREATE TRIGGER ticket_search_after_update AFTER UPDATE OF subject, message ON ticket
        WHEN OLD.subject IS NOT NEW.subject OR OLD.message IS NOT NEW.message BEGIN
            INSERT INTO ticket_search(rowid, subject, body, notes)
                SELECT id, subject, body, notes FROM ticket_search_document WHERE id = NEW.id;
        END;
        -- Folding first puts every reply in the document and empties the tail, so the document
        -- taken out is the whole ticket. The replies' own delete triggers, run by the cascade
        -- after the ticket row is gone, then find neither a document nor a split row.
        CREATE TRIGGER ticket_search_delete BEFORE DELETE ON ticket BEGIN
            DELETE FROM ticket_search_split WHERE ticketId = OLD.id;
            INSERT INTO ticket_search(ticket_search, rowid, subject, body, notes)
                SELECT 'delete', id, subject, body, notes FROM ticket_search_document WHERE id = OLD.id;
        END;

        -- Folding: the document as it was (replies up to the mark) and the tail go out; once the
        -- split row is gone the document holds every reply and goes back in.
        CREATE TRIGGER ticket_search_fold BEFORE DELETE ON ticket_search_split BEGIN
            INSERT INTO ticket_search(ticket_search, rowid, subject, body, notes)
                SELECT 'delete', id, subject, body, notes FROM ticket_search_document WHERE id = OLD.ticketId;
            INSERT INTO ticket_search_reply(ticket_search_reply, rowid, body, notes)
                SELECT 'delete', id, body, notes FROM ticket_search_reply_document WHERE ticketId = OLD.ticketId;
        END;
        CREATE TRIGGER ticket_search_folded AFTER DELETE ON ticket_search_split BEGIN
            INSERT INTO ticket_search(rowid, subject, body, notes)
                SELECT id, subject, body, notes FROM ticket_search_document WHERE id = OLD.ticketId;
        END;

        -- A reply to a short ticket re-indexes its document (at most 32 replies read). A reply
        -- to a longer one, newer than every other reply of the ticket (an id SQLite hands out:
        -- NEW.id is -1 before the insert), marks the ticket split (its document stays as it is:
        -- every reply before this one) and is indexed alone, from NEW: nothing else read or
        -- tokenized. A reply with an explicit older id (an import) re-indexes the document, and
        -- goes in the tail too when its id is past the mark: the views decide, as for `rebuild`.
        -- The BEFORE and AFTER conditions are the same question, asked without and with NEW.
        CREATE TRIGGER response_search_before_insert BEFORE INSERT ON response
        WHEN NOT ((NEW.id = -1 OR NOT EXISTS (SELECT 1 FROM response WHERE ticketId = NEW.ticketId AND id > NEW.id))
            AND (EXISTS (SELECT 1 FROM ticket_search_split WHERE ticketId = NEW.ticketId)
                OR (SELECT count(*) FROM (SELECT 1 FROM response WHERE ticketId = NEW.ticketId LIMIT 32)) >= 32)) BEGIN
            INSERT INTO ticket_search(ticket_search, rowid, subject, body, notes)
                SELECT 'delete', id, subject, body, notes FROM ticket_search_document WHERE id = NEW.ticketId;
        END;
        CREATE TRIGGER response_search_after_insert AFTER INSERT ON response BEGIN
            INSERT INTO ticket_search(rowid, subject, body, notes)
                SELECT id, subject, body, notes FROM ticket_search_document WHERE id = NEW.ticketId
                AND NOT (NOT EXISTS (SELECT 1 FROM response WHERE ticketId = NEW.ticketId AND id > NEW.id)
                    AND (EXISTS (SELECT 1 FROM ticket_search_split WHERE ticketId = NEW.ticketId)
                        OR (SELECT count(*) FROM (SELECT 1 FROM response WHERE ticketId = NEW.ticketId LIMIT 33)) > 32));
            INSERT INTO ticket_search_split(ticketId, lastReplyId)
                SELECT NEW.ticketId, NEW.id - 1
                WHERE NOT EXISTS (SELECT 1 FROM ticket_search_split WHERE ticketId = NEW.ticketId)
                AND NOT EXISTS (SELECT 1 FROM response WHERE ticketId = NEW.ticketId AND id > NEW.id)
                AND (SELECT count(*) FROM (SELECT 1 FROM response WHERE ticketId = NEW.ticketId LIMIT 33)) > 32;
            INSERT INTO ticket_search_reply(rowid, body, notes)
                SELECT NEW.id, CASE WHEN NEW.isInternal = 0 THEN NEW.message ELSE '' END,
                    CASE WHEN NEW.isInternal = 1 THEN NEW.message ELSE '' END
                FROM ticket_search_split WHERE ticketId = NEW.ticketId AND NEW.id > lastReplyId;
            -- A tail of 16 is folded back (the triggers of ticket_search_split do the work):
            -- one whole re-index every 16 replies, and a search checks at most 16 tail replies
            -- of a ticket. Correctness never depends on it.
            DELETE FROM ticket_search_split WHERE ticketId = NEW.ticketId
                AND (SELECT count(*) FROM (SELECT 1 FROM response r
                    WHERE r.ticketId = NEW.ticketId AND r.id > ticket_search_split.lastReplyId LIMIT 16)) >= 16;
        END;
        -- A reply deleted or changed: its ticket's document out and back in (the views say
        -- whether the reply is in it), and the reply's own tail document if it has one.
        CREATE TRIGGER response_search_before_delete BEFORE DELETE ON response BEGIN
            INSERT INTO ticket_search(ticket_search, rowid, subject, body, notes)
                SELECT 'delete', id, subject, body, notes FROM ticket_search_document WHERE id = OLD.ticketId;
            INSERT INTO ticket_search_reply(ticket_search_reply, rowid, body, notes)
                SELECT 'delete', id, body, notes FROM ticket_search_reply_document WHERE id = OLD.id;
        END;
        CREATE TRIGGER response_search_after_delete AFTER DELETE ON response BEGIN
            INSERT INTO ticket_search(rowid, subject, body, notes)
                SELECT id, subject, body, notes FROM ticket_search_document WHERE id = OLD.ticketId;
        END;
        CREATE TRIGGER response_search_before_update BEFORE UPDATE OF ticketId, message, isInternal, createdAt ON response BEGIN
            INSERT INTO ticket_search(ticket_search, rowid, subject, body, notes)
                SELECT 'delete', id, subject, body, notes FROM ticket_search_document WHERE id IN (OLD.ticketId, NEW.ticketId);
            INSERT INTO ticket_search_reply(ticket_search_reply, rowid, body, notes)
                SELECT 'delete', id, body, notes FROM ticket_search_reply_document WHERE id = OLD.id;
        END;
        CREATE TRIGGER response_search_after_update AFTER UPDATE OF ticketId, message, isInternal, createdAt ON response BEGIN
            INSERT INTO ticket_search(rowid, subject, body, notes)
                SELECT id, subject, body, notes FROM ticket_search_document WHERE id IN (OLD.ticketId, NEW.ticketId);
            INSERT INTO ticket_search_reply(rowid, body, notes)
                SELECT id, body, notes FROM ticket_search_reply_document WHERE id = NEW.id;
        END;
        """
}

extension AppDatabase {
    /// Migration `ticket-search-notes-index-of-their-own`: internal notes leave the ticket's
    /// document for a full-text index of their own, so that a requester's search never reads a
    /// note (issue 13, item 16).
    ///
    /// Before, notes were a column of the ticket's document (and of a tail reply's), and a
    /// requester's search named `{subject body}`. A column filter does not spare FTS5 the notes:
    /// a word's doclist holds every document that has the word in any column, so a word found
    /// in 20,000 notes cost a requester's search 14.5 ms instead of 0.3 (40,000 tickets,
    /// docs/benchmarks.md). Now:
    ///
    /// - `ticket_search(subject, body)` and `ticket_search_reply(body)` index public text only
    ///   (their documents are what they were, less the notes); v10's split of long tickets
    ///   stays as it was (`ticket_search_split` keeps its rows: the mark is a reply id).
    /// - `ticket_search_note(note)` holds one document per internal note, rowid = the reply's
    ///   id. A note is indexed once, from the trigger's NEW row, and taken out from OLD: a note
    ///   never re-indexes anything else, however many notes or replies its ticket has (a
    ///   document per ticket would re-read all of a ticket's notes on every note, the cost v10
    ///   removed for replies). A note changes neither the ticket's document nor its tail, so
    ///   the triggers of those skip notes.
    /// - Staff search combines per word: a ticket matches when each word is in its document, a
    ///   tail reply or one of its notes (`searchSQL`). A requester's search never names
    ///   `ticket_search_note`.
    ///
    /// The three indexes are rebuilt from their views by the migration (`rebuild`), in its one
    /// transaction: a kill leaves the file as it was.
    static let ticketSearchNotesSchema = """
        DROP TRIGGER ticket_search_insert;
        DROP TRIGGER ticket_search_before_update;
        DROP TRIGGER ticket_search_after_update;
        DROP TRIGGER ticket_search_delete;
        DROP TRIGGER ticket_search_fold;
        DROP TRIGGER ticket_search_folded;
        DROP TRIGGER response_search_before_insert;
        DROP TRIGGER response_search_after_insert;
        DROP TRIGGER response_search_before_delete;
        DROP TRIGGER response_search_after_delete;
        DROP TRIGGER response_search_before_update;
        DROP TRIGGER response_search_after_update;
        DROP TABLE ticket_search;
        DROP TABLE ticket_search_reply;
        DROP VIEW ticket_search_document;
        DROP VIEW ticket_search_reply_document;

        CREATE VIEW ticket_search_document(id, subject, body) AS
        SELECT t.id, t.subject,
            t.message || coalesce((SELECT group_concat(text, '') FROM (
                SELECT char(10) || r.message AS text FROM response r
                WHERE r.ticketId = t.id AND r.isInternal = 0 AND r.id <= coalesce(s.lastReplyId, 9223372036854775807)
                ORDER BY r.createdAt, r.id)), '')
        FROM ticket t LEFT JOIN ticket_search_split s ON s.ticketId = t.id;

        CREATE VIEW ticket_search_reply_document(id, ticketId, body) AS
        SELECT r.id, r.ticketId, r.message
        FROM ticket_search_split s JOIN response r ON r.ticketId = s.ticketId AND r.id > s.lastReplyId
        WHERE r.isInternal = 0;

        CREATE VIEW ticket_search_note_document(id, ticketId, note) AS
        SELECT r.id, r.ticketId, r.message FROM response r WHERE r.isInternal = 1;

        CREATE VIRTUAL TABLE ticket_search USING fts5(subject, body,
            content = 'ticket_search_document', content_rowid = 'id', tokenize = 'porter unicode61');
        CREATE VIRTUAL TABLE ticket_search_reply USING fts5(body,
            content = 'ticket_search_reply_document', content_rowid = 'id', tokenize = 'porter unicode61');
        CREATE VIRTUAL TABLE ticket_search_note USING fts5(note,
            content = 'ticket_search_note_document', content_rowid = 'id', tokenize = 'porter unicode61');

        CREATE TRIGGER ticket_search_insert AFTER INSERT ON ticket BEGIN
            INSERT INTO ticket_search(rowid, subject, body)
                SELECT id, subject, body FROM ticket_search_document WHERE id = NEW.id;
        END;
        CREATE TRIGGER ticket_search_before_update BEFORE UPDATE OF subject, message ON ticket
        WHEN OLD.subject IS NOT NEW.subject OR OLD.message IS NOT NEW.message BEGIN
            INSERT INTO ticket_search(ticket_search, rowid, subject, body)
                SELECT 'delete', id, subject, body FROM ticket_search_document WHERE id = OLD.id;
        END;
        CREATE TRIGGER ticket_search_after_update AFTER UPDATE OF subject, message ON ticket
        WHEN OLD.subject IS NOT NEW.subject OR OLD.message IS NOT NEW.message BEGIN
            INSERT INTO ticket_search(rowid, subject, body)
                SELECT id, subject, body FROM ticket_search_document WHERE id = NEW.id;
        END;
        -- As v10: folding first puts every public reply in the document and empties the tail.
        -- The notes go with the cascade, each by its own delete trigger.
        CREATE TRIGGER ticket_search_delete BEFORE DELETE ON ticket BEGIN
            DELETE FROM ticket_search_split WHERE ticketId = OLD.id;
            INSERT INTO ticket_search(ticket_search, rowid, subject, body)
                SELECT 'delete', id, subject, body FROM ticket_search_document WHERE id = OLD.id;
        END;
        CREATE TRIGGER ticket_search_fold BEFORE DELETE ON ticket_search_split BEGIN
            INSERT INTO ticket_search(ticket_search, rowid, subject, body)
                SELECT 'delete', id, subject, body FROM ticket_search_document WHERE id = OLD.ticketId;
            INSERT INTO ticket_search_reply(ticket_search_reply, rowid, body)
                SELECT 'delete', id, body FROM ticket_search_reply_document WHERE ticketId = OLD.ticketId;
        END;
        CREATE TRIGGER ticket_search_folded AFTER DELETE ON ticket_search_split BEGIN
            INSERT INTO ticket_search(rowid, subject, body)
                SELECT id, subject, body FROM ticket_search_document WHERE id = OLD.ticketId;
        END;

        -- A public reply: v10's rules (a short ticket re-indexed, a long one split, its tail
        -- folded back at 16), counting every reply of the ticket, notes too, as v10 did.
        CREATE TRIGGER response_search_before_insert BEFORE INSERT ON response
        WHEN NEW.isInternal = 0
            AND NOT ((NEW.id = -1 OR NOT EXISTS (SELECT 1 FROM response WHERE ticketId = NEW.ticketId AND id > NEW.id))
            AND (EXISTS (SELECT 1 FROM ticket_search_split WHERE ticketId = NEW.ticketId)
                OR (SELECT count(*) FROM (SELECT 1 FROM response WHERE ticketId = NEW.ticketId LIMIT 32)) >= 32)) BEGIN
            INSERT INTO ticket_search(ticket_search, rowid, subject, body)
                SELECT 'delete', id, subject, body FROM ticket_search_document WHERE id = NEW.ticketId;
        END;
        CREATE TRIGGER response_search_after_insert AFTER INSERT ON response WHEN NEW.isInternal = 0 BEGIN
            INSERT INTO ticket_search(rowid, subject, body)
                SELECT id, subject, body FROM ticket_search_document WHERE id = NEW.ticketId
                AND NOT (NOT EXISTS (SELECT 1 FROM response WHERE ticketId = NEW.ticketId AND id > NEW.id)
                    AND (EXISTS (SELECT 1 FROM ticket_search_split WHERE ticketId = NEW.ticketId)
                        OR (SELECT count(*) FROM (SELECT 1 FROM response WHERE ticketId = NEW.ticketId LIMIT 33)) > 32));
            INSERT INTO ticket_search_split(ticketId, lastReplyId)
                SELECT NEW.ticketId, NEW.id - 1
                WHERE NOT EXISTS (SELECT 1 FROM ticket_search_split WHERE ticketId = NEW.ticketId)
                AND NOT EXISTS (SELECT 1 FROM response WHERE ticketId = NEW.ticketId AND id > NEW.id)
                AND (SELECT count(*) FROM (SELECT 1 FROM response WHERE ticketId = NEW.ticketId LIMIT 33)) > 32;
            INSERT INTO ticket_search_reply(rowid, body)
                SELECT NEW.id, NEW.message FROM ticket_search_split WHERE ticketId = NEW.ticketId AND NEW.id > lastReplyId;
            DELETE FROM ticket_search_split WHERE ticketId = NEW.ticketId
                AND (SELECT count(*) FROM (SELECT 1 FROM response r
                    WHERE r.ticketId = NEW.ticketId AND r.id > ticket_search_split.lastReplyId LIMIT 16)) >= 16;
        END;
        CREATE TRIGGER response_search_before_delete BEFORE DELETE ON response WHEN OLD.isInternal = 0 BEGIN
            INSERT INTO ticket_search(ticket_search, rowid, subject, body)
                SELECT 'delete', id, subject, body FROM ticket_search_document WHERE id = OLD.ticketId;
            INSERT INTO ticket_search_reply(ticket_search_reply, rowid, body)
                SELECT 'delete', id, body FROM ticket_search_reply_document WHERE id = OLD.id;
        END;
        CREATE TRIGGER response_search_after_delete AFTER DELETE ON response WHEN OLD.isInternal = 0 BEGIN
            INSERT INTO ticket_search(rowid, subject, body)
                SELECT id, subject, body FROM ticket_search_document WHERE id = OLD.ticketId;
        END;
        -- A reply that is or becomes public: the documents of both tickets out and back in, and
        -- its tail document (the views say where it belongs).
        CREATE TRIGGER response_search_before_update BEFORE UPDATE OF id, ticketId, message, isInternal, createdAt ON response
        WHEN OLD.isInternal = 0 OR NEW.isInternal = 0 BEGIN
            INSERT INTO ticket_search(ticket_search, rowid, subject, body)
                SELECT 'delete', id, subject, body FROM ticket_search_document WHERE id IN (OLD.ticketId, NEW.ticketId);
            INSERT INTO ticket_search_reply(ticket_search_reply, rowid, body)
                SELECT 'delete', id, body FROM ticket_search_reply_document WHERE id = OLD.id;
        END;
        CREATE TRIGGER response_search_after_update AFTER UPDATE OF id, ticketId, message, isInternal, createdAt ON response
        WHEN OLD.isInternal = 0 OR NEW.isInternal = 0 BEGIN
            INSERT INTO ticket_search(rowid, subject, body)
                SELECT id, subject, body FROM ticket_search_document WHERE id IN (OLD.ticketId, NEW.ticketId);
            INSERT INTO ticket_search_reply(rowid, body)
                SELECT id, body FROM ticket_search_reply_document WHERE id = NEW.id;
        END;

        -- An internal note: its own document, in from NEW and out with OLD (the very text indexed).
        CREATE TRIGGER response_note_search_insert AFTER INSERT ON response WHEN NEW.isInternal = 1 BEGIN
            INSERT INTO ticket_search_note(rowid, note) VALUES (NEW.id, NEW.message);
        END;
        CREATE TRIGGER response_note_search_delete AFTER DELETE ON response WHEN OLD.isInternal = 1 BEGIN
            INSERT INTO ticket_search_note(ticket_search_note, rowid, note) VALUES ('delete', OLD.id, OLD.message);
        END;
        CREATE TRIGGER response_note_search_before_update BEFORE UPDATE OF id, message, isInternal ON response
        WHEN OLD.isInternal = 1 BEGIN
            INSERT INTO ticket_search_note(ticket_search_note, rowid, note) VALUES ('delete', OLD.id, OLD.message);
        END;
        CREATE TRIGGER response_note_search_after_update AFTER UPDATE OF id, message, isInternal ON response
        WHEN NEW.isInternal = 1 BEGIN
            INSERT INTO ticket_search_note(rowid, note) VALUES (NEW.id, NEW.message);
        END;
        """
}

extension AppDatabase {
    /// Rows a range of `fillInRanges` holds: a progress report every so many, each range one
    /// statement (FTS5 keeps its pending terms across them until the transaction ends).
    static let fillRange = 20_000

    /// `fillInRanges`'s `ids` for a fill of one row per ticket, in ticket id order.
    static let ticketIDRanges = "SELECT id FROM ticket WHERE id > ? ORDER BY id LIMIT 1 OFFSET ?"

    /// Runs `insert` (arguments: a range of ids, the lower bound excluded) over the ids `ids`
    /// finds (arguments: the last id done, an offset; one id), `fillRange` ids at a time in id
    /// order, telling `progress` how many rows each range held. `rows`: how many there are.
    static func fillInRanges(_ db: Database, ids: String, rows: Int, insert: String, progress: (Int) -> Void) throws {
        var lower = Int64.min
        var left = rows
        while left > 0 {
            // The last id of this range; none when fewer than a range's worth are left.
            let upper = try Int64.fetchOne(db, sql: ids, arguments: [lower, fillRange - 1])
            try db.execute(sql: insert, arguments: [lower, upper ?? Int64.max])
            let held = upper == nil ? left : fillRange
            left -= held
            progress(held)
            guard let upper else { break }
            lower = upper
        }
    }
}

extension AppDatabase {
    /// Migration `ticket-search-staff-documents`: staff search is one full-text look-up, as a
    /// requester's is (issue 14).
    ///
    /// Since notes had an index of their own (one document per note), a staff search whose
    /// words occur in notes combined, per word, the tickets' documents with every matching
    /// note mapped to its ticket: sets of hundreds of thousands of ids at a million tickets
    /// (0.85-5.8 s against 50-660 ms for one MATCH, docs/benchmarks.md). FTS5 answers "every
    /// word in one document" only within one table, so staff get a document of their own:
    ///
    /// - `ticket_search_staff(subject, body, notes)`, rowid = the ticket's id: the public
    ///   document's subject and body, and the ticket's internal notes, up to the same mark of a
    ///   long ticket (`ticket_search_split`). Staff search is one MATCH on it; a requester's
    ///   never names it, so a requester still never reads a note (issue 13, item 16: a column
    ///   filter on one shared document would have read them, 58 ms against 0.8 for a requester's
    ///   20 tickets and a word in 50,000 notes, measured before choosing).
    /// - `ticket_search_note(note)` now holds only the notes past a long ticket's mark (its
    ///   tail, as `ticket_search_reply` holds the public replies past it): a few per split
    ///   ticket, folded back into the staff document with them every 16 replies.
    /// - A note to a short ticket re-indexes the staff document (at most 32 replies read), as a
    ///   public reply re-indexes both; a reply or note to a long ticket is indexed alone, in
    ///   its tail. The public text is indexed twice (the price: about 460 MiB more at a million
    ///   tickets, docs/benchmarks.md).
    ///
    /// The views stay the one definition of what each index holds, for the triggers, `rebuild`
    /// and FTS5's integrity check.
    static let ticketSearchStaffSchema = """
        DROP TRIGGER ticket_search_insert;
        DROP TRIGGER ticket_search_before_update;
        DROP TRIGGER ticket_search_after_update;
        DROP TRIGGER ticket_search_delete;
        DROP TRIGGER ticket_search_fold;
        DROP TRIGGER ticket_search_folded;
        DROP TRIGGER response_search_before_insert;
        DROP TRIGGER response_search_after_insert;
        DROP TRIGGER response_search_before_delete;
        DROP TRIGGER response_search_after_delete;
        DROP TRIGGER response_search_before_update;
        DROP TRIGGER response_search_after_update;
        DROP TRIGGER response_note_search_insert;
        DROP TRIGGER response_note_search_delete;
        DROP TRIGGER response_note_search_before_update;
        DROP TRIGGER response_note_search_after_update;
        DROP TABLE ticket_search_note;
        DROP VIEW ticket_search_note_document;

        CREATE VIEW ticket_search_staff_document(id, subject, body, notes) AS
        SELECT t.id, t.subject,
            t.message || coalesce((SELECT group_concat(text, '') FROM (
                SELECT char(10) || r.message AS text FROM response r
                WHERE r.ticketId = t.id AND r.isInternal = 0 AND r.id <= coalesce(s.lastReplyId, 9223372036854775807)
                ORDER BY r.createdAt, r.id)), ''),
            coalesce((SELECT group_concat(text, char(10)) FROM (
                SELECT r.message AS text FROM response r
                WHERE r.ticketId = t.id AND r.isInternal = 1 AND r.id <= coalesce(s.lastReplyId, 9223372036854775807)
                ORDER BY r.createdAt, r.id)), '')
        FROM ticket t LEFT JOIN ticket_search_split s ON s.ticketId = t.id;

        CREATE VIEW ticket_search_note_document(id, ticketId, note) AS
        SELECT r.id, r.ticketId, r.message
        FROM ticket_search_split s JOIN response r ON r.ticketId = s.ticketId AND r.id > s.lastReplyId
        WHERE r.isInternal = 1;

        CREATE VIRTUAL TABLE ticket_search_staff USING fts5(subject, body, notes,
            content = 'ticket_search_staff_document', content_rowid = 'id', tokenize = 'porter unicode61');
        CREATE VIRTUAL TABLE ticket_search_note USING fts5(note,
            content = 'ticket_search_note_document', content_rowid = 'id', tokenize = 'porter unicode61');

        CREATE TRIGGER ticket_search_insert AFTER INSERT ON ticket BEGIN
            INSERT INTO ticket_search(rowid, subject, body)
                SELECT id, subject, body FROM ticket_search_document WHERE id = NEW.id;
            INSERT INTO ticket_search_staff(rowid, subject, body, notes)
                SELECT id, subject, body, notes FROM ticket_search_staff_document WHERE id = NEW.id;
        END;
        CREATE TRIGGER ticket_search_before_update BEFORE UPDATE OF subject, message ON ticket
        WHEN OLD.subject IS NOT NEW.subject OR OLD.message IS NOT NEW.message BEGIN
            INSERT INTO ticket_search(ticket_search, rowid, subject, body)
                SELECT 'delete', id, subject, body FROM ticket_search_document WHERE id = OLD.id;
            INSERT INTO ticket_search_staff(ticket_search_staff, rowid, subject, body, notes)
                SELECT 'delete', id, subject, body, notes FROM ticket_search_staff_document WHERE id = OLD.id;
        END;
        CREATE TRIGGER ticket_search_after_update AFTER UPDATE OF subject, message ON ticket
        WHEN OLD.subject IS NOT NEW.subject OR OLD.message IS NOT NEW.message BEGIN
            INSERT INTO ticket_search(rowid, subject, body)
                SELECT id, subject, body FROM ticket_search_document WHERE id = NEW.id;
            INSERT INTO ticket_search_staff(rowid, subject, body, notes)
                SELECT id, subject, body, notes FROM ticket_search_staff_document WHERE id = NEW.id;
        END;
        -- As v10: folding first puts every reply and note in the documents and empties the
        -- tails. The replies' own delete triggers, run by the cascade after the ticket row is
        -- gone, then find neither a document nor a split row.
        CREATE TRIGGER ticket_search_delete BEFORE DELETE ON ticket BEGIN
            DELETE FROM ticket_search_split WHERE ticketId = OLD.id;
            INSERT INTO ticket_search(ticket_search, rowid, subject, body)
                SELECT 'delete', id, subject, body FROM ticket_search_document WHERE id = OLD.id;
            INSERT INTO ticket_search_staff(ticket_search_staff, rowid, subject, body, notes)
                SELECT 'delete', id, subject, body, notes FROM ticket_search_staff_document WHERE id = OLD.id;
        END;
        CREATE TRIGGER ticket_search_fold BEFORE DELETE ON ticket_search_split BEGIN
            INSERT INTO ticket_search(ticket_search, rowid, subject, body)
                SELECT 'delete', id, subject, body FROM ticket_search_document WHERE id = OLD.ticketId;
            INSERT INTO ticket_search_staff(ticket_search_staff, rowid, subject, body, notes)
                SELECT 'delete', id, subject, body, notes FROM ticket_search_staff_document WHERE id = OLD.ticketId;
            INSERT INTO ticket_search_reply(ticket_search_reply, rowid, body)
                SELECT 'delete', id, body FROM ticket_search_reply_document WHERE ticketId = OLD.ticketId;
            INSERT INTO ticket_search_note(ticket_search_note, rowid, note)
                SELECT 'delete', id, note FROM ticket_search_note_document WHERE ticketId = OLD.ticketId;
        END;
        CREATE TRIGGER ticket_search_folded AFTER DELETE ON ticket_search_split BEGIN
            INSERT INTO ticket_search(rowid, subject, body)
                SELECT id, subject, body FROM ticket_search_document WHERE id = OLD.ticketId;
            INSERT INTO ticket_search_staff(rowid, subject, body, notes)
                SELECT id, subject, body, notes FROM ticket_search_staff_document WHERE id = OLD.ticketId;
        END;

        -- v10's rules, for notes as for public replies: a reply or note to a short ticket
        -- re-indexes its documents (a note only the staff one); one to a long ticket, newer than
        -- every other reply of it, marks the ticket split and is indexed alone in its tail; a
        -- tail of 16 is folded back. The BEFORE and AFTER conditions are the same question,
        -- asked without and with NEW.
        CREATE TRIGGER response_search_before_insert BEFORE INSERT ON response
        WHEN NOT ((NEW.id = -1 OR NOT EXISTS (SELECT 1 FROM response WHERE ticketId = NEW.ticketId AND id > NEW.id))
            AND (EXISTS (SELECT 1 FROM ticket_search_split WHERE ticketId = NEW.ticketId)
                OR (SELECT count(*) FROM (SELECT 1 FROM response WHERE ticketId = NEW.ticketId LIMIT 32)) >= 32)) BEGIN
            INSERT INTO ticket_search(ticket_search, rowid, subject, body)
                SELECT 'delete', id, subject, body FROM ticket_search_document WHERE id = NEW.ticketId AND NEW.isInternal = 0;
            INSERT INTO ticket_search_staff(ticket_search_staff, rowid, subject, body, notes)
                SELECT 'delete', id, subject, body, notes FROM ticket_search_staff_document WHERE id = NEW.ticketId;
        END;
        CREATE TRIGGER response_search_after_insert AFTER INSERT ON response BEGIN
            INSERT INTO ticket_search(rowid, subject, body)
                SELECT id, subject, body FROM ticket_search_document WHERE id = NEW.ticketId AND NEW.isInternal = 0
                AND NOT (NOT EXISTS (SELECT 1 FROM response WHERE ticketId = NEW.ticketId AND id > NEW.id)
                    AND (EXISTS (SELECT 1 FROM ticket_search_split WHERE ticketId = NEW.ticketId)
                        OR (SELECT count(*) FROM (SELECT 1 FROM response WHERE ticketId = NEW.ticketId LIMIT 33)) > 32));
            INSERT INTO ticket_search_staff(rowid, subject, body, notes)
                SELECT id, subject, body, notes FROM ticket_search_staff_document WHERE id = NEW.ticketId
                AND NOT (NOT EXISTS (SELECT 1 FROM response WHERE ticketId = NEW.ticketId AND id > NEW.id)
                    AND (EXISTS (SELECT 1 FROM ticket_search_split WHERE ticketId = NEW.ticketId)
                        OR (SELECT count(*) FROM (SELECT 1 FROM response WHERE ticketId = NEW.ticketId LIMIT 33)) > 32));
            INSERT INTO ticket_search_split(ticketId, lastReplyId)
                SELECT NEW.ticketId, NEW.id - 1
                WHERE NOT EXISTS (SELECT 1 FROM ticket_search_split WHERE ticketId = NEW.ticketId)
                AND NOT EXISTS (SELECT 1 FROM response WHERE ticketId = NEW.ticketId AND id > NEW.id)
                AND (SELECT count(*) FROM (SELECT 1 FROM response WHERE ticketId = NEW.ticketId LIMIT 33)) > 32;
            INSERT INTO ticket_search_reply(rowid, body)
                SELECT NEW.id, NEW.message FROM ticket_search_split
                WHERE ticketId = NEW.ticketId AND NEW.id > lastReplyId AND NEW.isInternal = 0;
            INSERT INTO ticket_search_note(rowid, note)
                SELECT NEW.id, NEW.message FROM ticket_search_split
                WHERE ticketId = NEW.ticketId AND NEW.id > lastReplyId AND NEW.isInternal = 1;
            DELETE FROM ticket_search_split WHERE ticketId = NEW.ticketId
                AND (SELECT count(*) FROM (SELECT 1 FROM response r
                    WHERE r.ticketId = NEW.ticketId AND r.id > ticket_search_split.lastReplyId LIMIT 16)) >= 16;
        END;
        -- A reply or note deleted or changed: its ticket's documents out and back in (the views
        -- say whether it is in them; the public one only for public text), and its own tail
        -- document if it has one.
        CREATE TRIGGER response_search_before_delete BEFORE DELETE ON response BEGIN
            INSERT INTO ticket_search(ticket_search, rowid, subject, body)
                SELECT 'delete', id, subject, body FROM ticket_search_document WHERE id = OLD.ticketId AND OLD.isInternal = 0;
            INSERT INTO ticket_search_staff(ticket_search_staff, rowid, subject, body, notes)
                SELECT 'delete', id, subject, body, notes FROM ticket_search_staff_document WHERE id = OLD.ticketId;
            INSERT INTO ticket_search_reply(ticket_search_reply, rowid, body)
                SELECT 'delete', id, body FROM ticket_search_reply_document WHERE id = OLD.id;
            INSERT INTO ticket_search_note(ticket_search_note, rowid, note)
                SELECT 'delete', id, note FROM ticket_search_note_document WHERE id = OLD.id;
        END;
        CREATE TRIGGER response_search_after_delete AFTER DELETE ON response BEGIN
            INSERT INTO ticket_search(rowid, subject, body)
                SELECT id, subject, body FROM ticket_search_document WHERE id = OLD.ticketId AND OLD.isInternal = 0;
            INSERT INTO ticket_search_staff(rowid, subject, body, notes)
                SELECT id, subject, body, notes FROM ticket_search_staff_document WHERE id = OLD.ticketId;
        END;
        CREATE TRIGGER response_search_before_update BEFORE UPDATE OF id, ticketId, message, isInternal, createdAt ON response BEGIN
            INSERT INTO ticket_search(ticket_search, rowid, subject, body)
                SELECT 'delete', id, subject, body FROM ticket_search_document
                WHERE id IN (OLD.ticketId, NEW.ticketId) AND (OLD.isInternal = 0 OR NEW.isInternal = 0);
            INSERT INTO ticket_search_staff(ticket_search_staff, rowid, subject, body, notes)
                SELECT 'delete', id, subject, body, notes FROM ticket_search_staff_document WHERE id IN (OLD.ticketId, NEW.ticketId);
            INSERT INTO ticket_search_reply(ticket_search_reply, rowid, body)
                SELECT 'delete', id, body FROM ticket_search_reply_document WHERE id = OLD.id;
            INSERT INTO ticket_search_note(ticket_search_note, rowid, note)
                SELECT 'delete', id, note FROM ticket_search_note_document WHERE id = OLD.id;
        END;
        CREATE TRIGGER response_search_after_update AFTER UPDATE OF id, ticketId, message, isInternal, createdAt ON response BEGIN
            INSERT INTO ticket_search(rowid, subject, body)
                SELECT id, subject, body FROM ticket_search_document
                WHERE id IN (OLD.ticketId, NEW.ticketId) AND (OLD.isInternal = 0 OR NEW.isInternal = 0);
            INSERT INTO ticket_search_staff(rowid, subject, body, notes)
                SELECT id, subject, body, notes FROM ticket_search_staff_document WHERE id IN (OLD.ticketId, NEW.ticketId);
            INSERT INTO ticket_search_reply(rowid, body)
                SELECT id, body FROM ticket_search_reply_document WHERE id = NEW.id;
            INSERT INTO ticket_search_note(rowid, note)
                SELECT id, note FROM ticket_search_note_document WHERE id = NEW.id;
        END;
        """
}
