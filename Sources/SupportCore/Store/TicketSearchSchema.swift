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
