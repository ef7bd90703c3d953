import Foundation

/// Mail in: one message, as an MTA hands it over, becomes a ticket, a reply, a bounce or a
/// record of why nothing happened; all of it, with its audit records and the mail it causes, in
/// one transaction. The rules (threading, who may add to a ticket, loops) live here; the store
/// only reads and writes.
extension HelpDesk {
    /// Ingests one message. `size` is the whole size when `bytes` is only its head (the caller
    /// stopped reading at `mail_max_bytes`): such a message is kept cut and quarantined.
    /// Throws only when the database cannot be written (busy, full, read-only): the MTA must then
    /// keep the message and try again. A message that cannot be read is quarantined instead.
    public func ingest(_ bytes: [UInt8], size: Int? = nil) throws(SupportError) -> InboundRecord {
        try requireAdmin("ingest mail")
        return try ingest(bytes, size: max(size ?? bytes.count, bytes.count), replacing: nil)
    }

    /// Ingests a quarantined message again (after the parser learned to read it, say).
    public func retryInbound(id: Int64) throws(SupportError) -> InboundRecord {
        try requireAdmin("retry mail")
        guard let (record, raw) = try database.inboundMessage(id: id) else {
            throw .notFound("no message \(id) in the mail list")
        }
        guard record.outcome == .quarantined else {
            throw .invalidInput(field: "id", "message \(id) was \(record.outcome.rawValue); only quarantined messages can be retried")
        }
        guard !record.truncated else {
            throw .invalidInput(field: "id", "message \(id) was cut at mail_max_bytes (\(record.size) bytes); only its head was kept")
        }
        return try ingest(raw, size: raw.count, replacing: id)
    }

    /// Ingested messages, newest first (admin only: they hold every requester's mail).
    public func inboundMail(outcome: InboundRecord.Outcome? = nil, limit: Int = 1000) throws(SupportError) -> [InboundRecord] {
        try requireAdmin("read the mail list")
        return try database.inboundRecords(outcome: outcome, limit: limit)
    }

    /// The bytes of one ingested message, as received.
    public func inboundRaw(id: Int64) throws(SupportError) -> [UInt8] {
        try inboundMessage(id: id).raw
    }

    /// One ingested message: its record and its bytes as received (empty for a duplicate: the
    /// first copy keeps them).
    public func inboundMessage(id: Int64) throws(SupportError) -> (record: InboundRecord, raw: [UInt8]) {
        try requireAdmin("read ingested mail")
        guard let message = try database.inboundMessage(id: id) else { throw .notFound("no message \(id) in the mail list") }
        return message
    }

    func ingest(_ bytes: [UInt8], size: Int, replacing: Int64?) throws(SupportError) -> InboundRecord {
        // Parsed before the transaction: it can take a while, and holds no lock.
        let parsed = ParsedInbound(bytes, size: size)
        // A message the rules refuse is quarantined, as in a batch: an MTA bounces a message
        // whose pipe exits 65 (here it did), which can loop with an autoresponder.
        let result = try database.mailIn { tx in try storeIsolated(parsed, replacing: replacing, tx) }
        logger.debug("ingested mail", metadata: ["outcome": "\(result.outcome.rawValue)", "id": "\(result.id)"])
        return result
    }

    /// How many messages, and how many of their bytes, one transaction of `ingest(from:committed:)`
    /// takes at most. A commit per message was most of a Maildir run's time (docs/benchmarks.md);
    /// a batch much larger saves little more, holds the write lock longer against an MTA's
    /// single-message ingest, and holds its messages in memory.
    static let mailBatchMessages = 200
    static let mailBatchBytes = 32 * 1024 * 1024

