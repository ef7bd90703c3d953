import Foundation

/// Files on tickets: the limits on what `--attach` adds, and who may fetch what. A requester
/// never learns that an internal note's file exists: it is "no such attachment", as someone
/// else's ticket is "no such ticket".
extension HelpDesk {
    /// `attachment_max_bytes` (one file) and `attachment_max_total_bytes` (one ticket or reply).
    public func attachmentLimits() throws(SupportError) -> (perFile: Int, perMessage: Int) {
        let settings = try database.settings()
        return (settings.integer(.attachmentMaxBytes), settings.integer(.attachmentMaxTotalBytes))
    }

    /// The files as they will be stored: names made safe, types checked, limits applied.
    func checkedAttachments(_ files: [AttachmentUpload]) throws(SupportError) -> [AttachmentUpload] {
        guard !files.isEmpty else { return [] }
        let limits = try attachmentLimits()
        var total = 0
        var checked: [AttachmentUpload] = []
        for file in files {
            let name = FileNameSanitizer.sanitise(file.fileName, mediaType: file.contentType)
            guard file.data.count <= limits.perFile else {
                throw .invalidInput(field: "attach", "\(name) is \(file.data.count) bytes; attachment_max_bytes allows \(limits.perFile)")
            }
            total += file.data.count
            guard total <= limits.perMessage else {
                throw .invalidInput(field: "attach", "the files come to \(total) bytes or more; attachment_max_total_bytes allows \(limits.perMessage)")
            }
            checked.append(AttachmentUpload(fileName: name, contentType: MessageComposer.safeMediaType(file.contentType), data: file.data))
        }
        return checked
    }

    /// One attachment the actor may see, with its ticket's number.
    public func attachment(id: Int64) throws(SupportError) -> (attachment: TicketAttachment, ticketNumber: TicketNumber) {
        let stored = try visibleAttachment(id)
        return (stored.attachment, stored.ticketNumber)
    }

    /// Hands the attachment's bytes to `body` in pieces, in order, without holding them all.
    public func readAttachment(id: Int64, _ body: (UnsafeRawBufferPointer) throws -> Void) throws(SupportError) {
        let stored = try visibleAttachment(id)
        try database.readAttachmentContent(rowID: stored.contentRowID, body)
    }

    private func visibleAttachment(_ id: Int64) throws(SupportError) -> StoredAttachment {
        guard let stored = try database.storedAttachment(id: id),
              actor.isStaff || (stored.requesterEmail == actor.user?.email && !stored.attachment.isInternal)
        else { throw .notFound("no attachment \(id)") }
        return stored
    }
}

extension AttachmentUpload {
    /// The media type of a file named like this, for `--attach` (a file on disk declares none).
    public static func mediaType(forFileName name: String) -> String {
        let ext = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
        switch ext {
        case "pdf": return "application/pdf"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "gif": return "image/gif"
        case "webp": return "image/webp"
        case "svg": return "image/svg+xml"
        case "txt", "log", "md": return "text/plain"
        case "csv": return "text/csv"
        case "html", "htm": return "text/html"
        case "json": return "application/json"
        case "xml": return "application/xml"
        case "zip": return "application/zip"
        case "gz": return "application/gzip"
        case "eml": return "message/rfc822"
        case "ics": return "text/calendar"
        case "doc": return "application/msword"
        case "docx": return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case "xlsx": return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        default: return "application/octet-stream"
        }
    }
}
