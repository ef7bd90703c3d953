import Foundation
import Testing

/// `SUPPORT_PINNED=1` (with `SUPPORT_DB` and `SUPPORT_AS`): what a wrapper sets to run support
/// for someone else. Nothing on the command line changes the database, the actor or the mail
/// program, or reads a file or runs a program. (issue 13.1)
@Suite("pinned mode")
struct PinnedModeTests {
    static let jane = "jane@example.test"
    static let admin = "ada@example.test"

    /// A desk with Jane's ticket and an admin, and the environment a wrapper pins `who` with.
    static func desk(pinning who: String = jane) throws -> (Sandbox, [String: String?]) {
        let sandbox = try Sandbox()
        try sandbox.succeed(["user", "add", admin, "--role", "admin"])
        try sandbox.createTicket(subject: "jane's", extra: ["--requester", jane])
        return (sandbox, ["SUPPORT_PINNED": "1", "SUPPORT_DB": sandbox.dbPath, "SUPPORT_AS": who])
    }

    /// Each option that names a file, a directory, a program or who acts, in a command it belongs
    /// to, in both spellings.
    static let refusedLines: [[String]] = [
        ["--db", "/tmp/own.db", "ticket", "list"],
        ["ticket", "list", "--db=/tmp/own.db"],
        ["--config", "/tmp/own.conf", "ticket", "list"],
        ["ticket", "list", "--config=/tmp/own.conf"],
        ["--as", admin, "ticket", "list"],
        ["ticket", "list", "--as=\(admin)"],
        ["settings", "set", "support_email_template", "--file", "/etc/shadow"],
        ["settings", "set", "support_email_template", "--file=/etc/shadow"],
        ["ticket", "import", "--file", "/etc/shadow"],
        ["mail", "ingest", "--mbox", "/etc/shadow"],
        ["mail", "ingest", "--maildir=/root"],
        ["notify", "flush", "--sendmail", "/bin/sh -c id"],
        ["respond", "ST-2026-001", "--message", "m", "--attach", "/etc/shadow"],
        ["ticket", "create", "--subject", "s", "--category", "bug-report", "--message", "m", "--attach=/etc/shadow"],
        ["attachment", "get", "1", "--output", "/etc/cron.d/x"],
        ["serve", "--jwt-public-key", "/etc/shadow", "--jwt-issuer", "i", "--jwt-audience", "a"],
        ["db", "copy", "--to-config", "/etc/support/config"],
    ]

    @Test(arguments: refusedLines)
    func anOptionNamingAFileProgramOrActorIsRefused(line: [String]) throws {
        // Given a wrapper pinning the admin (the role that could use every one of these)
        let (sandbox, pinned) = try Self.desk(pinning: Self.admin)
        let before = try sandbox.succeed(["audit", "--json"]).out
        // When the caller adds the option
        let result = try sandbox.run(line + ["--json"], environment: pinned)
        // Then 77 with a one-line APIError naming the option, and nothing changed
        #expect(result.status == 77, "\(line): \(result)")
        let error = try result.apiError()
        #expect((error["error"] as? String)?.contains("SUPPORT_PINNED") == true, "\(error)")
        #expect(try sandbox.succeed(["audit", "--json"]).out == before)
    }

    @Test func everyOptionThatNamesAPathOrProgramIsInTheRefusedList() throws {
        // Given every option of every command, as ArgumentParser describes them
        let sandbox = try Sandbox()
        let dump = try sandbox.succeed(["--experimental-dump-help"])
        let root = try dump.json()
        var pathLike: Set<String> = []
        func walk(_ command: [String: Any]) {
            for argument in command["arguments"] as? [[String: Any]] ?? [] {
                guard let names = argument["names"] as? [[String: Any]],
                      let long = names.first(where: { $0["kind"] as? String == "long" })?["name"] as? String else { continue }
                let valueName = (argument["valueName"] as? String ?? "").lowercased()
                let completion = argument["completionKind"] as? [String: Any] ?? [:]
                if completion["file"] != nil || completion["directory"] != nil
                    || ["path", "file", "dir", "command", "email"].contains(valueName) && ["db", "as", "file", "mbox", "maildir", "sendmail"].contains(long)
                    || ["path", "file", "dir", "command"].contains(valueName) {
                    pathLike.insert("--" + long)
                }
            }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] { walk(sub) }
        }
        walk(try #require(root["command"] as? [String: Any]))
        // Then each is refused in pinned mode (the list in PinnedMode.swift, exercised above)
        let refused = Set(Self.refusedLines.flatMap { $0 }.filter { $0.hasPrefix("--") }.map { String($0.split(separator: "=")[0]) })
        #expect(!pathLike.isEmpty)
        #expect(pathLike.isSubset(of: refused), "not refused in pinned mode: \(pathLike.subtracting(refused).sorted())")
    }

