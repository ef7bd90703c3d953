#include "CSQLiteTokenize.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stddef.h>

// The FTS5 API of an in-memory connection that stays open for the process (the API belongs to
// it). Only tokenizers are used from it; finding one reads a list FTS5 never changes afterwards,
// so threads may share it. Each call makes a tokenizer of its own (unicode61 keeps a buffer in
// it, so one instance is not for two threads).
static fts5_api *csqlite_fts5;
static pthread_once_t csqlite_fts5_once = PTHREAD_ONCE_INIT;

static void csqlite_fts5_open(void) {
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return;
    }
    fts5_api *api = NULL;
    sqlite3_stmt *statement = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &statement, NULL) == SQLITE_OK) {
        sqlite3_bind_pointer(statement, 1, (void *)&api, "fts5_api_ptr", NULL);
        sqlite3_step(statement);
    }
    sqlite3_finalize(statement);
    if (api == NULL || api->iVersion < 2) {
        sqlite3_close(db);
        return;
    }
    csqlite_fts5 = api;
}

struct csqlite_token_context {
    void *context;
    csqlite_token_callback callback;
};

static int csqlite_token(void *pCtx, int tflags, const char *pToken, int nToken, int iStart, int iEnd) {
    (void)iStart; (void)iEnd;
    // porter and unicode61 make no synonyms (FTS5_TOKEN_COLOCATED); a colocated token would
    // stand in the same place as the one before it.
    if (tflags & FTS5_TOKEN_COLOCATED) return SQLITE_OK;
    struct csqlite_token_context *c = pCtx;
    return c->callback(c->context, pToken, nToken) ? SQLITE_DONE : SQLITE_OK;
}

