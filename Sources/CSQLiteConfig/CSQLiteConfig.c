// qsort_r (glibc): the ranked read sorts its page with a comparison that needs its state.
#define _GNU_SOURCE
#include <stdlib.h>
#include <sqlite3.h>
#include "CSQLiteConfig.h"
#include <string.h>
#include <math.h>

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

// MARK: Relevance (bm25) pages

// FTS5's bm25() costs about 400 ms for the 903,447 hits of `button` at 1M tickets (uniform file,
// `--search button --status all --sort relevance --reverse`, perf): 62 % of it is xColumnSize,
// which looks each hit's document size up in %_docsize with a statement of its own (a B-tree
// seek, a VDBE run, a reset); 7 % its instance array; 4 % its idf pass. `support_rank` computes
// the same score (the formula of FTS5's documentation and bm25(): k1 1.2, b 0.75, the same idf
// and average length from the FTS5 API, the same column weights, the same order of operations,
// so the same doubles) with the document sizes read in rowid order beside the hits (a cursor on
// %_docsize stepped along, or a stretch of sizes read at once: rank_document_length), the counts
// from each phrase's position list (rank_frequency), later phrases skipped for a hit that cannot
// reach the page, and keeps only the page's best (rank_push) instead of SQLite's sorter.

// No fused multiply-add: the doubles must be bm25()'s to the last bit (ties are by id).
#pragma STDC FP_CONTRACT OFF

typedef struct {
    int64_t id;
    double score;
} RankEntry;

typedef struct {
    // Inputs.
    const uint64_t *bitmap; // NULL: every hit counts
    int64_t bitmapWords;
    int reverse;            // 0: lowest (best) bm25 first; 1: highest first; ties by id, highest first
    int64_t keep;           // how many of the best to keep (the page's end)
    double weights[8];
    int weightCount;
    sqlite3_stmt *docsize;  // SELECT id, sz FROM "<index>_docsize" WHERE id >= ?1
    // The docsize cursor.
    int docsizePositioned;
    int docsizeHasRow;
    int64_t docsizeID;
    // Dense hits: the documents' lengths of a stretch of ids read at once (rank_fill_stretch).
    sqlite3_stmt *fill;     // SELECT … FROM "<index>_docsize" WHERE id >= ?2 AND id < ?3 AND support_rank_fill(?1, id, sz) …
    int32_t *stretch;       // stretchIDs lengths, -1 where there is no row
    int64_t stretchIDs, decideEvery;
    int64_t stretchLow, stretchHigh;
    int fillRC;             // what the stretch's reading met (rank_fill_function)
    sqlite3_stmt *packed;   // SELECT block, sizes FROM "<index>_length" … (NULL: no such table)
    int dense;              // lengths from the stretch (else from the cursor)
    int64_t denseHits;      // hits since `denseFrom` (to decide again)
    int64_t denseFrom;
    // Per query, from the first hit.
    int ready;
    int phraseCount;
    double averageLength;
    double *idf;            // phraseCount of each, then room for the row's frequencies
    const int64_t *documents; // when given: how many documents hold each phrase (else counted)
    int documentCount;        // -1: assume each phrase is in at least half the documents (checked after)
    int64_t seen;             // rows of the query visited (in the range, before the bitmap)
    int64_t rows;             // documents in the index (from the first hit on)
    int columns;
    double *highestFrom;    // [p]: Σ idf × (k1 + 1) of the phrases from p on (the most they add)
    double *idfFrom;        // [p]: Σ idf of the phrases from p on
    double leastWeight;     // the least column weight
    double *lengthTerms;    // [D], D < rank_memo_lengths: rank_length_term of D once computed (else 0)
    // Results.
    int64_t hits;
    RankEntry *kept;        // candidates for the page, unordered (rank_push)
    int64_t keptCount, keptRoom;
    int hasLast;            // `last` is known: the page's last as of the latest cut
    RankEntry last;
    int rc;
} RankState;

// Whether `a` comes before `b` on the page.
static int rank_before(const RankState *s, RankEntry a, RankEntry b) {
    if (a.score != b.score) return s->reverse ? a.score > b.score : a.score < b.score;
    return a.id > b.id;
}

// The page's best are kept in a buffer with room for a quarter more (at least 1,024 more): a hit
// that comes before the page's last as of the latest cut is added; when the buffer is full, a
// selection keeps the best `keep` and their last becomes the new bar. A bounded heap did the same
// with a sift of log2(keep) levels for each hit that got on: 11.5 % of the CPU of two common
// words at page 1,000 (keep 25,000, one core).
static void rank_swap(RankEntry *a, RankEntry *b) { RankEntry t = *a; *a = *b; *b = t; }

// Puts the `k`-th entry in page order at index k of `e` (0-based), the ones before it at lower
// indexes and the ones after at higher (Hoare's selection, the median of three as pivot).
static void rank_select(const RankState *s, RankEntry *e, int64_t n, int64_t k) {
    int64_t low = 0, high = n - 1;
    while (high > low) {
        int64_t middle = low + (high - low) / 2;
        if (rank_before(s, e[middle], e[low])) rank_swap(&e[middle], &e[low]);
        if (rank_before(s, e[high], e[low])) rank_swap(&e[high], &e[low]);
        if (rank_before(s, e[high], e[middle])) rank_swap(&e[high], &e[middle]);
        RankEntry pivot = e[middle];
        int64_t i = low, j = high;
        while (i <= j) {
            while (rank_before(s, e[i], pivot)) i++;
            while (rank_before(s, pivot, e[j])) j--;
            if (i <= j) { rank_swap(&e[i], &e[j]); i++; j--; }
        }
        if (k <= j) high = j;
        else if (k >= i) low = i;
        else return;
    }
}

// Keeps the best `keep` of the buffer; the last of them is the new bar.
static void rank_cut(RankState *s) {
    if (s->keptCount <= s->keep) return;
    rank_select(s, s->kept, s->keptCount, s->keep - 1);
    RankEntry last = s->kept[0];
    for (int64_t i = 1; i < s->keep; i++) if (rank_before(s, last, s->kept[i])) last = s->kept[i];
    s->last = last;
    s->hasLast = 1;
    s->keptCount = s->keep;
}