    @Test func thePinnedPersonWorksNormally() throws {
        let (sandbox, pinned) = try Self.desk()
        let list = try sandbox.run(["ticket", "list", "--json"], environment: pinned)
        #expect(list.status == 0, "\(list)")
        #expect((try list.json()["tickets"] as? [[String: Any]])?.compactMap { $0["subject"] as? String } == ["jane's"])
        // A message on stdin is read (the caller's shell opened it)
        let reply = try sandbox.run(["respond", Sandbox.number(1), "--message", "-"], stdin: Data("thanks".utf8), environment: pinned)
        #expect(reply.status == 0, "\(reply)")
    }

    @Test(arguments: [["SUPPORT_DB": nil], ["SUPPORT_AS": nil], ["SUPPORT_AS": ""], ["SUPPORT_PINNED": "yes"]] as [[String: String?]])
    func aWrapperThatPinsWithoutSayingWhatIsMisconfigured(change: [String: String?]) throws {
        let (sandbox, pinned) = try Self.desk()
        var environment = pinned
        for (key, value) in change { environment[key] = value }
        let result = try sandbox.run(["ticket", "list"], environment: environment)
        #expect(result.status == 78, "\(change): \(result)")
    }

    @Test func thePinnedAdminCannotChooseTheMailProgramOrServe() throws {
        let (sandbox, pinned) = try Self.desk(pinning: Self.admin)
        let set = try sandbox.run(["settings", "set", "sendmail_command", "/bin/sh -c id"], environment: pinned)
        #expect(set.status == 77, "\(set)")
        let serve = try sandbox.run(["serve", "--listen", "127.0.0.1:0"], environment: pinned)
        #expect(serve.status == 77, "\(serve)")
        // Other settings are the admin's to change
        let name = try sandbox.run(["settings", "set", "support_name", "Desk"], environment: pinned)
        #expect(name.status == 0, "\(name)")
    }

