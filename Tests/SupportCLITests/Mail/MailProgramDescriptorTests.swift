import Foundation
import Testing

/// The mail program gets its message, /dev/null and a stderr pipe, and nothing else of the
/// flush: a program that runs on after the flush is killed must not keep its database
/// connections (on PostgreSQL a killed server's open transaction, and the ticket counter it had
/// locked, lived as long as its mail programs), its listening socket or its parent's pipes.
@Suite("mail program: inherits only stdin, stdout and stderr")
struct MailProgramDescriptorTests {
    @Test(arguments: Engine.available)
    func theMailProgramInheritsNoOtherDescriptor(engine: Engine) throws {
        // Given a queued notice and a mail program that lists its own open descriptors
        let sandbox = try Sandbox(engine: engine)
        try sandbox.enableMail()
        try sandbox.createTicket(subject: "Descriptors", extra: ["--requester", "r@example.test"])
        let listing = sandbox.directory.appendingPathComponent("descriptors")
        let script = try sandbox.writeScript("list-descriptors.sh", """
            #!/bin/sh
            cat > /dev/null
            ls -l /proc/$$/fd > "\(listing.path)"
            """)

        // When it is flushed
        let flush = try sandbox.flush(script)
        #expect(flush.status == 0, "\(flush)")

        // Then the program held 0, 1 and 2, and beyond them only the shell's own: the script it
        // reads and its saved copy of stdout (/dev/null) while `>` points 1 at the listing
        let lines = try String(contentsOf: listing, encoding: .utf8).split(separator: "\n").filter { $0.contains(" -> ") }
        let descriptors = lines.compactMap { line -> (Int, String)? in
            let parts = line.components(separatedBy: " -> ")
            guard let number = parts[0].split(separator: " ").last.flatMap({ Int($0) }) else { return nil }
            return (number, parts[1])
        }
        #expect(Set(descriptors.map(\.0)).isSuperset(of: [0, 1, 2]), "\(lines)")
        let others = descriptors.filter { $0.0 > 2 && $0.1 != script && $0.1 != "/dev/null" }
        #expect(others.isEmpty, "inherited: \(others.map { "\($0.0) -> \($0.1)" })")
    }
}
