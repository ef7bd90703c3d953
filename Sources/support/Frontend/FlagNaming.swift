import SupportCore

extension Wording.Naming {
    /// The command line names a field of the core's errors by the flag that sets it, with its
    /// placeholder (`--requester EMAIL`), and shows the advice meant for a shell.
    static let commandLine = Wording.Naming(showsCommandLineText: true) { field, placeholder in
        let flag = flags[field] ?? "--" + field
        return placeholder.map { "\(flag) \($0)" } ?? flag
    }

    /// The fields whose flag is not `--` and the field's own name.
    static let flags: [String: String] = [
        "requesterName": "--name",
        "requesterEmail": "--requester",
        "assignedTo": "--assign",
    ]
}
