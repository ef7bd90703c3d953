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
