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

/// The document lengths of a full-text index packed by blocks of ids (`<index>_length`, kept by
/// the desk's triggers, SearchLengths.swift): block `id >> SEARCH_LENGTH_BLOCK_SHIFT`
/// holds a slot of SEARCH_LENGTH_SLOT_BYTES for each of its ids, the document's `sz` bytes and
/// zeros after (all zeros: no document).
#define SEARCH_LENGTH_BLOCK_SHIFT 7
#define SEARCH_LENGTH_BLOCK_IDS 128
#define SEARCH_LENGTH_SLOT_BYTES 16

/// Fills `<index>_length` from `<index>_docsize` (its rows deleted first), as the triggers would
/// have. Returns SQLite's result code.
int csqlite_search_lengths_fill(sqlite3 *db, const char *index);

/// Registers the FTS5 auxiliary function `support_rank(table, state)` on `db` (through the
/// connection's fts5_api), which `csqlite_rank_page` uses. Returns SQLite's result code.
int csqlite_register_rank_function(sqlite3 *db);

/// The ranked read's stretch of document lengths (16,384 ids) and how many hits it reads by its
/// cursor before it looks at their density again (4,096); 0 for the defaults. Tests make them
/// small; the scores are the same either way.
void csqlite_rank_tune(int64_t stretchIDs, int64_t decideEvery);

/// A search's best `keep` hits by bm25 (the FTS5 table `index`, the FTS5 query `match`, column
/// weights `weights`), exactly as `ORDER BY bm25(index, weights…) [DESC], rowid DESC` orders them,
/// among the hits with rowid in `low` ... `high` whose bit is set in `bitmap` (NULL: all):
/// their ids and scores written to `ids` and `scores` (room for `keep`) in page order, how many
/// such hits there are to `hits`, SQLite's result code to `code`. Returns how many were written.
/// `documents` (when `documentCount` is the number of phrases): how many documents hold each
/// phrase, for the idf; else FTS5 counts them; `documentCount` -1: take every phrase's idf to be
/// 1e-6, bm25's value for a phrase in at least half the documents, which holds when 2 × `seen`
/// (the query's rows in the range) ≥ `rows` (the documents of the index): the caller checks.
/// Needs `csqlite_register_rank_function` on `db` first.
int64_t csqlite_rank_page(sqlite3 *db, const char *index, const char *match,
                          const uint64_t *bitmap, int64_t bitmapWords,
                          const double *weights, int weightCount, int reverse, int64_t keep,
                          int64_t low, int64_t high, const int64_t *documents, int documentCount,
                          int64_t *ids, double *scores, int64_t *hits, int *code, int64_t *seen, int64_t *rows);

/// `csqlite_rank_page` over all rowids on both cores: the ids up to the middle on `db`, the rest
/// on a second connection to the same file (in a read transaction that sees the same FTS5 index:
/// its structure and averages records are compared), each with its own heap, the two merged.
/// `maxID`: the highest ticket id. Without a second connection (an in-memory database, another
/// snapshot) all on `db`; `parallel` says which. `phrases`: the phrases of `match` in order, each
/// an FTS5 query, separated by U+001F (each half counts its documents of each, for the idf).
/// `assumeCommon` 1 (or -1 and a slice of the ids says the hits are dense): first rank with
/// every idf 1e-6 and no counts, kept when the hits turn out to be at least half the documents
/// (`common` 1), else ranked again with the counts. One connection when a slice of the ids says
/// the query has fewer than `minimumHits` rows among the ids the bitmap spans.
int64_t csqlite_rank_page_parallel(sqlite3 *db, const char *index, const char *match, const char *phrases,
                                   const uint64_t *bitmap, int64_t bitmapWords, int64_t maxID,
                                   const double *weights, int weightCount, int reverse, int64_t keep,
                                   int assumeCommon, int64_t minimumHits, int64_t *ids, double *scores, int64_t *hits,
                                   int *code, int *parallel, int *common);

#endif