    /// Ingests many messages (a Maildir, an mbox; a server's queue) in batches: one transaction a
    /// batch, each message in it a savepoint of its own. `next` hands over the messages one at a
    /// time, each with whatever the caller needs to find it again (its file, say) and its whole
    /// size when the bytes are only its head; nil ends the run. `committed` hears each batch once
    /// its transaction committed, record by record in the order `next` gave them: only then may
    /// the caller mark them done (move them to cur/), so a run killed before the commit leaves
    /// the whole batch to the next run, which ingests each message once.
    ///
    /// Every message becomes what `ingest(_:size:)` would have made of it, in the same order:
    /// duplicates, threading, rate limits and mail are decided inside the batch's transaction and
    /// see the messages before them. A message the rules refuse (one-at-a-time ingest would stop
    /// the run there) has its writes undone and is quarantined with the reason, and the batch goes
    /// on. A database that is busy, locked, full or unwritable fails the whole batch: nothing of it
    /// is committed or reported, the error is thrown, and its messages are left to a re-run. An
    /// error thrown by `next` stops the run after the messages before it are committed and
    /// reported.
    ///
    /// `maildirFile` names the Maildir file of a source (its unique name), when the sources are
    /// files that `committed` moves: the name is recorded with the message in the batch's
    /// transaction, so that a run killed after a commit, before the moves, leaves the next run
    /// files it knows for its own. Such a file is not recorded again (no duplicate): `committed`
    /// hears it with the record it got the first time, and moves it.
    public func ingest<Source>(
        from next: () throws(SupportError) -> (source: Source, bytes: [UInt8], size: Int)?,
        maildirFile: (Source) -> String? = { _ in nil },
        committed: ([(source: Source, record: InboundRecord)]) throws(SupportError) -> Void
    ) throws(SupportError) {
        try requireAdmin("ingest mail")
        try database.withMailBatchCache { () throws(SupportError) in try ingestBatches(from: next, maildirFile: maildirFile, committed: committed) }
    }

    private func ingestBatches<Source>(
        from next: () throws(SupportError) -> (source: Source, bytes: [UInt8], size: Int)?,
        maildirFile: (Source) -> String?,
        committed: ([(source: Source, record: InboundRecord)]) throws(SupportError) -> Void
    ) throws(SupportError) {
        func read() -> MailBatchRead<Source> {
            var batch = MailBatchRead<Source>()
            var bytes = 0
            while batch.messages.count < Self.mailBatchMessages, bytes < Self.mailBatchBytes {
                let message: (source: Source, bytes: [UInt8], size: Int)?
                do {
                    message = try next()
                } catch {
                    batch.stop = error
                    break
                }
                guard let message else {
                    batch.finished = true
                    break
                }
                bytes += message.bytes.count
                batch.sources.append(message.source)
                batch.messages.append((message.bytes, max(message.size, message.bytes.count), maildirFile(message.source)))
            }
            return batch
        }
        // Each batch is parsed (on every core) while the one before it is written: parsing was
        // a fifth of a Maildir run's CPU, and the write transaction keeps one core busy at most
        // (docs/benchmarks.md, "Mail in: speed"). Two batches are in memory at a time.
        var current = read()
        var parsing = current.messages.isEmpty ? nil : ParsingBatch(current.messages)
        current.messages = []
        while let batch = parsing {
            let parsed = batch.wait()
            // Read and start parsing the next batch before this one is written; reading changes
            // nothing, so a failed write leaves every message of both where it was.
            var following = MailBatchRead<Source>()
            if current.stop == nil, !current.finished {
                following = read()
            }
            parsing = following.messages.isEmpty ? nil : ParsingBatch(following.messages)
            following.messages = []
            let records: [InboundRecord]
            do {
                records = try database.mailIn { tx in
                    // Read once for the batch, before any savepoint: the key the desk signs with is
                    // made on first use, and a savepoint rolled back must not take it away from the
                    // messages after it.
                    try tx.prepareBatch()
                    let records = try parsed.map { parsed in try storeIsolated(parsed, tx) }
                    try tx.finishBatch()
                    return records
                }
            } catch {
                // The batch being parsed is let finish before the error goes up: its threads
                // read memory this call owns.
                _ = parsing?.wait()
                throw error
            }
            for record in records {
                logger.debug("ingested mail", metadata: ["outcome": "\(record.outcome.rawValue)", "id": "\(record.id)"])
            }
            do {
                try committed(zip(current.sources, records).map { ($0, $1) })
            } catch {
                _ = parsing?.wait()
                throw error
            }
            if let stop = current.stop {
                _ = parsing?.wait()
                throw stop
            }
            current = following
        }
        if let stop = current.stop { throw stop }
    }

