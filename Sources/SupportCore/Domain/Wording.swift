/// What an error says, with the fields it names kept apart from the text around them, so that
/// each front end names them its own way: the command line as its flags (`--limit`), the HTTP
/// API and logs as the JSON fields of SPEC (`limit`). The core never spells a flag.
///
/// Written like a string: `"\(field: "limit") must be from 1 to \(maximum)"`. Text meant only
/// for a shell user (a command to run) is `\(commandLine: "…", otherwise: "…")`; other front ends
/// say the `otherwise` words (nothing, by default).
public struct Wording: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringInterpolation {
    enum Part: Sendable, Hashable {
        case text(String)
        /// A field of SPEC's JSON shapes, and the placeholder a command line shows after its flag.
        case field(String, placeholder: String?)
        /// Words for a shell user (a command to run), and what other front ends say instead.
        case commandLine(String, otherwise: String)
    }

    private(set) var parts: [Part]

    public init(_ text: String) { parts = text.isEmpty ? [] : [.text(text)] }

    public init(stringLiteral value: String) { self.init(value) }

    public init(stringInterpolation: Interpolation) { parts = stringInterpolation.parts }

    public struct Interpolation: StringInterpolationProtocol {
        var parts: [Part] = []

        public init(literalCapacity: Int, interpolationCount: Int) {}

        public mutating func appendLiteral(_ literal: String) { append(literal) }

        /// Anything else, as `String(describing:)` writes it, like a string's interpolation.
        public mutating func appendInterpolation<T>(_ value: T) { append(String(describing: value)) }

        /// Runs of text are kept as one part, so words built by interpolation equal the same
        /// words written out (`==` compares what is said, not how it was put together).
        mutating func append(_ text: String) {
            guard !text.isEmpty else { return }
            if case .text(let before)? = parts.last {
                parts[parts.count - 1] = .text(before + text)
            } else {
                parts.append(.text(text))
            }
        }

        public mutating func appendInterpolation(field name: String, placeholder: String? = nil) {
            parts.append(.field(name, placeholder: placeholder))
        }

        public mutating func appendInterpolation(commandLine text: String, otherwise: String = "") {
            parts.append(.commandLine(text, otherwise: otherwise))
        }
    }

    /// How a front end names fields, and whether it shows text meant for a shell.
    public struct Naming: Sendable {
        let name: @Sendable (_ field: String, _ placeholder: String?) -> String
        let showsCommandLineText: Bool

        public init(showsCommandLineText: Bool, name: @escaping @Sendable (_ field: String, _ placeholder: String?) -> String) {
            self.name = name
            self.showsCommandLineText = showsCommandLineText
        }

        /// SPEC's JSON field names, no shell advice: the HTTP API, logs, mail.
        public static let fields = Naming(showsCommandLineText: false) { field, _ in field }
    }

    public func text(_ naming: Naming) -> String {
        var text = ""
        for part in parts {
            switch part {
            case .text(let t): text += t
            case .field(let name, let placeholder): text += naming.name(name, placeholder)
            case .commandLine(let shell, let otherwise): text += naming.showsCommandLineText ? shell : otherwise
            }
        }
        return text
    }

    /// The words with fields named as in SPEC's JSON.
    public var description: String { text(.fields) }
}
