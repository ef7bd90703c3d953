import ArgumentParser
import SupportCore

/// `ticket list` and `ticket show`, the commands an agent runs all day, parsed without
/// swift-argument-parser when their command line is plain: known long options, their values,
/// positional words. ArgumentParser builds its parser anew on every run by reflecting every
/// property of every command on the path (Mirror, generic metadata, and a search through all
/// the protocol conformances of the static binary for each property's type): 18.7 of the 37.1
/// million instructions of a `ticket list --limit 1 --json` (callgrind, static release build),
/// about 7 of its 19 ms; docs/benchmarks.md, "Start-up".
///
/// Only a line this parser fully understands is taken: anything else (help, --version, a
/// completion request, `--`, a short or unknown option, a repeated option, a missing or
/// unconvertible value, a failed `validate()`) returns nil, and ArgumentParser parses the line
/// as before, so help, errors and exit statuses stay its own. A taken line gives the same value
/// ArgumentParser gives: the same types, defaults, `ExpressibleByArgument` conversions and
/// `validate()`s. A debug build parses every taken line both ways and stops when they differ
/// (`checkedAgainstArgumentParser`), so every CLI test that lists or shows checks it.
enum HotCommandParser {
    /// The command for `arguments` (what follows `support`, global options already moved after
    /// the command's name), or nil to let ArgumentParser parse it.
    static func parse(_ arguments: [String]) -> (any ParsableCommand)? {
        guard arguments.count >= 2, arguments[0] == "ticket", !arguments.contains(where: mayAskArgumentParserItself) else {
            return nil
        }
        let rest = arguments[2...]
        switch arguments[1] {
        case "list", "ls": return list(rest)
        case "show", "view": return show(rest)
        default: return nil
        }
    }

    /// Words ArgumentParser answers by itself wherever they stand, even as an option's value:
    /// help (`-h` also inside a cluster like `-xh`), `--version`, the help dump and completions.
    /// Refusing more than needed only costs the fast path.
    static func mayAskArgumentParserItself(_ word: String) -> Bool {
        if word.isEmpty || word.hasPrefix("---") { return true }
        if word.hasPrefix("--") {
            let name = word.split(separator: "=", maxSplits: 1).first.map(String.init) ?? word
            return name.hasPrefix("--help") || name == "--version" || name.hasPrefix("--experimental") || name.hasPrefix("--generate")
        }
        return word.hasPrefix("-") && word.contains("h")
    }

    static func list(_ words: ArraySlice<String>) -> Ticket.List? {
        guard let line = PlainLine(words, options: listOptions + globalOptions, repeatable: ["--status", "--priority", "--category"],
                                   flags: ["--ids", "--reverse"] + globalFlags, positionals: 0),
              var filters = filters(line), let global = global(line)
        else { return nil }
        // Every property is assigned, never read or passed inout: a property wrapper not yet
        // given a value stops the process when read.
        guard let page = line.int("--page", default: 1), let limit = line.int("--limit", default: TicketQuery.defaultLimit) else {
            return nil
        }
        var command = Ticket.List()
        command.page = page
        command.limit = limit
        command.ids = line.flag("--ids")
        // OptionGroups are validated as ArgumentParser decodes them, then the command.
        guard (try? filters.validate()) != nil, (try? global.validate()) != nil else { return nil }
        command.filters = filters
        command.global = global
        guard (try? command.validate()) != nil else { return nil }
        return command
    }

    static func show(_ words: ArraySlice<String>) -> Ticket.Show? {
        guard let line = PlainLine(words, options: ["--replies"] + globalOptions, repeatable: [],
                                   flags: ["--all"] + globalFlags, positionals: 1),
              let number = line.positionals.first, let global = global(line)
        else { return nil }
        guard let replies = line.optionalInt("--replies") else { return nil }
        var command = Ticket.Show()
        command.number = number
        command.replies = replies
        command.all = line.flag("--all")
        guard (try? global.validate()) != nil else { return nil }
        command.global = global
        guard (try? command.validate()) != nil else { return nil }
        return command
    }

    static let listOptions = ["--status", "--priority", "--category", "--assignee", "--requester", "--since", "--until",
                              "--search", "--sort", "--page", "--limit"]
    static let globalOptions = ["--db", "--config", "--as", "--color"]
    static let globalFlags = ["--json", "--verbose"]

    static func filters(_ line: PlainLine) -> TicketFilterOptions? {
        var filters = TicketFilterOptions()
        filters.status = line.values("--status")
        filters.priority = line.values("--priority")
        filters.category = line.values("--category")
        filters.assignee = line.value("--assignee")
        filters.requester = line.value("--requester")
        filters.since = line.value("--since")
        filters.until = line.value("--until")
        filters.search = line.value("--search")
        filters.sort = line.value("--sort") ?? TicketSort.created.rawValue
        filters.reverse = line.flag("--reverse")
        return filters
    }

    static func global(_ line: PlainLine) -> GlobalOptions? {
        var global = GlobalOptions()
        global.db = line.value("--db")
        global.config = line.value("--config")
        global.actAs = line.value("--as")
        global.json = line.flag("--json")
        global.verbose = line.flag("--verbose")
        global.color = line.value("--color")
        return global
    }
}

/// A command line of long options (`--name value`, `--name=value`), flags and positional words,
/// as ArgumentParser reads options declared `parsing: .unconditional` (the next word is the value,
/// whatever it looks like) or, for the repeatable ones, `.unconditionalSingleValue`.
struct PlainLine {
    private var options: [String: [String]] = [:]
    private var flags: Set<String> = []
    private(set) var positionals: [String] = []

    /// Nil when a word is anything else: `--`, a short or unknown option, a flag with a value,
    /// a non-repeatable option or flag given twice, an option without its value, or more
    /// positional words than `positionals`.
    init?(_ words: ArraySlice<String>, options known: [String], repeatable: Set<String>, flags knownFlags: [String], positionals: Int) {
        var index = words.startIndex
        while index < words.endIndex {
            let word = words[index]
            index += 1
            if word.hasPrefix("--") {
                let parts = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(parts[0])
                if known.contains(name) {
                    let value: String
                    if parts.count == 2 {
                        value = String(parts[1])
                        // `--search=`: whether that is an empty value is ArgumentParser's to say.
                        guard !value.isEmpty else { return nil }
                    } else {
                        guard index < words.endIndex else { return nil }
                        value = words[index]
                        index += 1
                    }
                    guard options[name] == nil || repeatable.contains(name) else { return nil }
                    options[name, default: []].append(value)
                } else if knownFlags.contains(name), parts.count == 1, !flags.contains(name) {
                    flags.insert(name)
                } else {
                    return nil
                }
            } else if word.hasPrefix("-") || self.positionals.count == positionals {
                return nil
            } else {
                self.positionals.append(word)
            }
        }
        guard self.positionals.count == positionals else { return nil }
    }

    func values(_ name: String) -> [String] { options[name] ?? [] }
    func value(_ name: String) -> String? { options[name]?.first }
    func flag(_ name: String) -> Bool { flags.contains(name) }

    /// Converted as ArgumentParser converts (`Int(argument:)`); nil when it would refuse it.
    func int(_ name: String, default fallback: Int) -> Int? {
        guard let text = value(name) else { return fallback }
        return Int(argument: text)
    }

    /// `.some(nil)` when not given, nil when ArgumentParser would refuse the value.
    func optionalInt(_ name: String) -> Int?? {
        guard let text = value(name) else { return .some(nil) }
        return Int(argument: text).map { .some($0) }
    }
}
