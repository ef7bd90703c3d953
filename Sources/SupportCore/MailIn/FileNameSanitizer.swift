/// Makes a sender's file name safe to store and to offer for saving on any system.
enum FileNameSanitizer {
    /// Device names Windows reserves whatever the extension (`CON.txt` opens the console).
    private static let reservedWindowsNames: Set<String> = {
        var names: Set<String> = ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
        for digit in 0...9 {
            names.insert("COM\(digit)")
            names.insert("LPT\(digit)")
        }
        for superscript in ["¹", "²", "³"] {
            names.insert("COM\(superscript)")
            names.insert("LPT\(superscript)")
        }
        return names
    }()

    static let maxBytes = 255

    /// The last path component only (`../../etc/passwd` → `passwd`, `C:\x\y.doc` → `y.doc`);
    /// controls, line breaks and the characters Windows forbids (`<>:"|?*`) become `_`; leading
    /// dots and blanks go (no hidden files, no `..`), trailing dots and blanks too (Windows drops
    /// them); a reserved device name gets a `_` in front; at most 255 UTF-8 bytes, keeping the
    /// extension; when nothing is left, a name from the media type (`attachment.pdf`).
    static func sanitise(_ declared: String?, mediaType: String) -> String {
        var name = EncodedWords.decode(declared ?? "")
        if let slash = name.lastIndex(where: { $0 == "/" || $0 == "\\" }) {
            name = String(name[name.index(after: slash)...])
        }
        var cleaned = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            if TextDecoding.isBlankOrControl(scalar) && scalar != " " {
                cleaned.append("_")
            } else if "<>:\"|?*".unicodeScalars.contains(scalar) {
                cleaned.append("_")
            } else {
                cleaned.append(scalar)
            }
        }
        name = String(cleaned)
        name = String(name.drop { $0 == "." || $0 == " " })
        while let last = name.last, last == "." || last == " " { name.removeLast() }
        if name.isEmpty {
            name = "attachment" + (defaultExtension(mediaType).map { "." + $0 } ?? "")
        }
        let stem = name.split(separator: ".", maxSplits: 1).first.map { $0.trimmingBlanks().uppercased() } ?? ""
        if reservedWindowsNames.contains(stem) { name = "_" + name }
        return truncated(name)
    }

    /// Cut to `maxBytes` UTF-8 bytes on a character boundary, keeping a short extension.
    private static func truncated(_ name: String) -> String {
        guard name.utf8.count > maxBytes else { return name }
        var stem = Substring(name)
        var ext = Substring("")
        if let dot = name.lastIndex(of: "."), name.distance(from: dot, to: name.endIndex) <= 16 {
            stem = name[..<dot]
            ext = name[dot...]
        }
        var result = ""
        for char in stem {
            if result.utf8.count + String(char).utf8.count + ext.utf8.count > maxBytes { break }
            result.append(char)
        }
        return result + ext
    }

    private static func defaultExtension(_ mediaType: String) -> String? {
        switch mediaType {
        case "application/pdf": "pdf"
        case "image/png": "png"
        case "image/jpeg": "jpg"
        case "image/gif": "gif"
        case "text/plain": "txt"
        case "text/html": "html"
        case "text/calendar": "ics"
        case "message/rfc822": "eml"
        case "application/zip": "zip"
        default: nil
        }
    }
}