    /// One message of a batch: stored as `store` stores it, or, when the rules refuse it,
    /// quarantined with the reason and none of its other writes.
    func storeIsolated(_ parsed: ParsedInbound, replacing: Int64? = nil, _ tx: any MailInTransaction) throws -> InboundRecord {
        switch try tx.isolated({ try store(parsed, replacing: replacing, tx) }) {
        case .success(let record):
            return record
        case .failure(let error):
            var draft = parsed.base
            draft.outcome = .quarantined
            draft.reason = Self.clip("not stored: \(error.message)", 1000)
            let record = try tx.saveRecord(draft, replacing: replacing)
            parsed.base.raw = []
            return record
        }
    }

    /// What a message becomes, written inside `tx`: a duplicate, a quarantined or too-large
    /// record, or whatever `route` makes of it; the record of it last.
    func store(_ parsed: ParsedInbound, replacing: Int64?, _ tx: any MailInTransaction) throws -> InboundRecord {
        let base = parsed.base
        if let earlier = try tx.earlierRecord(messageID: base.messageID, digest: base.digest, excluding: replacing) {
            // The same bytes from the same Maildir file: this desk committed it in a run killed
            // before it moved the file to cur/. Its record stands; the caller only moves it.
            if let file = base.maildirFile, let own = try tx.record(maildirFile: file, digest: base.digest) {
                parsed.base.raw = []
                return own
            }
            var duplicate = base
            duplicate.outcome = .duplicate
            duplicate.reason = "already ingested as #\(earlier)"
            // The first copy keeps the bytes; an MTA retrying a message must not fill the disk.
            duplicate.raw = []
            return try tx.saveRecord(duplicate, replacing: replacing)
        }
        guard parsed.mail != nil else {
            var draft = base
            if let head = parsed.head {
                draft.reason = (draft.reason ?? "too large") + "; "
                    + (try tooLargeNotice(head, size: base.size, kept: base.raw.count, tx))
            }
            let record = try tx.saveRecord(draft, replacing: replacing)
            parsed.base.raw = []
            return record
        }
        var draft: InboundRecordDraft
        do {
            // The decoded parts (a 50 MB attachment) are let go before the raw message is
            // written, so the two are never in memory beside SQLite's copy of the record.
            let readable = parsed.mail.take()!
            draft = try route(readable, text: parsed.storedText, base: base, tx)
        }
        // Rules refuse bad text as invalid input; a message is never refused, so none may be left.
        if draft.outcome == .quarantined, draft.reason == nil { draft.reason = "not understood" }
        let record = try tx.saveRecord(draft, replacing: replacing)
        // Let go once written (a batch keeps its messages until it commits, not their bytes).
        draft.raw = []
        parsed.base.raw = []
        return record
    }

