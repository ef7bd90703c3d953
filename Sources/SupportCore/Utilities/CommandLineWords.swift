/// Splits a command line the way a POSIX shell splits words, with single and double quotes and
/// backslash escapes, but with no expansion of any kind: the result goes straight to exec.
public enum CommandLineWords {
    public static func split(_ line: String) throws(SupportError) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for ch in line {
            if escaped {
                current.append(ch); escaped = false; inWord = true
                continue
            }
            switch (quote, ch) {
            case (nil, "\\"), ("\"", "\\"):
                escaped = true
            case (nil, "'"), (nil, "\""):
                quote = ch; inWord = true
            case ("'", "'"), ("\"", "\""):
                quote = nil
            case (nil, " "), (nil, "\t"):
                if inWord { words.append(current); current = ""; inWord = false }
            default:
                current.append(ch); inWord = true
            }
        }
        guard quote == nil, !escaped else {
            throw .invalidInput(field: "sendmail_command", "unbalanced quote or trailing backslash in the command")
        }
        if inWord { words.append(current) }
        guard !words.isEmpty else { throw .invalidInput(field: "sendmail_command", "the command is empty") }
        return words
    }
}