static void rank_push(RankState *s, RankEntry e) {
    if (s->keep <= 0) return;
    if (s->hasLast && !rank_before(s, e, s->last)) return;
    s->kept[s->keptCount++] = e;
    if (s->keptCount == s->keptRoom) rank_cut(s);
}

static int rank_compare(const void *a, const void *b, void *state) {
    const RankEntry *x = a, *y = b;
    return rank_before(state, *x, *y) ? -1 : rank_before(state, *y, *x) ? 1 : 0;
}

// SQLite's varint (what FTS5 writes in %_docsize), kept to 32 bits as FTS5 reads it.
static int rank_varint32(const unsigned char *p, int n, uint32_t *value) {
    uint64_t v = 0;
    for (int i = 0; i < 9; i++) {
        if (i >= n) return -1;
        if (i == 8) { v = (v << 8) | p[i]; *value = (uint32_t)v; return 9; }
        v = (v << 7) | (p[i] & 0x7f);
        if (!(p[i] & 0x80)) { *value = (uint32_t)v; return i + 1; }
    }
    return -1;
}

// Past this many rows ahead a seek is cheaper than stepping: a step of the %_docsize cursor
// costs about 40 ns, a seek about 250 ns (FTS5's own look-up: 230 ms for 903,447 hits).
static const int64_t rank_seek_gap = 8;

