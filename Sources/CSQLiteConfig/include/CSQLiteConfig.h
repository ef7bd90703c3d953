#ifndef CSQLITECONFIG_H
#define CSQLITECONFIG_H

/// Turns off SQLite's memory statistics for the whole process (SQLITE_CONFIG_MEMSTATUS).
/// `sqlite3_config` is variadic, so Swift cannot call it; this wrapper can. Must run before
/// SQLite initializes (before the first connection opens) and before any other thread uses
/// SQLite; afterwards SQLite refuses it and the result is SQLITE_MISUSE, which changes nothing.
/// Returns SQLite's result code.
int csqlite_disable_memory_statistics(void);

#include <stdint.h>
#include <sqlite3.h>
#include "CSQLiteTokenize.h"

/// Ticket-id bitmaps for the list plans that combine several filters (AppDatabase+TicketBitmap.swift):
/// bit `id` of `words` (64 ids a word) is set when ticket `id` is in the set.

/// Steps `statement` (already bound) to its end, setting the bit of the integer in its first
/// column for every row (ids outside 0 ..< 64 × `count` are ignored), then resets it. Returns
/// SQLITE_DONE, or SQLite's error code.
int csqlite_bitmap_fill(sqlite3_stmt *statement, uint64_t *words, int64_t count);

/// `into` &= `other` over `count` words; returns how many bits remain set.
int64_t csqlite_bitmap_and(uint64_t *into, const uint64_t *other, int64_t count);

/// How many bits are set.
int64_t csqlite_bitmap_count(const uint64_t *words, int64_t count);

/// The ids of the set bits, highest first (`descending`) or lowest first, past the first `skip`
/// of them, at most `limit`, written to `out`. Returns how many were written.
int64_t csqlite_bitmap_ids(const uint64_t *words, int64_t count, int descending, int64_t skip, int64_t limit, int64_t *out);

/// Registers the SQL function `support_in_bitmap(bitmap BLOB, id INTEGER)` on `db`: 1 when bit
/// `id` of the blob (words as above, in this machine's byte order) is set, else 0. Returns
/// SQLite's result code.
int csqlite_register_bitmap_function(sqlite3 *db);

#endif
