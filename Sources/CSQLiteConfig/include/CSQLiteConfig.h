#ifndef CSQLITECONFIG_H
#define CSQLITECONFIG_H

/// Turns off SQLite's memory statistics for the whole process (SQLITE_CONFIG_MEMSTATUS).
/// `sqlite3_config` is variadic, so Swift cannot call it; this wrapper can. Must run before
/// SQLite initializes (before the first connection opens) and before any other thread uses
/// SQLite; afterwards SQLite refuses it and the result is SQLITE_MISUSE, which changes nothing.
/// Returns SQLite's result code.
int csqlite_disable_memory_statistics(void);

#endif