    /// Decides what a readable message becomes and writes it (the record itself excepted).
    /// `text` is what a reply or ticket made from it says: `storedText(mail)`.
    func route(_ mail: InboundMail, text: String, base: InboundRecordDraft, _ tx: any MailInTransaction) throws -> InboundRecordDraft {
        var draft = base
        let settings = try tx.settings()
        let desk = settings.text(.supportEmail).lowercased()

        if let report = mail.deliveryStatus {
            return try bounce(report, mail: mail, draft: draft, tx)
        }
        func ignored(_ reason: String) -> InboundRecordDraft {
            draft.outcome = .ignored
            draft.reason = reason
            return draft
        }
        guard let from = mail.from.first, let sender = try? Validation.email(from.email, field: "from") else {
            draft.reason = mail.from.isEmpty ? "no sender address (From)" : "the sender address cannot be used"
            return draft
        }
        draft.sender = sender
        if let loop = try loopReason(mail, sender: sender, desk: desk, tx) {
            return ignored(loop)
        }
        let found = try thread(mail, sender: sender, desk: desk, tx)
        let author = try tx.user(email: sender)
        let allowed = found.map { ticket in author?.role.isStaff == true || ticket.submittedBy.email == sender } ?? false

        if mail.isOutOfOffice {
            guard let ticket = found, allowed, let author else { return ignored("out-of-office reply naming no ticket") }
            let response = try tx.addResponse(to: ticket.ticketNumber, message: text, by: .existing(userID: author.id),
                                              reopens: false, touches: false, mail: nil, attachments: Self.files(of: mail))
            try remember(draft.messageID, on: ticket.ticketNumber, from: sender, tx)
            draft.outcome = .replied
            draft.reason = "out-of-office reply: stored, status unchanged, nobody notified"
            draft.ticketNumber = ticket.ticketNumber
            draft.responseID = response.id
            return draft
        }
        if mail.isAutomatic {
            return ignored(mail.automaticReason ?? "automatic mail")
        }

        if let ticket = found, allowed, let author {
            let reopenDays = Double(settings.integer(.mailReopenDays))
            if ticket.status == .closed, let closedAt = ticket.closedAt,
               try tx.now().timeIntervalSince(closedAt) > reopenDays * 86_400 {
                let created = try openTicket(mail, text: text, sender: sender, settings: settings, tx,
                                             preface: "Follow-up to \(ticket.ticketNumber) (closed \(ISO8601.string(closedAt))):\n\n")
                draft.outcome = .created
                draft.reason = "reply to \(ticket.ticketNumber), closed more than \(Int(reopenDays)) days ago: new ticket"
                draft.ticketNumber = created.ticketNumber
                return draft
            }
            let response = try tx.addResponse(
                to: ticket.ticketNumber, message: text, by: .existing(userID: author.id),
                reopens: !author.role.isStaff, touches: true,
                mail: { response in mailPlan(.replied(response), actorEmail: sender, attachments: Self.files(of: mail)) },
                attachments: Self.files(of: mail))
            try remember(draft.messageID, on: ticket.ticketNumber, from: sender, tx)
            draft.outcome = .replied
            draft.reason = author.role.isStaff ? "reply by staff" : "reply by the requester"
            draft.ticketNumber = ticket.ticketNumber
            draft.responseID = response.id
            return draft
        }
        let created = try openTicket(mail, text: text, sender: sender, settings: settings, tx, preface: "")
        draft.outcome = .created
        draft.reason = found.map { "names \($0.ticketNumber) but comes from neither its requester nor staff: new ticket" }
        draft.ticketNumber = created.ticketNumber
        return draft
    }

    /// Why a message is the desk's own mail coming back, if it is.
    func loopReason(_ mail: InboundMail, sender: String, desk: String, _ tx: any MailInTransaction) throws -> String? {
        if !desk.isEmpty, sender == desk {
            return "from the desk's own address"
        }
        if !desk.isEmpty, let loop = mail.header("X-Loop"), loop.lowercased().contains(desk) {
            return "the desk's own mail came back (X-Loop)"
        }
        if let id = mail.messageID.flatMap(Self.bareMessageID), try tx.threadedMessage(id)?.direction == .outgoing {
            return "the desk's own message came back"
        }
        return nil
    }

