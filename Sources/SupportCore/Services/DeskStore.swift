import Foundation

/// What the help desk asks of storage, in domain types only: no engine's types in a signature.
/// `AppDatabase` (SQLite through GRDB) is the one implementation today; a PostgreSQL store is the
/// next (docs/architecture.md). Each write is one unit of work: the change, its audit record and
/// its outbox mail (`MailPlan`, decided by the help desk) commit together or not at all.
///
/// Synchronous on purpose: SQLite is synchronous underneath, and a command is one short unit of
/// work whose start-up an async main would lengthen (docs/architecture.md has the figure).
///
/// Internal: front ends reach storage only through `HelpDesk`, whose every entry point checks
/// the actor's permission first.
protocol DeskStore: Sendable {
    /// The database file, when there is one (whoever can write it chose its `sendmail_command`).
    var path: String? { get }

    // People
    func user(email: String) throws(SupportError) -> User?
    func user(login: String) throws(SupportError) -> User?
    func users(role: Role?) throws(SupportError) -> [User]
    func addUser(email: String, name: String, role: Role, login: String?, actor: PersonReference) throws(SupportError) -> User
    func updateUser(email: String, name: String?, role: Role?, login: String??, actor: PersonReference) throws(SupportError) -> User
    func removeUser(email: String, actor: PersonReference) throws(SupportError) -> (user: User, unassigned: [TicketNumber])
    func tokenGeneration(userID: Int64) throws(SupportError) -> Int64
    func userAndTokenGeneration(email: String) throws(SupportError) -> (user: User, generation: Int64)?
    @discardableResult func revokeTokens(userID: Int64) throws(SupportError) -> Int64
    /// The server's HS256 key, made on first use.
    func serverSigningKey() throws(SupportError) -> [UInt8]

    // Settings
    func settings() throws(SupportError) -> [SettingKey: String]
    @discardableResult func setSetting(_ key: SettingKey, to value: String, actor: PersonReference) throws(SupportError) -> String
    @discardableResult func resetSetting(_ key: SettingKey, actor: PersonReference) throws(SupportError) -> String

    // Tickets
    func ticket(number: TicketNumber, withResponses: Bool) throws(SupportError) -> Ticket?
    func ticketNumbers(withSequence sequence: Int, upTo lastYear: Int) throws(SupportError) -> [TicketNumber]
    func tickets(matching filter: TicketFilter, includeInternal: Bool) throws(SupportError) -> TicketPage
    func streamTicket(_ number: TicketNumber, includeInternal: Bool, newest: Int?,
                      check: (Ticket) throws -> Void,
                      head: (Ticket, _ total: Int, _ shown: Int) throws -> Void,
                      reply: (TicketResponse) throws -> Void) throws(SupportError)
    func replyPage(_ number: TicketNumber, includeInternal: Bool, after cursor: ReplyCursor?, limit: Int,
                   check: (Ticket) throws -> Void) throws(SupportError) -> ReplyPage
    func ticketWithReplyPage(_ number: TicketNumber, includeInternal: Bool, limit: Int,
                             check: (Ticket) throws -> Void) throws(SupportError) -> (Ticket, ReplyPage)
    func createTicket(_ draft: TicketDraft, by actor: PersonReference, rateLimit: HourlyLimit?, mail: MailPlan?,
                      attachments: [AttachmentUpload]) throws(SupportError) -> Ticket
    func updateTicket(_ number: TicketNumber, _ update: TicketUpdate, by actor: PersonReference,
                      mail: ((Ticket) -> MailPlan)?) throws(SupportError) -> (before: Ticket, after: Ticket, changed: Bool)
    func deleteTicket(_ number: TicketNumber, by actor: PersonReference) throws(SupportError) -> Ticket
    func addResponse(to number: TicketNumber, message: String, by author: PersonReference, isInternal: Bool,
                     reopens: Bool, rateLimit: HourlyLimit?, mail: ((TicketResponse) -> MailPlan)?,
                     attachments: [AttachmentUpload]) throws(SupportError) -> (ticket: Ticket, response: TicketResponse)
    func publicPosition(ofResponse id: Int64) throws(SupportError) -> Int64

    // Files
    func storedAttachment(id: Int64) throws(SupportError) -> StoredAttachment?
    func readAttachmentContent(rowID: Int64, _ body: (UnsafeRawBufferPointer) throws -> Void) throws(SupportError)

    // History, statistics, transfer
    func history(of number: TicketNumber, includeInternal: Bool) throws(SupportError) -> [AuditEvent]
    func auditEvents(matching filter: AuditFilter) throws(SupportError) -> AuditPage
    func deletedTickets(matching filter: AuditFilter) throws(SupportError) -> [String]
    func statistics(since: Date?, until: Date?, zone: LocalZone) throws(SupportError) -> Statistics
    func exportTickets(matching filter: TicketFilter, includeInternal: Bool, ticket: (Ticket) -> Void,
                       reply: (TicketResponse) -> Void, end: (ExportedFiles) throws -> Void) throws(SupportError)
    func importTickets(batches next: () -> [ImportDraft]?, by actor: PersonReference) throws(SupportError) -> ImportSummary
    /// The text this store writes for a time of an import. The help desk calls it while it
    /// parses, on its own thread, so that the store's writer only binds it; the format is the
    /// store's (SQLite: GRDB's storage text).
    var importTimeText: @Sendable (Date) -> String { get }

    // The outbox
    func outbox(status: OutboxMessage.Status?, limit: Int) throws(SupportError) -> [OutboxMessage]
    func dueOutbox(limit: Int) throws(SupportError) -> [OutboxDelivery]
    func dueOutboxCount() throws(SupportError) -> Int
    func retryOutbox(id: Int64?) throws(SupportError) -> Int
    func claimOutbox(limit: Int, owner: String, lease: TimeInterval, ownerIsGone: @Sendable (String) -> Bool,
                     ownerIsAlive: @Sendable (String) -> Bool) throws(SupportError) -> [OutboxDelivery]
    func renewLeases(owner: String, lease: TimeInterval) throws(SupportError)
    @discardableResult func recordDelivery(_ id: Int64, owner: String, startedAt: Date, result: DeliveryResult,
                                           maxAttempts: Int) throws(SupportError) -> OutboxMessage.Status?

    // Mail in: one transaction for all of an ingest
    func mailIn<T>(_ body: (any MailInTransaction) throws -> T) throws(SupportError) -> T
    /// Runs `body`, a run of mail-in batches, with a page cache large enough for a batch.
    func withMailBatchCache<T>(_ body: () throws(SupportError) -> T) throws(SupportError) -> T
    func inboundMessage(id: Int64) throws(SupportError) -> (record: InboundRecord, raw: [UInt8])?
    func inboundRecords(outcome: InboundRecord.Outcome?, limit: Int) throws(SupportError) -> [InboundRecord]
}

extension AppDatabase: DeskStore {}

/// The defaults callers rely on, kept out of the requirements (a protocol cannot declare them).
extension DeskStore {
    func ticket(number: TicketNumber) throws(SupportError) -> Ticket? { try ticket(number: number, withResponses: true) }

    func outbox(status: OutboxMessage.Status?) throws(SupportError) -> [OutboxMessage] { try outbox(status: status, limit: 1000) }
}
