#include <sqlite3.h>
#include "CSQLiteConfig.h"
#include <string.h>

int csqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

// MARK: Ticket-id bitmaps

// Filling costs SQLite's step of a covering index (or FTS5's next rowid) and one OR a row:
// reading the 903,145 rowids of `printer` from ticket_search_staff this way takes about what
// the sqlite3 shell's `SELECT sum(rowid) … MATCH 'printer'` takes (25-28 ms, uniform 1M file);
// the same through GRDB's row cursor in Swift cost several times that.
int csqlite_bitmap_fill(sqlite3_stmt *statement, uint64_t *words, int64_t count) {
    int rc;
    uint64_t limit = (uint64_t)count * 64;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
        uint64_t id = (uint64_t)sqlite3_column_int64(statement, 0);
        if (id < limit) words[id >> 6] |= (uint64_t)1 << (id & 63);
    }
    sqlite3_reset(statement);
    return rc;
}

int64_t csqlite_bitmap_and(uint64_t *into, const uint64_t *other, int64_t count) {
    int64_t set = 0;
    for (int64_t i = 0; i < count; i++) {
        into[i] &= other[i];
        set += __builtin_popcountll(into[i]);
    }
    return set;
}

int64_t csqlite_bitmap_count(const uint64_t *words, int64_t count) {
    int64_t set = 0;
    for (int64_t i = 0; i < count; i++) set += __builtin_popcountll(words[i]);
    return set;
}

int64_t csqlite_bitmap_ids(const uint64_t *words, int64_t count, int descending, int64_t skip, int64_t limit, int64_t *out) {
    int64_t written = 0;
    for (int64_t k = 0; k < count && written < limit; k++) {
        int64_t i = descending ? count - 1 - k : k;
        uint64_t word = words[i];
        int bits = __builtin_popcountll(word);
        if (skip >= bits) { skip -= bits; continue; }
        while (word && written < limit) {
            int bit = descending ? 63 - __builtin_clzll(word) : __builtin_ctzll(word);
            word &= ~((uint64_t)1 << bit);
            if (skip > 0) { skip--; continue; }
            out[written++] = i * 64 + bit;
        }
    }
    return written;
}

static void in_bitmap(sqlite3_context *context, int argc, sqlite3_value **argv) {
    (void)argc;
    const unsigned char *blob = sqlite3_value_blob(argv[0]);
    int64_t bytes = sqlite3_value_bytes(argv[0]);
    uint64_t id = (uint64_t)sqlite3_value_int64(argv[1]);
    uint64_t word = 0;
    if (blob != NULL && id < (uint64_t)(bytes / 8) * 64) memcpy(&word, blob + (id >> 6) * 8, 8); // no alignment assumed
    sqlite3_result_int(context, (int)((word >> (id & 63)) & 1));
}

int csqlite_register_bitmap_function(sqlite3 *db) {
    return sqlite3_create_function_v2(db, "support_in_bitmap", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY,
                                      NULL, in_bitmap, NULL, NULL, NULL);
}