    /// Tells the sender of a message over `mail_max_bytes` that it reached nobody and what the
    /// limit is; says what was done, for the record's reason. Told once: an MTA's retry is a
    /// duplicate and never gets here. Never a machine, a list, a bounce or the desk itself (the
    /// loop rules of `route`), and within `mail_auto_responses_per_hour` automatic replies to
    /// one address, so a broken sender resending a huge message cannot make the desk mail it
    /// without end.
    func tooLargeNotice(_ head: InboundMail, size: Int, kept: Int, _ tx: any MailInTransaction) throws -> String {
        let settings = try tx.settings()
        let desk = settings.text(.supportEmail).lowercased()
        guard !desk.isEmpty else { return "sender not told: support_email is not set" }
        guard let from = head.from.first, let sender = try? Validation.email(from.email, field: "from") else {
            return "sender not told: no usable From address"
        }
        if let loop = try loopReason(head, sender: sender, desk: desk, tx) {
            return "sender not told: \(loop)"
        }
        if head.isAutomatic {
            return "sender not told: \(head.automaticReason ?? "automatic mail")"
        }
        let perHour = settings.integer(.mailAutoResponsesPerHour)
        let now = try tx.now()
        if perHour > 0, try tx.autoResponses(to: sender, since: now.addingTimeInterval(-3600)) >= perHour {
            return "sender not told: \(perHour) automatic replies to \(sender) in the last hour (mail_auto_responses_per_hour)"
        }
        let name = settings.text(.supportName)
        let domain = desk.split(separator: "@").last.map(String.init) ?? "localhost"
        var random = SystemRandomNumberGenerator()
        let messageID = "too-large.\(Int64(now.timeIntervalSince1970 * 1000)).\(String(random.next(), radix: 36))@\(domain)"
        let original = head.messageID.flatMap(Self.bareMessageID)
        let subject = "Message too large" + (Self.oneLine(head.subject, maxCharacters: 200).map { ": " + $0 } ?? "")
        let body = """
            Hello,

            Your message\(Self.oneLine(head.subject, maxCharacters: 200).map { " \"\($0)\"" } ?? "") of \(size) bytes \
            reached \(name), but it is larger than the \(kept) bytes (\(Self.mebibytes(kept))) a message may have here, so it \
            was not added to any ticket.

            Please send it again without the large attachments, or with smaller ones.

            -- 
            \(name)
            """
        let message = MailMessage(
            from: MailAddress(name: name, email: desk), to: [MailAddress(name: from.name, email: sender)], subject: subject, body: body,
            messageID: messageID, inReplyTo: original, references: original.map { [$0] } ?? [], date: now,
            autoSubmitted: "auto-replied", loop: desk)
        try tx.enqueueNotice(kind: .tooLarge, sender: desk, recipient: sender, subject: subject, messageID: messageID,
                             bytes: MessageComposer.compose(message))
        return "the sender was told"
    }

    /// 25 MiB, 64 KiB, 1.5 MiB: the limit as people say it.
    static func mebibytes(_ bytes: Int) -> String {
        let (value, unit) = bytes < 1_048_576 ? (Double(bytes) / 1024, "KiB") : (Double(bytes) / 1_048_576, "MiB")
        return value == value.rounded() ? "\(Int(value)) \(unit)" : String(format: "%.1f \(unit)", value)
    }

    /// A delivery-status report: the outbox message it names is marked bounced.
    func bounce(_ report: DeliveryStatusReport, mail: InboundMail, draft: InboundRecordDraft,
                _ tx: any MailInTransaction) throws -> InboundRecordDraft {
        var draft = draft
        let candidates = ([report.originalMessageID].compactMap { $0 } + mail.inReplyTo + mail.references)
            .compactMap(Self.bareMessageID)
        let recipients = report.failedRecipients.joined(separator: ", ")
        guard report.isPermanent else {
            draft.outcome = .ignored
            draft.reason = "delivery delayed (not a bounce)\(recipients.isEmpty ? "" : ": \(recipients)")"
            return draft
        }
        for id in candidates.prefix(50) {
            let detail = "bounced\(recipients.isEmpty ? "" : ": \(recipients)")"
            if try tx.markBounced(messageID: id, detail: detail) != nil {
                draft.outcome = .bounce
                draft.reason = detail
                draft.ticketNumber = try tx.threadedMessage(id).flatMap { TicketNumber.parseCanonical($0.ticketNumber) }
                return draft
            }
        }
        draft.outcome = .ignored
        draft.reason = "delivery report about no message of the desk"
        return draft
    }

    /// The ticket a message names: a Message-ID the desk sent (its signature checked) or
    /// received, newest reference first; else a `[ST-…]` tag in the subject. Who may add to it is
    /// decided by the caller.
    func thread(_ mail: InboundMail, sender: String, desk: String, _ tx: any MailInTransaction) throws -> Ticket? {
        let signer = try tx.signer()
        var seen = Set<String>()
        // In-Reply-To first, then References from the newest; a bounded number of look-ups.
        let ids = (mail.inReplyTo + mail.references.reversed()).compactMap(Self.bareMessageID).filter { seen.insert($0).inserted }
        for id in ids.prefix(50) {
            let known = try tx.threadedMessage(id)
            if let parts = MessageIDSigner.parts(of: id) {
                // Signed by the desk: the signature says which ticket, and whom the message went to.
                var recipients = [known?.address, sender, desk].compactMap { $0 }
                if let ticket = try tx.ticket(parts.ticket) { recipients.append(ticket.submittedBy.email) }
                if recipients.contains(where: { signer.verify(id, recipient: $0) != nil }), let ticket = try tx.ticket(parts.ticket) {
                    return ticket
                }
            } else if let known, let number = TicketNumber.parseCanonical(known.ticketNumber), let ticket = try tx.ticket(number) {
                // A message the desk received (or sent before it signed its ids).
                return ticket
            }
        }
        if let number = Self.subjectTag(mail.subject) {
            return try tx.ticket(number)
        }
        return nil
    }

