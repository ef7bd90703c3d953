#ifndef CSQLITETOKENIZE_H
#define CSQLITETOKENIZE_H

/// SQLite's own full-text tokenizer (FTS5's `porter unicode61`, the one the ticket search tables
/// use) for text outside SQLite: PostgreSQL's search documents and queries are made of its tokens,
/// so that a search finds the same tickets on both engines (SearchTokens.swift).

/// Called with each token, in the order of the text; a non-zero return stops the tokenizing.
typedef int (*csqlite_token_callback)(void *context, const char *token, int length);

/// Tokenizes `length` bytes of UTF-8 `text` as FTS5 does a document (`forQuery` 0) or a query
/// string (1). Returns SQLite's result code: SQLITE_OK, or an error when FTS5 is unavailable
/// (the tokenizer is found through an in-memory connection opened once per process).
int csqlite_tokenize(const char *text, int length, int forQuery, void *context, csqlite_token_callback callback);

#endif