static int rank_docsize_step(RankState *s) {
    int rc = sqlite3_step(s->docsize);
    if (rc == SQLITE_ROW) {
        s->docsizeHasRow = 1;
        s->docsizeID = sqlite3_column_int64(s->docsize, 0);
        return SQLITE_OK;
    }
    s->docsizeHasRow = 0;
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

// The sizes of one %_docsize row (its columns' token counts) added up.
static int rank_total_size(const unsigned char *blob, int bytes, int columns, int *length) {
    int total = 0, at = 0;
    for (int c = 0; c < columns; c++) {
        uint32_t size;
        int used = at < bytes && blob[at] < 0x80 ? (size = blob[at], 1) : rank_varint32(blob + at, bytes - at, &size);
        if (used < 0) return SQLITE_CORRUPT_VTAB;
        at += used;
        total += (int)size;
    }
    *length = total;
    return SQLITE_OK;
}

// Dense hits (two common words: 826,413 of 1M tickets) read the lengths of a stretch of ids with
// one statement that hands each %_docsize row to `support_rank_fill` in its WHERE clause: one
// VDBE pass a row, about 35 ns, against about 85 ns for a step of the cursor and its three column
// reads a hit (`--search "printer invoice" --sort relevance --reverse --page 200`, one core:
// 170 → 145 ms of CPU). Sparse hits (a rare word, a filter's bitmap) keep the cursor, which
// reads only their rows.
//
// A stretch's ids, and how many hits the cursor reads before it decides again. Tests make them
// small (csqlite_rank_tune) to switch often on a small desk.
static int64_t rank_stretch_ids = 16384, rank_decide_every = 4096;

void csqlite_rank_tune(int64_t stretchIDs, int64_t decideEvery) {
    __atomic_store_n(&rank_stretch_ids, stretchIDs > 0 ? stretchIDs : 16384, __ATOMIC_RELAXED);
    __atomic_store_n(&rank_decide_every, decideEvery > 0 ? decideEvery : 4096, __ATOMIC_RELAXED);
}

static void rank_fill_function(sqlite3_context *context, int argc, sqlite3_value **argv) {
    (void)argc;
    // The state kept as the argument's aux data after a stretch's first row (the same state
    // for every stretch of a ranking, so never stale): a pointer check compares type names
    // (strcmp: 2.6 % of the CPU of two common words by relevance).
    RankState *s = sqlite3_get_auxdata(context, 0);
    if (s == NULL) {
        s = sqlite3_value_pointer(argv[0], "support_rank_fill");
        if (s == NULL) { sqlite3_result_error(context, "support_rank_fill: no state", -1); return; }
        sqlite3_set_auxdata(context, 0, s, NULL);
    }
    int64_t id = sqlite3_value_int64(argv[1]);
    int length = 0;
    int rc = rank_total_size(sqlite3_value_blob(argv[2]), sqlite3_value_bytes(argv[2]), s->columns, &length);
    if (rc != SQLITE_OK) { s->fillRC = rc; return; }
    if (id >= s->stretchLow && id < s->stretchHigh) s->stretch[id - s->stretchLow] = length;
}

// A slot of `<index>_length`: the `columns` varints of the document's %_docsize row, zeros
// after. 0 when they do not decode there or add up to nothing (no row, or an empty document,
// which is never a hit): the reader then asks %_docsize itself.
static int rank_slot_length(const unsigned char *slot, int columns) {
    int length = 0;
    if (rank_total_size(slot, SEARCH_LENGTH_SLOT_BYTES, columns, &length) != SQLITE_OK) return 0;
    return length;
}

static int rank_fill_stretch(RankState *s, int64_t low) {
    s->stretchLow = low;
    s->stretchHigh = low > INT64_MAX - s->stretchIDs ? INT64_MAX : low + s->stretchIDs;
    for (int64_t i = 0; i < s->stretchIDs; i++) s->stretch[i] = -1;
    if (s->packed != NULL) {
        // The lengths packed by blocks of ids (a row per SEARCH_LENGTH_BLOCK_IDS ids, kept by
        // the desk's triggers): 128 rows for a stretch instead of 16,384. A slot that says
        // nothing stays -1 and that hit's length is read from %_docsize (rank_document_length).
        sqlite3_reset(s->packed);
        sqlite3_bind_int64(s->packed, 1, s->stretchLow >> SEARCH_LENGTH_BLOCK_SHIFT);
        sqlite3_bind_int64(s->packed, 2, (s->stretchHigh - 1) >> SEARCH_LENGTH_BLOCK_SHIFT);
        int rc;
        while ((rc = sqlite3_step(s->packed)) == SQLITE_ROW) {
            int64_t block = sqlite3_column_int64(s->packed, 0);
            const unsigned char *sizes = sqlite3_column_blob(s->packed, 1);
            int bytes = sqlite3_column_bytes(s->packed, 1);
            if (sizes == NULL || bytes != SEARCH_LENGTH_BLOCK_IDS * SEARCH_LENGTH_SLOT_BYTES) continue;
            for (int i = 0; i < SEARCH_LENGTH_BLOCK_IDS; i++) {
                int64_t id = block * SEARCH_LENGTH_BLOCK_IDS + i;
                if (id < s->stretchLow || id >= s->stretchHigh) continue;
                int length = rank_slot_length(sizes + i * SEARCH_LENGTH_SLOT_BYTES, s->columns);
                if (length > 0) s->stretch[id - s->stretchLow] = length;
            }
        }
        sqlite3_reset(s->packed);
        return rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    s->fillRC = SQLITE_OK;
    sqlite3_reset(s->fill);
    sqlite3_bind_pointer(s->fill, 1, s, "support_rank_fill", NULL);
    sqlite3_bind_int64(s->fill, 2, s->stretchLow);
    sqlite3_bind_int64(s->fill, 3, s->stretchHigh);
    int rc;
    while ((rc = sqlite3_step(s->fill)) == SQLITE_ROW) {}
    sqlite3_reset(s->fill);
    if (rc != SQLITE_DONE) return rc;
    return s->fillRC;
}

// The total number of tokens of document `id` (all columns), as xColumnSize(-1) gives it.
// Hits come in rowid order, so the cursor mostly steps forward a row or two; after a gap (a
// filter's bitmap, a rare word) it seeks. Every 4,096 hits (and at each stretch's end) the hits'
// density since the last decision chooses: hits in at least a quarter of the ids → stretches, else
// the cursor (zipf file, `refund` in 27 % of the tickets: 72 → 66 ms of CPU with a quarter, against half).
static int rank_document_length(RankState *s, int64_t id, int columns, int *length) {
    int rc;
    if (s->fill != NULL && (s->dense ? id >= s->stretchHigh : s->denseHits >= s->decideEvery)) {
        int64_t span = id - s->denseFrom;
        s->dense = span > 0 && s->denseHits * 4 >= span;
        s->denseHits = 0;
        s->denseFrom = id;
    }
    s->denseHits++;
    if (s->dense) {
        if (id < s->stretchLow || id >= s->stretchHigh) {
            if ((rc = rank_fill_stretch(s, id)) != SQLITE_OK) return rc;
        }
        int32_t stored = s->stretch[id - s->stretchLow];
        if (stored >= 0) { *length = stored; return SQLITE_OK; }
        // Not in the stretch: no %_docsize row (corrupt, said below), or a packed slot that
        // says nothing: the row itself.
        if (s->packed == NULL) return SQLITE_CORRUPT_VTAB;
    }
    if (s->denseHits == 1) s->denseFrom = id;
    if (!s->docsizePositioned || s->docsizeID > id || id - s->docsizeID > rank_seek_gap) {
        sqlite3_reset(s->docsize);
        sqlite3_bind_int64(s->docsize, 1, id);
        s->docsizePositioned = 1;
        if ((rc = rank_docsize_step(s)) != SQLITE_OK) return rc;
    }
    while (s->docsizeHasRow && s->docsizeID < id) {
        if ((rc = rank_docsize_step(s)) != SQLITE_OK) return rc;
    }
    if (!s->docsizeHasRow || s->docsizeID != id) return SQLITE_CORRUPT_VTAB;
    return rank_total_size(sqlite3_column_blob(s->docsize, 1), sqlite3_column_bytes(s->docsize, 1), columns, length);
}

static int rank_count_hit(const Fts5ExtensionApi *api, Fts5Context *fts, void *context) {
    (void)api; (void)fts;
    (*(int64_t *)context)++;
    return SQLITE_OK;
}

static const double rank_k1 = 1.2, rank_b = 0.75;

static double rank_length_term(const RankState *s, double D) {
    return rank_k1 * (1 - rank_b + rank_b * D / s->averageLength);
}

// Document lengths below this have their length term kept (32 KiB): the division and the
// chain of operations around it are the same for every document of that length, and were among
// the hottest instructions of the ranking in perf annotate (a division's latency each hit).
enum { rank_memo_lengths = 4096 };

static double rank_length_term_of(RankState *s, int length) {
    if (length >= 0 && length < rank_memo_lengths && s->lengthTerms != NULL) {
        double known = s->lengthTerms[length];
        if (known > 0.0) return known;
        return s->lengthTerms[length] = rank_length_term(s, (double)length);
    }
    return rank_length_term(s, (double)length);
}

// Once per query: the phrases' idf and the average document length, as bm25() computes them.
static int rank_prepare(RankState *s, const Fts5ExtensionApi *api, Fts5Context *fts) {
    int rc;
    sqlite3_int64 rows = 0, tokens = 0;
    s->phraseCount = api->xPhraseCount(fts);
    // idf, then room for the row's frequencies, then the bounds of what the phrases from each
    // one on add (rank_function).
    s->idf = sqlite3_malloc64(sizeof(double) * 4 * (sqlite3_uint64)(s->phraseCount > 0 ? s->phraseCount : 1));
    if (s->idf == NULL) return SQLITE_NOMEM;
    if ((rc = api->xRowCount(fts, &rows)) != SQLITE_OK) return rc;
    if ((rc = api->xColumnTotalSize(fts, -1, &tokens)) != SQLITE_OK) return rc;
    s->averageLength = (double)tokens / (double)rows;
    s->rows = rows;
    s->columns = api->xColumnCount(fts);
    for (int i = 0; i < s->phraseCount; i++) {
        int64_t documents = 0;
        if (s->documentCount == -1) {
            // A phrase in at least half the documents (N ≤ 2n) has log(...) ≤ 0, so bm25's idf is
            // exactly 1e-6 whatever n is; the caller checks N ≤ 2 × the hits seen afterwards
            // (each hit holds every phrase).
            s->idf[i] = 1e-6;
            continue;
        }
        if (s->documents != NULL && s->documentCount == s->phraseCount) {
            documents = s->documents[i];
        } else if ((rc = api->xQueryPhrase(fts, i, &documents, rank_count_hit)) != SQLITE_OK) {
            return rc;
        }
        // IDF = log((N - n + 0.5) / (n + 0.5)), at least 1e-6 (a word in over half the documents).
        double idf = log((rows - documents + 0.5) / (documents + 0.5));
        if (idf <= 0.0) idf = 1e-6;
        s->idf[i] = idf;
    }
    // The bounds of what the phrases after the first can add (rank_function); with a negative
    // weight there are none.
    s->leastWeight = INFINITY;
    for (int c = 0; c < s->columns; c++) {
        double w = c < s->weightCount ? s->weights[c] : 1.0;
        if (w < s->leastWeight) s->leastWeight = w;
    }
    s->highestFrom = s->idf + 2 * s->phraseCount;
    s->idfFrom = s->idf + 3 * s->phraseCount;
    double highest = 0.0, idfs = 0.0;
    for (int i = s->phraseCount - 1; i >= 0; i--) {
        highest += s->idf[i] * (rank_k1 + 1.0);
        idfs += s->idf[i];
        s->highestFrom[i] = highest;
        s->idfFrom[i] = idfs;
    }
    if (!(s->leastWeight >= 0.0)) {
        s->leastWeight = 0.0;
        for (int i = 0; i < s->phraseCount; i++) { s->highestFrom[i] = INFINITY; s->idfFrom[i] = 0.0; }
    }
    s->ready = 1;
    return SQLITE_OK;
}

// A phrase's weighted count of instances in the current row (bm25's f): each instance adds its
// column's weight.
static int rank_frequency(RankState *s, const Fts5ExtensionApi *api, Fts5Context *fts, int p, double *frequency) {
    int rc;
    Fts5PhraseIter iterator;
    int column, offset;
    double f = 0.0;
    if ((rc = api->xPhraseFirst(fts, p, &iterator, &column, &offset)) != SQLITE_OK) return rc;
    if (column >= 0) {
        // The rest of the row's instances read from the iterator's position list here, in
        // the detail=full format xPhraseNext reads (a varint a position; 1, the column's
        // number and a position when the column changes): a call a position cost 8 % of
        // the CPU of two common words (189 → 173 ms, one core). The counts per column are
        // all that bm25 needs; added in the same order, so the same doubles.
        double weight = s->weightCount > column ? s->weights[column] : 1.0;
        const unsigned char *a = iterator.a, *end = iterator.b;
        f = weight;
        while (a < end) {
            uint32_t value;
            int used = *a < 0x80 ? (value = *a, 1) : rank_varint32(a, (int)(end - a), &value);
            if (used < 0) return SQLITE_CORRUPT_VTAB;
            a += used;
            if (value == 1) {
                uint32_t next;
                if ((used = rank_varint32(a, (int)(end - a), &next)) < 0) return SQLITE_CORRUPT_VTAB;
                a += used;
                if (next >= (uint32_t)s->columns) return SQLITE_CORRUPT_VTAB;
                column = (int)next;
                weight = s->weightCount > column ? s->weights[column] : 1.0;
                if ((used = rank_varint32(a, (int)(end - a), &next)) < 0) return SQLITE_CORRUPT_VTAB;
                a += used;
            }
            f += weight;
        }
    }
    *frequency = f;
    return SQLITE_OK;
}

static void rank_function(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *context, int argc, sqlite3_value **argv) {
    // The state, from the bound pointer on the first row, then kept as the query's aux data (a
    // pointer check compares type names: 2 % of the ranking's CPU in perf).
    RankState *s = api->xGetAuxdata(fts, 0);
    if (s == NULL) {
        s = argc > 0 ? sqlite3_value_pointer(argv[0], "support_rank_state") : NULL;
        if (s == NULL) { sqlite3_result_error(context, "support_rank: no state", -1); return; }
        int rc = api->xSetAuxdata(fts, s, NULL);
        if (rc != SQLITE_OK) { sqlite3_result_error_code(context, rc); return; }
    }
    if (s->rc != SQLITE_OK) return;
    int64_t id = api->xRowid(fts);
    s->seen++;
    if (s->bitmap != NULL) {
        uint64_t u = (uint64_t)id;
        if (id < 0 || (int64_t)(u >> 6) >= s->bitmapWords || !((s->bitmap[u >> 6] >> (u & 63)) & 1)) return;
    }
    s->hits++;
    int rc = SQLITE_OK;
    if (!s->ready && (rc = rank_prepare(s, api, fts)) != SQLITE_OK) { s->rc = rc; return; }
    const double k1 = rank_k1;
    double *frequency = s->idf + s->phraseCount;
    int length = 0;
    if ((rc = rank_document_length(s, id, s->columns, &length)) != SQLITE_OK) { s->rc = rc; return; }
    double score = 0.0;
    // bm25: the sum over the phrases of idf × f(k1 + 1) / (f + k1(1 − b + b·D/avgdl)); the length
    // term is the same double for every phrase (each operation rounds alike), so computed once.
    double lengthTerm = rank_length_term_of(s, length);
    // Once the page is full, before each phrase after the first: whether the hit can still get
    // on it. Each phrase adds between idf × w(k1 + 1)/(w + L), w the least column weight (every
    // hit holds every phrase once at least), and idf × (k1 + 1) (f(k1 + 1)/(f + L) grows with f
    // towards k1 + 1); a hit whose bound is worse than the page's last by more than the doubles'
    // rounding is left there, its other phrases' positions unread (ties go by id, so never on a
    // bound that equals). Three words each in 90 % of 1M tickets, first page, one core: 183 →
    // 150 ms of CPU.
    int bounded = s->hasLast;
    double root = bounded ? -1.0 * s->last.score : 0.0, margin = fabs(root) * 1e-9;
    double least = bounded && s->reverse ? (s->leastWeight * (k1 + 1.0)) / (s->leastWeight + lengthTerm) : 0.0;
    for (int p = 0; p < s->phraseCount; p++) {
        if (bounded && p > 0) {
            if (!s->reverse ? score + s->highestFrom[p] < root - margin : score + least * s->idfFrom[p] > root + margin) return;
        }
        if ((rc = rank_frequency(s, api, fts, p, &frequency[p])) != SQLITE_OK) { s->rc = rc; return; }
        score += s->idf[p] * ((frequency[p] * (k1 + 1.0)) / (frequency[p] + lengthTerm));
    }
    rank_push(s, (RankEntry){ id, -1.0 * score });
}

int csqlite_register_rank_function(sqlite3 *db) {
    fts5_api *api = NULL;
    sqlite3_stmt *statement = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &statement, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_pointer(statement, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(statement);
    rc = sqlite3_finalize(statement);
    if (rc != SQLITE_OK) return rc;
    if (api == NULL || api->iVersion < 2) return SQLITE_ERROR;
    rc = sqlite3_create_function_v2(db, "support_rank_fill", 3, SQLITE_UTF8 | SQLITE_DIRECTONLY, NULL, rank_fill_function, NULL, NULL, NULL);
    if (rc != SQLITE_OK) return rc;
    return api->xCreateFunction(api, "support_rank", NULL, rank_function, NULL);
}


int64_t csqlite_rank_page(sqlite3 *db, const char *index, const char *match,
                          const uint64_t *bitmap, int64_t bitmapWords,
                          const double *weights, int weightCount, int reverse, int64_t keep,
                          int64_t low, int64_t high, const int64_t *documents, int documentCount,
                          int64_t *ids, double *scores, int64_t *hits, int *code, int64_t *seen, int64_t *rows) {
    RankState s;
    memset(&s, 0, sizeof s);
    s.documents = documents;
    s.documentCount = documentCount;
    s.bitmap = bitmap;
    s.bitmapWords = bitmapWords;
    s.reverse = reverse;
    s.keep = keep;
    s.weightCount = weightCount > 8 ? 8 : weightCount;
    for (int i = 0; i < s.weightCount; i++) s.weights[i] = weights[i];
    *hits = 0;
    *seen = 0;
    *rows = 0;
    *code = SQLITE_OK;
    if (bitmap != NULL) {
        // Only the ids between the bitmap's first and last: a `--since/--until` window is a
        // stretch of ids, and FTS5 reads only that part of the doclists.
        int64_t first = INT64_MAX, last = INT64_MIN;
        for (int64_t i = 0; i < bitmapWords; i++) {
            if (bitmap[i]) { first = i * 64 + __builtin_ctzll(bitmap[i]); break; }
        }
        for (int64_t i = bitmapWords - 1; i >= 0; i--) {
            if (bitmap[i]) { last = i * 64 + 63 - __builtin_clzll(bitmap[i]); break; }
        }
        if (first > last) return 0;
        if (low < first) low = first;
        if (high > last) high = last;
    }
    s.lengthTerms = sqlite3_malloc64(sizeof(double) * rank_memo_lengths);
    if (s.lengthTerms != NULL) memset(s.lengthTerms, 0, sizeof(double) * rank_memo_lengths);
    if (keep > 0) {
        s.keptRoom = keep + (keep / 4 > 1024 ? keep / 4 : 1024);
        s.kept = sqlite3_malloc64((sqlite3_uint64)s.keptRoom * sizeof(RankEntry));
        if (s.kept == NULL) { sqlite3_free(s.lengthTerms); *code = SQLITE_NOMEM; return 0; }
    }
    char *sql = sqlite3_mprintf("SELECT id, sz FROM \"%w_docsize\" WHERE id >= ?1", index);
    int rc = sql ? sqlite3_prepare_v2(db, sql, -1, &s.docsize, NULL) : SQLITE_NOMEM;
    sqlite3_free(sql);
    if (rc == SQLITE_OK) {
        s.stretchIDs = __atomic_load_n(&rank_stretch_ids, __ATOMIC_RELAXED);
        s.decideEvery = __atomic_load_n(&rank_decide_every, __ATOMIC_RELAXED);
        s.stretch = sqlite3_malloc64(sizeof(int32_t) * (sqlite3_uint64)s.stretchIDs);
        // The function in the WHERE clause answers NULL: no row handed out, one step a stretch.
        sql = sqlite3_mprintf("SELECT 1 FROM \"%w_docsize\" WHERE id >= ?2 AND id < ?3 AND support_rank_fill(?1, id, sz) IS NOT NULL", index);
        rc = sql && s.stretch ? sqlite3_prepare_v2(db, sql, -1, &s.fill, NULL) : SQLITE_NOMEM;
        sqlite3_free(sql);
        // The packed lengths when the file has them (migration ticket-search-lengths); else
        // the stretch statement above reads %_docsize.
        sql = sqlite3_mprintf("SELECT block, sizes FROM \"%w_length\" WHERE block >= ?1 AND block <= ?2 ORDER BY block", index);
        if (sql == NULL || sqlite3_prepare_v2(db, sql, -1, &s.packed, NULL) != SQLITE_OK) {
            sqlite3_finalize(s.packed);
            s.packed = NULL;
        }
        sqlite3_free(sql);
    }
    sqlite3_stmt *hitsStatement = NULL;
    if (rc == SQLITE_OK) {
        // The function in the WHERE clause (it answers NULL): SQLite hands out no row, one
        // sqlite3_step in all.
        // Only the bounds there are: SQLite checks each again on every row FTS5 hands out (a
        // column read and a comparison a hit), and a half of the ids has one.
        sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\" f WHERE f.\"%w\" MATCH ?1%s%s"
                              " AND support_rank(f.\"%w\", ?2) IS NOT NULL", index, index,
                              low != INT64_MIN ? " AND f.rowid >= ?3" : "", high != INT64_MAX ? " AND f.rowid <= ?4" : "", index);
        rc = sql ? sqlite3_prepare_v2(db, sql, -1, &hitsStatement, NULL) : SQLITE_NOMEM;
        sqlite3_free(sql);
    }
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(hitsStatement, 1, match, -1, SQLITE_STATIC);
        sqlite3_bind_pointer(hitsStatement, 2, &s, "support_rank_state", NULL);
        if (low != INT64_MIN) sqlite3_bind_int64(hitsStatement, 3, low);
        if (high != INT64_MAX) sqlite3_bind_int64(hitsStatement, 4, high);
        while ((rc = sqlite3_step(hitsStatement)) == SQLITE_ROW && s.rc == SQLITE_OK) {}
        if (s.rc != SQLITE_OK) rc = s.rc;
        else if (rc == SQLITE_DONE) rc = SQLITE_OK;
    }
    sqlite3_finalize(hitsStatement);
    sqlite3_finalize(s.docsize);
    sqlite3_finalize(s.fill);
    sqlite3_finalize(s.packed);
    sqlite3_free(s.stretch);
    int64_t written = 0;
    if (rc == SQLITE_OK) {
        // The best `keep` in page order.
        rank_cut(&s);
        qsort_r(s.kept, (size_t)s.keptCount, sizeof(RankEntry), rank_compare, &s);
        written = s.keptCount;
        for (int64_t i = 0; i < written; i++) {
            ids[i] = s.kept[i].id;
            scores[i] = s.kept[i].score;
        }
        *hits = s.hits;
        *seen = s.seen;
        *rows = s.rows;
    }
    sqlite3_free(s.kept);
    sqlite3_free(s.idf);
    sqlite3_free(s.lengthTerms);
    *code = rc;
    return written;
}

// MARK: Packed document lengths

int csqlite_search_lengths_fill(sqlite3 *db, const char *index) {
    sqlite3_stmt *rows = NULL, *insert = NULL;
    char *sql = sqlite3_mprintf("DELETE FROM \"%w_length\"", index);
    int rc = sql ? sqlite3_exec(db, sql, NULL, NULL, NULL) : SQLITE_NOMEM;
    sqlite3_free(sql);
    if (rc != SQLITE_OK) return rc;
    sql = sqlite3_mprintf("SELECT id, sz FROM \"%w_docsize\" ORDER BY id", index);
    rc = sql ? sqlite3_prepare_v2(db, sql, -1, &rows, NULL) : SQLITE_NOMEM;
    sqlite3_free(sql);
    if (rc == SQLITE_OK) {
        sql = sqlite3_mprintf("INSERT INTO \"%w_length\"(block, sizes) VALUES (?1, ?2)", index);
        rc = sql ? sqlite3_prepare_v2(db, sql, -1, &insert, NULL) : SQLITE_NOMEM;
        sqlite3_free(sql);
    }
    unsigned char sizes[SEARCH_LENGTH_BLOCK_IDS * SEARCH_LENGTH_SLOT_BYTES];
    int64_t block = 0;
    int pending = 0;
    while (rc == SQLITE_OK) {
        int step = sqlite3_step(rows);
        int64_t id = step == SQLITE_ROW ? sqlite3_column_int64(rows, 0) : 0;
        int64_t next = id >> SEARCH_LENGTH_BLOCK_SHIFT;
        if (pending && (step != SQLITE_ROW || next != block)) {
            sqlite3_bind_int64(insert, 1, block);
            sqlite3_bind_blob(insert, 2, sizes, (int)sizeof sizes, SQLITE_STATIC);
            rc = sqlite3_step(insert) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
            sqlite3_reset(insert);
            pending = 0;
        }
        if (step == SQLITE_DONE || rc != SQLITE_OK) break;
        if (step != SQLITE_ROW) { rc = step; break; }
        if (!pending) { memset(sizes, 0, sizeof sizes); block = next; pending = 1; }
        // As the triggers write it: the row's bytes, zeros after; zeros for a row longer than
        // a slot (FTS5's sizes are at most five bytes a column, three columns: never).
        int bytes = sqlite3_column_bytes(rows, 1);
        const void *sz = sqlite3_column_blob(rows, 1);
        if (sz != NULL && bytes <= SEARCH_LENGTH_SLOT_BYTES) {
            memcpy(sizes + (id & (SEARCH_LENGTH_BLOCK_IDS - 1)) * SEARCH_LENGTH_SLOT_BYTES, sz, (size_t)bytes);
        }
    }
    sqlite3_finalize(rows);
    sqlite3_finalize(insert);
    return rc;
}

// MARK: Relevance on both cores

#include <pthread.h>

typedef struct RankHalf {
    sqlite3 *db;
    const char *index, *match;
    const uint64_t *bitmap;
    int64_t bitmapWords;
    const double *weights;
    int weightCount, reverse;
    int64_t keep, low, high;
    // The phrases of `match`, each an FTS5 query of its own: each half counts the documents
    // that hold each phrase among its ids, and both add the two counts up (the idf).
    char **phrases;
    int phraseCount;
    int64_t *counts, *totals;
    int counted;
    pthread_barrier_t *barrier;
    struct RankHalf *other;
    int assumeCommon;       // rank with idf 1e-6 for every phrase (no counts; checked after)
    int64_t *ids;
    double *scores;
    int64_t hits, written, seen, rows;
    int code;
} RankHalf;

static int rank_count_phrases(RankHalf *h) {
    sqlite3_stmt *statement = NULL;
    char *sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\" WHERE \"%w\" MATCH ?1 AND rowid >= ?2 AND rowid <= ?3", h->index, h->index);
    int rc = sql ? sqlite3_prepare_v2(h->db, sql, -1, &statement, NULL) : SQLITE_NOMEM;
    sqlite3_free(sql);
    for (int i = 0; rc == SQLITE_OK && i < h->phraseCount; i++) {
        sqlite3_bind_text(statement, 1, h->phrases[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(statement, 2, h->low);
        sqlite3_bind_int64(statement, 3, h->high);
        if ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
            h->counts[i] = sqlite3_column_int64(statement, 0);
            rc = SQLITE_OK;
        }
        sqlite3_reset(statement);
    }
    sqlite3_finalize(statement);
    return rc;
}

static void *rank_half_run(void *argument) {
    RankHalf *h = argument;
    const int64_t *documents = NULL;
    int documentCount = 0;
    if (h->assumeCommon) {
        documentCount = -1;
    } else if (h->barrier != NULL) {
        h->counted = rank_count_phrases(h) == SQLITE_OK;
        pthread_barrier_wait(h->barrier);
        if (h->counted && h->other->counted) {
            for (int i = 0; i < h->phraseCount; i++) h->totals[i] = h->counts[i] + h->other->counts[i];
            documents = h->totals;
            documentCount = h->phraseCount;
        }
    }
    h->written = csqlite_rank_page(h->db, h->index, h->match, h->bitmap, h->bitmapWords, h->weights, h->weightCount,
                                   h->reverse, h->keep, h->low, h->high, documents, documentCount,
                                   h->ids, h->scores, &h->hits, &h->code, &h->seen, &h->rows);
    return NULL;
}

// The FTS5 index's averages (rowid 1) and structure (rowid 10) records: every write to the
// index writes a new segment and so a new structure (its write counter grows), so two
// connections that read the same two records read the same index, sizes and averages.
static int rank_index_state(sqlite3 *db, const char *index, char **state) {
    sqlite3_stmt *statement = NULL;
    char *sql = sqlite3_mprintf("SELECT group_concat(hex(block), '-') FROM (SELECT block FROM \"%w_data\" WHERE id IN (1, 10) ORDER BY id)", index);
    int rc = sql ? sqlite3_prepare_v2(db, sql, -1, &statement, NULL) : SQLITE_NOMEM;
    sqlite3_free(sql);
    *state = NULL;
    if (rc == SQLITE_OK && (rc = sqlite3_step(statement)) == SQLITE_ROW) {
        *state = sqlite3_mprintf("%s", (const char *)sqlite3_column_text(statement, 0));
        rc = *state ? SQLITE_OK : SQLITE_NOMEM;
    }
    sqlite3_finalize(statement);
    return rc == SQLITE_DONE ? SQLITE_ERROR : rc;
}

// Opens a second connection on the file of `db` in a read transaction that sees the index `db`
// sees; NULL when it cannot (an in-memory database, another snapshot: a write came between).
static sqlite3 *rank_open_beside(sqlite3 *db, const char *index) {
    const char *file = sqlite3_db_filename(db, "main");
    if (file == NULL || file[0] == 0) return NULL;
    sqlite3 *other = NULL;
    if (sqlite3_open_v2(file, &other, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) { sqlite3_close(other); return NULL; }
    char *mine = NULL, *theirs = NULL;
    int same = 0;
    if (sqlite3_exec(other, "PRAGMA query_only = 1; BEGIN", NULL, NULL, NULL) == SQLITE_OK
        && csqlite_register_rank_function(other) == SQLITE_OK
        && rank_index_state(other, index, &theirs) == SQLITE_OK
        && rank_index_state(db, index, &mine) == SQLITE_OK) {
        same = strcmp(mine, theirs) == 0;
    }
    sqlite3_free(mine);
    sqlite3_free(theirs);
    if (!same) { sqlite3_close(other); return NULL; }
    return other;
}

// The query's rows among a slice of 1/64 of the ids `first` ... `last`, in its middle (about
// 0.3 ms for `button` at 1M): how many hits the ranking will read, and how dense they are.
static int64_t rank_slice_count(sqlite3 *db, const char *index, const char *match, int64_t first, int64_t last, int64_t *width) {
    sqlite3_stmt *statement = NULL;
    char *sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\" WHERE \"%w\" MATCH ?1 AND rowid >= ?2 AND rowid <= ?3", index, index);
    int rc = sql ? sqlite3_prepare_v2(db, sql, -1, &statement, NULL) : SQLITE_NOMEM;
    sqlite3_free(sql);
    int64_t low = first + (last - first) / 2, found = 0;
    *width = (last - first + 1) / 64 + 1;
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(statement, 1, match, -1, SQLITE_STATIC);
        sqlite3_bind_int64(statement, 2, low);
        sqlite3_bind_int64(statement, 3, low + *width - 1);
        if (sqlite3_step(statement) == SQLITE_ROW) found = sqlite3_column_int64(statement, 0);
    }
    sqlite3_finalize(statement);
    return found;
}