int csqlite_tokenize(const char *text, int length, int forQuery, void *context, csqlite_token_callback callback) {
    pthread_once(&csqlite_fts5_once, csqlite_fts5_open);
    if (csqlite_fts5 == NULL) return SQLITE_ERROR;
    void *userData = NULL;
    fts5_tokenizer porter;
    int rc = csqlite_fts5->xFindTokenizer(csqlite_fts5, "porter", &userData, &porter);
    if (rc != SQLITE_OK) return rc;
    // As the tables say it: `tokenize = 'porter unicode61'`.
    const char *arguments[] = { "unicode61" };
    Fts5Tokenizer *tokenizer = NULL;
    rc = porter.xCreate(userData, arguments, 1, &tokenizer);
    if (rc != SQLITE_OK) return rc;
    struct csqlite_token_context c = { context, callback };
    rc = porter.xTokenize(tokenizer, &c, forQuery ? FTS5_TOKENIZE_QUERY : FTS5_TOKENIZE_DOCUMENT, text, length, csqlite_token);
    porter.xDelete(tokenizer);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

// MARK: - Search documents

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// Built here rather than in Swift: a String and a dictionary entry per token cost the import
// ~45 µs a ticket of ~900 bytes (release, 20,000 tickets: 1.5 s of the importer's CPU against
// 0.5 s before documents were made client-side); this table of token bytes costs a few µs.

enum { CSQLITE_MAX_LEXEME = 2047, CSQLITE_MAX_POSITIONS = 256, CSQLITE_MAX_POSITION = 16383, CSQLITE_MAX_BYTES = 1000000 };

struct csqlite_lexeme {
    uint32_t hash;
    uint32_t offset;      // in `tokens`
    uint32_t length;
    uint32_t count;       // positions
    uint32_t capacity;
    uint16_t *positions;  // bit 15: weight A
};

struct csqlite_document {
    struct csqlite_lexeme *lexemes;  // in order of first appearance
    uint32_t lexemeCount, lexemeCapacity;
    uint32_t *slots;                 // open addressing: index + 1 into `lexemes`, 0 = empty
    uint32_t slotCount;              // a power of two
    char *tokens;
    uint32_t tokenBytes, tokenCapacity;
    uint32_t next;                   // the next position
    uint16_t weight;
    int failed;
    char *literal;
    uint32_t literalCapacity;
};

csqlite_document *csqlite_document_new(void) {
    csqlite_document *d = calloc(1, sizeof *d);
    if (d == NULL) return NULL;
    d->slotCount = 256;
    d->slots = calloc(d->slotCount, sizeof *d->slots);
    if (d->slots == NULL) { free(d); return NULL; }
    d->next = 1;
    return d;
}

void csqlite_document_free(csqlite_document *d) {
    if (d == NULL) return;
    for (uint32_t i = 0; i < d->lexemeCount; i++) free(d->lexemes[i].positions);
    free(d->lexemes);
    free(d->slots);
    free(d->tokens);
    free(d->literal);
    free(d);
}

static uint32_t csqlite_hash(const char *bytes, int length) {
    uint32_t h = 2166136261u;  // FNV-1a
    for (int i = 0; i < length; i++) { h ^= (unsigned char)bytes[i]; h *= 16777619u; }
    return h;
}

static int csqlite_grow_slots(csqlite_document *d) {
    uint32_t count = d->slotCount * 2;
    uint32_t *slots = calloc(count, sizeof *slots);
    if (slots == NULL) return 0;
    for (uint32_t i = 0; i < d->lexemeCount; i++) {
        uint32_t s = d->lexemes[i].hash & (count - 1);
        while (slots[s] != 0) s = (s + 1) & (count - 1);
        slots[s] = i + 1;
    }
    free(d->slots);
    d->slots = slots;
    d->slotCount = count;
    return 1;
}

static int csqlite_document_token(void *context, const char *token, int length) {
    csqlite_document *d = context;
    uint32_t p = d->next < CSQLITE_MAX_POSITION ? d->next : CSQLITE_MAX_POSITION;
    uint16_t position = (uint16_t)p | d->weight;
    d->next++;
    if (length > CSQLITE_MAX_LEXEME) return 0;
    uint32_t hash = csqlite_hash(token, length);
    uint32_t s = hash & (d->slotCount - 1);
    while (d->slots[s] != 0) {
        struct csqlite_lexeme *l = &d->lexemes[d->slots[s] - 1];
        if (l->hash == hash && l->length == (uint32_t)length && memcmp(d->tokens + l->offset, token, length) == 0) {
            if (l->count >= CSQLITE_MAX_POSITIONS) return 0;
            if (l->count == l->capacity) {
                uint32_t capacity = l->capacity * 2;
                uint16_t *positions = realloc(l->positions, capacity * sizeof *positions);
                if (positions == NULL) { d->failed = 1; return 1; }
                l->positions = positions;
                l->capacity = capacity;
            }
            l->positions[l->count++] = position;
            return 0;
        }
        s = (s + 1) & (d->slotCount - 1);
    }
    if (d->tokenBytes + (uint32_t)length > CSQLITE_MAX_BYTES) return 0;
    if (d->tokenBytes + (uint32_t)length > d->tokenCapacity) {
        uint32_t capacity = d->tokenCapacity ? d->tokenCapacity : 4096;
        while (capacity < d->tokenBytes + (uint32_t)length) capacity *= 2;
        char *tokens = realloc(d->tokens, capacity);
        if (tokens == NULL) { d->failed = 1; return 1; }
        d->tokens = tokens;
        d->tokenCapacity = capacity;
    }
    if (d->lexemeCount == d->lexemeCapacity) {
        uint32_t capacity = d->lexemeCapacity ? d->lexemeCapacity * 2 : 128;
        struct csqlite_lexeme *lexemes = realloc(d->lexemes, capacity * sizeof *lexemes);
        if (lexemes == NULL) { d->failed = 1; return 1; }
        d->lexemes = lexemes;
        d->lexemeCapacity = capacity;
    }
    uint16_t *positions = malloc(4 * sizeof *positions);
    if (positions == NULL) { d->failed = 1; return 1; }
    positions[0] = position;
    memcpy(d->tokens + d->tokenBytes, token, length);
    d->lexemes[d->lexemeCount] = (struct csqlite_lexeme){ hash, d->tokenBytes, (uint32_t)length, 1, 4, positions };
    d->tokenBytes += (uint32_t)length;
    d->lexemeCount++;
    d->slots[s] = d->lexemeCount;
    if (d->lexemeCount * 2 > d->slotCount && !csqlite_grow_slots(d)) { d->failed = 1; return 1; }
    return 0;
}

int csqlite_document_add(csqlite_document *d, const char *text, int length, int weightA) {
    if (d->failed) return SQLITE_NOMEM;
    d->weight = weightA ? 0x8000 : 0;
    int rc = csqlite_tokenize(text, length, 0, d, csqlite_document_token);
    if (d->failed) return SQLITE_NOMEM;
    return rc;
}

const char *csqlite_document_literal(csqlite_document *d, int *length) {
    if (d->failed) return NULL;
    // Each token: quotes, itself (a quote or backslash doubled), ':' and up to 7 bytes a
    // position ("16383A,"), and a space.
    uint64_t need = 1;
    for (uint32_t i = 0; i < d->lexemeCount; i++) need += 4 + 2 * (uint64_t)d->lexemes[i].length + 7 * (uint64_t)d->lexemes[i].count;
    if (need > d->literalCapacity) {
        char *literal = realloc(d->literal, need);
        if (literal == NULL) return NULL;
        d->literal = literal;
        d->literalCapacity = (uint32_t)need;
    }
    char *out = d->literal;
    for (uint32_t i = 0; i < d->lexemeCount; i++) {
        const struct csqlite_lexeme *l = &d->lexemes[i];
        if (i > 0) *out++ = ' ';
        *out++ = '\'';
        const char *token = d->tokens + l->offset;
        for (uint32_t b = 0; b < l->length; b++) {
            // unicode61 makes no token with either; the quoting holds if one did.
            if (token[b] == '\'' || token[b] == '\\') *out++ = token[b];
            *out++ = token[b];
        }
        *out++ = '\'';
        *out++ = ':';
        for (uint32_t k = 0; k < l->count; k++) {
            if (k > 0) *out++ = ',';
            uint32_t p = l->positions[k] & 0x7FFF;
            char digits[5];
            int n = 0;
            do { digits[n++] = (char)('0' + p % 10); p /= 10; } while (p > 0);
            while (n > 0) *out++ = digits[--n];
            if (l->positions[k] & 0x8000) *out++ = 'A';
        }
    }
    *length = (int)(out - d->literal);
    return d->literal;
}
