import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whether a database file may name a program for this process to run (ssh's StrictModes).
///
/// `notify flush` runs the file's `sendmail_command` as whoever flushes. Whoever can write the
/// file, its `-wal`, or swap it in its directory (or a directory above) chooses that program:
/// root flushing a file another user owns ran that user's command as root. So the program is run
/// only when every one of those is owned by the flushing user or root and writable by nobody
/// else (a directory writable by others only with the sticky bit, as /tmp). (issue 13.2)
public enum DatabaseTrust {
    /// Why the file at `path` may not name a program, or nil when it may.
    public static func problem(path: String) -> String? {
        let me = geteuid()
        for file in [path, path + "-wal", path + "-shm"] {
            var info = stat()
            guard lstat(file, &info) == 0 else {
                if file == path { return "cannot examine \(path): \(String(cString: strerror(errno)))" }
                continue
            }
            if info.st_uid != me && info.st_uid != 0 {
                return "\(file) is owned by \(DatabaseFiles.userName(info.st_uid)), not by you or root"
            }
            if info.st_mode & 0o022 != 0 {
                return "\(file) is writable by its group or others (mode \(String(info.st_mode & 0o777, radix: 8)))"
            }
        }
        var directory = URL(fileURLWithPath: path).deletingLastPathComponent().standardizedFileURL.path
        while true {
            var info = stat()
            guard stat(directory, &info) == 0 else { return "cannot examine \(directory): \(String(cString: strerror(errno)))" }
            if info.st_uid != me && info.st_uid != 0 {
                return "the directory \(directory) is owned by \(DatabaseFiles.userName(info.st_uid)), not by you or root"
            }
            if info.st_mode & 0o022 != 0, info.st_mode & S_ISVTX == 0 {
                return "the directory \(directory) is writable by its group or others without the sticky bit (mode \(String(info.st_mode & 0o7777, radix: 8)))"
            }
            if directory == "/" { return nil }
            directory = URL(fileURLWithPath: directory).deletingLastPathComponent().standardizedFileURL.path
        }
    }
}