    /// A new ticket from a message, its sender the requester (created as a `user`). `text` is
    /// `storedText(mail)`, which `preface` (when there is one) goes before.
    func openTicket(_ mail: InboundMail, text: String, sender: String, settings: [SettingKey: String], _ tx: any MailInTransaction,
                    preface: String) throws -> Ticket {
        let subject = Self.oneLine(mail.subject, maxCharacters: Validation.subjectMaxCharacters) ?? "(no subject)"
        let name = mail.from.first?.name.flatMap { Self.oneLine($0, maxCharacters: Validation.nameMaxCharacters) }
        let category = (try? TicketCategory.parse(settings.text(.mailDefaultCategory))) ?? .generalInquiry
        let priority = (try? TicketPriority.parse(settings.text(.mailDefaultPriority))) ?? .medium
        // Auto-responses per address and hour are limited, so that two desks (or a broken
        // autoresponder not marked as one) cannot keep each other busy.
        let limit = settings.integer(.mailAutoResponsesPerHour)
        let plan = mailPlan(.ticketCreated, actorEmail: sender, attachments: Self.files(of: mail))
        var quiet = false
        if limit > 0, settings.flag(.supportAutoResponse) {
            quiet = try tx.autoResponses(to: sender, since: tx.now().addingTimeInterval(-3600)) >= limit
        }
        let ticket = try tx.createTicket(
            TicketDraft(subject: subject, message: preface.isEmpty ? text : Self.storedText(mail, preface: preface),
                        category: category, priority: priority,
                        requester: .requester(email: sender, name: name)),
            by: .requester(email: sender, name: name),
            mail: quiet ? { ticket, settings, now, signer in plan(ticket, settings, now, signer).filter { $0.kind != .autoResponse } } : plan,
            attachments: Self.files(of: mail))
        try remember(mail.messageID.flatMap(Self.bareMessageID), on: ticket.ticketNumber, from: sender, tx)
        return ticket
    }

    func remember(_ messageID: String?, on ticket: TicketNumber, from sender: String, _ tx: any MailInTransaction) throws {
        guard let messageID else { return }
        try tx.recordMessageID(messageID, ticket: ticket, direction: .incoming, address: sender)
    }

    /// Every file of the message, as the parser named and typed it (the name is already safe).
    static func files(of mail: InboundMail) -> [AttachmentUpload] {
        mail.attachments.map { AttachmentUpload(fileName: $0.fileName, contentType: $0.contentType, data: $0.data) }
    }

    // MARK: Text