    @Test func theEditorIsNotStarted() throws {
        // Given a terminal on stdin (script(1)) and an EDITOR that would leave a mark
        let (sandbox, pinned) = try Self.desk(pinning: Self.admin)
        let mark = sandbox.directory.appendingPathComponent("editor-ran").path
        var environment = pinned
        environment["EDITOR"] = "touch '\(mark)'; true"
        let result = try sandbox.shell(#"script -qec "\"$SUPPORT\" respond \#(Sandbox.number(1))" /dev/null"#, environment: environment)
        // Then support refuses (77) and the editor never ran
        #expect(result.out.contains("SUPPORT_PINNED"), "\(result)")
        #expect(!FileManager.default.fileExists(atPath: mark))
    }

    // MARK: End to end, with a real second Unix user

    /// The README's sudo recipe: the caller runs a wrapper as the desk's owner (root here).
    @Test func theSudoRecipeKeepsTheCallerToTheirOwnView() throws {
        guard let caller = SecondUser.available("theSudoRecipeKeepsTheCallerToTheirOwnView") else { return }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/sudo") else {
            print("skipping theSudoRecipeKeepsTheCallerToTheirOwnView: sudo is not installed (.ci/run installs it)")
            return
        }
        // Given the README's wrapper and sudoers rule for the caller, pinned to Jane
        let (sandbox, _) = try Self.desk()
        try sandbox.openToOthers()
        let wrapper = sandbox.directory.appendingPathComponent("support-jane").path
        try Data("""
            #!/bin/sh
            SUPPORT_PINNED=1 SUPPORT_DB='\(sandbox.dbPath)' SUPPORT_AS='\(Self.jane)' exec '\(sandbox.binary.path)' "$@"

            """.utf8).write(to: URL(fileURLWithPath: wrapper))
        chmod(wrapper, 0o755)
        let rule = "/etc/sudoers.d/support-test-\(UUID().uuidString.prefix(8))"
        try Data("\(caller.name) ALL=(root) NOPASSWD: \(wrapper)\n".utf8).write(to: URL(fileURLWithPath: rule))
        chmod(rule, 0o440)
        defer { try? FileManager.default.removeItem(atPath: rule) }
        func viaSudo(_ script: String) throws -> CLIResult {
            try sandbox.runAs(caller, ["/bin/sh", "-c", script], environment: ["W": wrapper])
        }
        // When the caller lists: Jane's view of the root-owned desk
        let list = try viaSudo(#"sudo -n "$W" ticket list --json"#)
        #expect(list.status == 0, "\(list)")
        #expect((try list.json()["tickets"] as? [[String: Any]])?.count == 1)
        // And tries to escape: another database, another actor, a file, a program, the environment
        for attempt in [#"sudo -n "$W" --db /tmp/own.db notify flush"#,
                        #"sudo -n "$W" --as ada@example.test ticket list"#,
                        #"sudo -n "$W" settings set support_email_template --file /etc/shadow"#,
                        #"sudo -n "$W" notify flush --sendmail 'touch /tmp/pwned'"#] {
            let result = try viaSudo(attempt)
            #expect(result.status == 77, "\(attempt): \(result)")
        }
        let environment = try viaSudo(#"SUPPORT_PINNED=0 SUPPORT_AS=ada@example.test sudo -n "$W" settings get"#)
        #expect(environment.status != 0, "sudo's env_reset and the wrapper keep the caller's variables out: \(environment)")
        // And a file for stdin is opened by the caller's shell, with the caller's rights
        let shadow = try viaSudo(#"sudo -n "$W" ticket import < /etc/shadow"#)
        #expect(shadow.status != 0)
        #expect(shadow.err.lowercased().contains("permission denied"), "\(shadow)")
        // Nothing changed: still one ticket, no audit record by anyone but the setup
        let after = try sandbox.succeed(["ticket", "list", "--json"])
        #expect((try after.json()["pagination"] as? [String: Int])?["total"] == 1)
    }

    /// The README's SSH recipe: `command="…"` in the desk account's authorized_keys; sshd runs it
    /// as that account with what the caller typed in SSH_ORIGINAL_COMMAND.
    @Test func theSSHForcedCommandRecipeSplitsWithoutAShell() throws {
        guard let account = SecondUser.available("theSSHForcedCommandRecipeSplitsWithoutAShell") else { return }
        // Given a desk owned by the desk account (the second user), as sshd would run it
        let (sandbox, pinned) = try Self.desk()
        try sandbox.openToOthers()
        for suffix in ["", "-wal", "-shm", ".lock"] { try SecondUser.chown(sandbox.dbPath + suffix, to: account) }
        try SecondUser.chown(sandbox.directory.path, to: account)
        func ssh(_ typed: String) throws -> CLIResult {
            var environment = pinned
            environment["SSH_ORIGINAL_COMMAND"] = typed
            return try sandbox.runAs(account, [sandbox.binary.path], environment: environment)
        }
        // When the caller types commands
        let list = try ssh("support ticket list --json")
        #expect(list.status == 0, "\(list)")
        #expect((try list.json()["tickets"] as? [[String: Any]])?.count == 1)
        let reply = try ssh(#"respond \#(Sandbox.number(1)) --message "two words; \$(id) \`id\`""#)
        #expect(reply.status == 0, "\(reply)")
        // Then quoting works and nothing is expanded or run
        let shown = try ssh("ticket show \(Sandbox.number(1)) --json")
        #expect(shown.out.contains(#"two words; $(id) `id`"#), "\(shown)")
        // And the pinned options are refused there too
        let escape = try ssh("--as ada@example.test settings get")
        #expect(escape.status == 77, "\(escape)")
    }
}
