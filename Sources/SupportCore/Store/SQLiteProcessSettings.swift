import CSQLiteConfig

/// What SQLite takes once per process, before its first connection.
public enum SQLiteProcessSettings {
    /// Turns off SQLite's memory statistics, which `support` never reads. With them on, every
    /// allocation SQLite makes takes one process-wide mutex, and the threads of an import (the
    /// writer and the full-text builder, each with its own connection) queue on it: half a
    /// second of a 100,000-ticket import (docs/benchmarks.md). To be called first thing in
    /// `main`, before any database opens or any other thread starts; later calls change nothing.
    public static func apply() {
        _ = csqlite_disable_memory_statistics()
    }
}