    /// `<id@host>` → `id@host`; nil when nothing usable is left. Kept to printable ASCII and 900
    /// bytes, as the composer keeps the ids it writes.
    ///
    /// Read byte by byte: every byte of a non-ASCII scalar is 0x80 or more, so keeping the bytes
    /// 0x21-0x7E other than `<` and `>` keeps exactly the scalars the earlier version kept (it
    /// trimmed, took off the brackets and filtered scalars through Foundation and `Character`,
    /// 3 % of a Maildir run's CPU).
    static func bareMessageID(_ text: String) -> String? {
        var kept: [UInt8] = []
        kept.reserveCapacity(min(text.utf8.count, 900))
        for byte in text.utf8 where byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "<") && byte != UInt8(ascii: ">") {
            kept.append(byte)
            if kept.count == 900 { break }
        }
        return kept.isEmpty ? nil : String(decoding: kept, as: UTF8.self)
    }

    /// `Re: AW: [ST-2026-012] Printer` → ST-2026-012: the first tag in square brackets.
    static func subjectTag(_ subject: String) -> TicketNumber? {
        var rest = Substring(subject)
        while let open = rest.firstIndex(of: "[") {
            let after = rest[rest.index(after: open)...]
            if let close = after.firstIndex(of: "]"), let number = TicketNumber.parseCanonical(String(after[..<close])) {
                return number
            }
            rest = after
        }
        return nil
    }

    /// What the person wrote: the reply without quotes and signature, else the whole text,
    /// with control characters dropped and cut to the message limit.
    ///
    /// Made while a batch is parsed, on every core (`ParsedInbound.storedText`), and with no
    /// Foundation string bridging: Foundation's `trimmingCharacters` copied the text through
    /// UTF-16 twice and a scalar-by-scalar rebuild of it followed; the three were 7 % of a
    /// Maildir run's CPU, inside the write transaction (docs/benchmarks.md, "Mail in: speed").
    static func storedText(_ mail: InboundMail, preface: String = "") -> String {
        let reply = trimmedWhitespace(mail.reply)
        let text = reply.isEmpty ? trimmedWhitespace(mail.text) : reply
        let whole = preface + (text.isEmpty ? "(no text)" : text)
        func dropped(_ scalar: Unicode.Scalar) -> Bool {
            scalar == "\r" || (scalar != "\n" && scalar != "\t" && Validation.isForbiddenInLine(scalar))
        }
        var clean = whole
        // Most text has nothing to drop: it is kept as it is, not rebuilt.
        if whole.unicodeScalars.contains(where: dropped) {
            var scalars = String.UnicodeScalarView()
            for scalar in whole.unicodeScalars where !dropped(scalar) { scalars.append(scalar) }
            clean = String(scalars)
        }
        return cut(clean, toBytes: Validation.messageMaxBytes,
                   note: "\n\n[cut at 64 KiB; the whole message is kept in `support mail list`]")
    }

    /// `text` without what Foundation's `trimmingCharacters(in: .whitespacesAndNewlines)` takes
    /// off either end: Unicode's White_Space scalars and U+200B ZERO WIDTH SPACE (Foundation
    /// still counts it, from when Unicode called it a space; checked over every scalar, and in
    /// MailInTextFastPathTests).
    static func trimmedWhitespace(_ text: String) -> String {
        let scalars = text.unicodeScalars
        func isTrimmed(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isWhitespace || scalar == "\u{200B}" }
        guard let first = scalars.firstIndex(where: { !isTrimmed($0) }),
              let last = scalars.lastIndex(where: { !isTrimmed($0) })
        else { return "" }
        if first == scalars.startIndex, scalars.index(after: last) == scalars.endIndex { return text }
        return String(scalars[first...last])
    }

    /// A subject or name as one line: control characters made spaces, runs of spaces made one,
    /// cut to `maxCharacters`; nil when nothing is left.
    static func oneLine(_ text: String, maxCharacters: Int) -> String? {
        var out = ""
        var space = false
        for scalar in text.unicodeScalars {
            if Validation.isForbiddenInLine(scalar) || Validation.isInvisible(scalar) || scalar == " " {
                space = !out.isEmpty
                continue
            }
            if space { out.append(" ") }
            space = false
            out.unicodeScalars.append(scalar)
        }
        return out.isEmpty ? nil : String(out.prefix(maxCharacters))
    }

    static func cut(_ text: String, toBytes limit: Int, note: String) -> String {
        guard text.utf8.count > limit else { return text }
        var out = ""
        let room = limit - note.utf8.count
        for character in text {
            if out.utf8.count + character.utf8.count > room { break }
            out.append(character)
        }
        return out + note
    }

    static func clip(_ text: String, _ maxCharacters: Int) -> String {
        String(text.prefix(maxCharacters))
    }
}