int64_t csqlite_rank_page_parallel(sqlite3 *db, const char *index, const char *match, const char *phrases,
                                   const uint64_t *bitmap, int64_t bitmapWords, int64_t maxID,
                                   const double *weights, int weightCount, int reverse, int64_t keep,
                                   int assumeCommon, int64_t minimumHits, int64_t *ids, double *scores, int64_t *hits,
                                   int *code, int *parallel, int *common) {
    // The ids the hits can have: between the bitmap's first and last.
    int64_t first = 0, last = maxID;
    if (bitmap != NULL) {
        first = INT64_MAX; last = INT64_MIN;
        for (int64_t i = 0; i < bitmapWords; i++) if (bitmap[i]) { first = i * 64 + __builtin_ctzll(bitmap[i]); break; }
        for (int64_t i = bitmapWords - 1; i >= 0; i--) if (bitmap[i]) { last = i * 64 + 63 - __builtin_clzll(bitmap[i]); break; }
    }
    int64_t width = 1, found = first <= last ? rank_slice_count(db, index, match, first, last, &width) : 0;
    // Few rows to read (a rare word): one connection (the second costs about 1.5 ms to open).
    sqlite3 *other = first <= last && found * ((last - first + 1) / width) >= minimumHits ? rank_open_beside(db, index) : NULL;
    *parallel = other != NULL;
    *common = 0;
    if (other == NULL) {
        int64_t seen, rows;
        return csqlite_rank_page(db, index, match, bitmap, bitmapWords, weights, weightCount, reverse, keep,
                                 INT64_MIN, INT64_MAX, NULL, 0, ids, scores, hits, code, &seen, &rows);
    }
    // Split at the middle id (of the bitmap's ids when there is one): hits spread evenly.
    int64_t middle = maxID / 2;
    if (bitmap != NULL) {
        int64_t total = csqlite_bitmap_count(bitmap, bitmapWords), seen = 0;
        for (int64_t i = 0; i < bitmapWords; i++) {
            seen += __builtin_popcountll(bitmap[i]);
            if (seen * 2 >= total) { middle = i * 64 + 63; break; }
        }
    }
    // The phrases, separated by U+001F (never inside a search word).
    char *phraseText = sqlite3_mprintf("%s", phrases);
    int phraseCount = 0;
    char **phraseList = sqlite3_malloc64(sizeof(char *) * (strlen(phrases) + 1));
    if (phraseText != NULL && phraseList != NULL) {
        for (char *at = phraseText; at != NULL; ) {
            char *end = strchr(at, '\x1f');
            if (end != NULL) *end = 0;
            phraseList[phraseCount++] = at;
            at = end != NULL ? end + 1 : NULL;
        }
    }
    pthread_barrier_t barrier;
    int barrierReady = phraseCount > 0 && pthread_barrier_init(&barrier, NULL, 2) == 0;
    RankHalf halves[2];
    int64_t room = keep > 0 ? keep : 1;
    for (int k = 0; k < 2; k++) {
        memset(&halves[k], 0, sizeof halves[k]);
        halves[k] = (RankHalf){ .db = k == 0 ? db : other, .index = index, .match = match, .bitmap = bitmap, .bitmapWords = bitmapWords,
                                .weights = weights, .weightCount = weightCount, .reverse = reverse, .keep = keep,
                                .low = k == 0 ? INT64_MIN : middle + 1, .high = k == 0 ? middle : INT64_MAX,
                                .phrases = phraseList, .phraseCount = phraseCount,
                                .barrier = barrierReady ? &barrier : NULL, .other = &halves[1 - k], .code = SQLITE_OK };
        halves[k].ids = sqlite3_malloc64((sqlite3_uint64)room * sizeof(int64_t));
        halves[k].scores = sqlite3_malloc64((sqlite3_uint64)room * sizeof(double));
        halves[k].counts = sqlite3_malloc64(sizeof(int64_t) * (sqlite3_uint64)(phraseCount + 1));
        halves[k].totals = sqlite3_malloc64(sizeof(int64_t) * (sqlite3_uint64)(phraseCount + 1));
    }
    int64_t written = 0;
    *code = SQLITE_OK;
    if (!halves[0].ids || !halves[0].scores || !halves[1].ids || !halves[1].scores || !halves[0].counts || !halves[1].counts
        || !halves[0].totals || !halves[1].totals) {
        *code = SQLITE_NOMEM;
    } else {
        if (assumeCommon < 0) {
            // Dense hits (60 % of the slice) over at least half the ids: likely half the tickets
            // (a `--since/--until` window, narrower, cannot show that many).
            assumeCommon = 2 * (last - first + 1) >= maxID && found * 10 >= width * 6;
        }
        for (int attempt = assumeCommon ? 0 : 1; attempt < 2; attempt++) {
            for (int k = 0; k < 2; k++) {
                halves[k].assumeCommon = attempt == 0;
                halves[k].barrier = attempt == 0 || !barrierReady ? NULL : &barrier;
            }
            pthread_t thread;
            if (pthread_create(&thread, NULL, rank_half_run, &halves[1]) == 0) {
                rank_half_run(&halves[0]);
                pthread_join(thread, NULL);
            } else {
                // No thread: one half after the other, each phrase counted by FTS5 (no barrier).
                halves[0].barrier = halves[1].barrier = NULL;
                rank_half_run(&halves[0]);
                rank_half_run(&halves[1]);
            }
            *code = halves[0].code != SQLITE_OK ? halves[0].code : halves[1].code;
            if (*code != SQLITE_OK || attempt == 1) break;
            // The idf of 1e-6 was bm25's if the hits were at least half the documents (then every
            // phrase is in at least that many); else rank again with the counts.
            int64_t rows = halves[0].rows > halves[1].rows ? halves[0].rows : halves[1].rows;
            if (halves[0].hits + halves[1].hits == 0 || 2 * (halves[0].seen + halves[1].seen) >= rows) {
                *common = 1;
                break;
            }
        }
    }
    if (*code == SQLITE_OK) {
        // Merge the two pages in order, up to `keep`.
        RankState order;
        memset(&order, 0, sizeof order);
        order.reverse = reverse;
        int64_t a = 0, b = 0;
        while (written < keep && (a < halves[0].written || b < halves[1].written)) {
            int takeA = b >= halves[1].written
                || (a < halves[0].written && rank_before(&order, (RankEntry){ halves[0].ids[a], halves[0].scores[a] },
                                                                  (RankEntry){ halves[1].ids[b], halves[1].scores[b] }));
            RankHalf *from = takeA ? &halves[0] : &halves[1];
            int64_t at = takeA ? a++ : b++;
            ids[written] = from->ids[at];
            scores[written] = from->scores[at];
            written++;
        }
        *hits = halves[0].hits + halves[1].hits;
    }
    for (int k = 0; k < 2; k++) {
        sqlite3_free(halves[k].ids);
        sqlite3_free(halves[k].scores);
        sqlite3_free(halves[k].counts);
        sqlite3_free(halves[k].totals);
    }
    if (barrierReady) pthread_barrier_destroy(&barrier);
    sqlite3_free(phraseList);
    sqlite3_free(phraseText);
    sqlite3_exec(other, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(other);
    return written;
}
