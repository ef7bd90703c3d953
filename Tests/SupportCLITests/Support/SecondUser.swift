import Foundation
import Testing

/// A real second Unix account for the tests of file ownership, pinned mode and StrictModes:
/// `support-test-other`, created with `useradd` when missing. Needs root (CI runs the tests as
/// root); without it `available` is nil and the tests print why they skip.
enum SecondUser {
    static let name = "support-test-other"

    struct Account: Sendable {
        let name: String
        let uid: UInt32
        let gid: UInt32
    }

    static let account: Result<Account, CLIError> = create()

    /// The account, or nil after printing why the calling test skips.
    static func available(_ test: String) -> Account? {
        switch account {
        case .success(let account): return account
        case .failure(let reason):
            print("skipping \(test): \(reason.description)")
            return nil
        }
    }

    private static func create() -> Result<Account, CLIError> {
        guard geteuid() == 0 else { return .failure(CLIError(description: "needs root to create and switch to a second Unix user")) }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
            return .failure(CLIError(description: "setpriv (util-linux) is not installed"))
        }
        if getpwnam(name) == nil {
            let add = Process()
            add.executableURL = URL(fileURLWithPath: "/usr/sbin/useradd")
            add.arguments = ["--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", name]
            do { try add.run() } catch { return .failure(CLIError(description: "cannot run useradd: \(error)")) }
            add.waitUntilExit()
            // Another test process may have created it in between: look again either way.
        }
        guard let entry = getpwnam(name) else { return .failure(CLIError(description: "useradd did not create \(name)")) }
        return .success(Account(name: name, uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid))
    }

    /// `chown` to the account.
    static func chown(_ path: String, to account: Account) throws {
        guard Glibc.chown(path, account.uid, account.gid) == 0 else {
            throw CLIError(description: "chown \(path): \(String(cString: strerror(errno)))")
        }
    }
}

extension Sandbox {
    /// Runs `arguments` (a program and its arguments) as `account`, with the sandbox's
    /// environment plus `environment`, in the sandbox's directory.
    @discardableResult
    func runAs(_ account: SecondUser.Account, _ arguments: [String], stdin: Data? = nil,
               environment: [String: String?] = [:]) throws -> CLIResult {
        let setpriv = ["--reuid=\(account.uid)", "--regid=\(account.gid)", "--clear-groups", "--"]
        var env: [String: String?] = ["HOME": "/nonexistent", "USER": account.name, "LOGNAME": account.name]
        for (key, value) in environment { env[key] = value }
        return try launch(setpriv + arguments, stdin: stdin, environment: env,
                          executable: URL(fileURLWithPath: "/usr/bin/setpriv")).wait()
    }

    /// The sandbox made reachable by another account: the directory 0755 (its parent is /tmp).
    func openToOthers() throws {
        guard chmod(directory.path, 0o755) == 0, chmod(scratch.path, 0o777) == 0 else {
            throw CLIError(description: "chmod \(directory.path): \(String(cString: strerror(errno)))")
        }
    }
}