/// A message read and parsed, not yet stored. Parsing can take a while and holds no lock, so it
/// happens before the transaction (before a batch's transaction, for a batch). A class, so that
/// storing it can let go of its decoded parts and bytes as soon as they are written.
final class ParsedInbound {
    /// The readable message; nil when it could not be read, or once `store` took it.
    var mail: InboundMail?
    /// `HelpDesk.storedText(mail)`, made here (on every core, for a batch) rather than inside
    /// the write transaction; empty when there is no `mail`.
    let storedText: String
    /// Of a message cut at mail_max_bytes only the header is read: enough to tell the sender and
    /// to recognise an MTA's retry by its Message-ID.
    let head: InboundMail?
    /// The record as it is when nothing more is known (quarantined, with why).
    var base: InboundRecordDraft

    init(_ bytes: [UInt8], size: Int) {
        let digest = SHA256.hex(SHA256.hash(bytes))
        var mail: InboundMail?
        var head: InboundMail?
        var problem: String?
        if size > bytes.count {
            problem = "too large: \(size) bytes, only the first \(bytes.count) kept (mail_max_bytes)"
            head = try? InboundMail.parseHeader(bytes)
        } else {
            do {
                mail = try InboundMail.parse(bytes)
            } catch {
                switch error {
                case .unparseable(let why): problem = "unparseable: \(why)"
                case .tooLarge(let why): problem = "too large: \(why)"
                }
            }
        }
        // Read from `mail` or `head` in place: a copy of `mail` held here would keep its decoded
        // attachments alive past the point where `store` lets them go.
        base = InboundRecordDraft(
            messageID: (mail?.messageID ?? head?.messageID).flatMap(HelpDesk.bareMessageID), digest: digest,
            sender: (mail?.from.first ?? head?.from.first).map { HelpDesk.clip($0.email, 254) },
            subject: (mail?.subject ?? head?.subject).map { HelpDesk.clip($0, 1000) },
            outcome: .quarantined, reason: problem, ticketNumber: nil, responseID: nil, raw: bytes, size: size,
            truncated: size > bytes.count)
        self.mail = mail
        self.head = head
        storedText = mail.map { HelpDesk.storedText($0) } ?? ""
    }

    /// Parses the messages of a batch on every core: parsing (and the digest) is most of a
    /// message's work outside SQLite, and touches nothing shared.
    static func parseAll(_ messages: [(bytes: [UInt8], size: Int, maildirFile: String?)]) -> [ParsedInbound] {
        let slots = Slots(count: messages.count)
        defer { slots.release() }
        DispatchQueue.concurrentPerform(iterations: messages.count) { index in
            let parsed = ParsedInbound(messages[index].bytes, size: messages[index].size)
            parsed.base.maildirFile = messages[index].maildirFile
            slots.put(parsed, at: index)
        }
        return slots.all()
    }

    /// One slot per message, each written by one iteration of `concurrentPerform` only, and
    /// read after it returned.
    private struct Slots: @unchecked Sendable {
        let buffer: UnsafeMutableBufferPointer<ParsedInbound?>

        init(count: Int) {
            buffer = .allocate(capacity: count)
            buffer.initialize(repeating: nil)
        }

        func put(_ parsed: ParsedInbound, at index: Int) { buffer[index] = parsed }

        func all() -> [ParsedInbound] { buffer.map { $0! } }

        func release() {
            _ = buffer.deinitialize()
            buffer.deallocate()
        }
    }
}

/// The messages `next` gave for one batch of `HelpDesk.ingest(from:committed:)`, and why it
/// stopped giving them (the end, or an error).
struct MailBatchRead<Source> {
    var sources: [Source] = []
    var messages: [(bytes: [UInt8], size: Int, maildirFile: String?)] = []
    var finished = false
    var stop: SupportError?
}

/// One batch of messages parsed on other threads (every core) while the caller goes on: the
/// batch before it is written meanwhile. `wait` hands the parsed messages over once.
final class ParsingBatch: @unchecked Sendable {
    private let done = DispatchGroup()
    /// Written by the parsing thread before it leaves `done`; read only after `done` is waited for.
    private var parsed: [ParsedInbound] = []

    init(_ messages: [(bytes: [UInt8], size: Int, maildirFile: String?)]) {
        done.enter()
        DispatchQueue.global().async { [self] in
            parsed = ParsedInbound.parseAll(messages)
            done.leave()
        }
    }

    func wait() -> [ParsedInbound] {
        done.wait()
        defer { parsed = [] }
        return parsed
    }
}
