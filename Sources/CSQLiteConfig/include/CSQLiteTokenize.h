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

/// A PostgreSQL search document (`tsvector` literal) built from texts in order: each token of
/// each text (tokenized as `csqlite_tokenize` does a document) with its positions 1, 2, … across
/// all the texts, a text's positions marked weight A when added so (the subject). PostgreSQL's
/// limits are kept: a token of more than 2,047 bytes is left out (its position still counts), a
/// token keeps its first 256 positions, positions past 16,383 are 16,383, and new tokens stop
/// once all tokens' bytes together would pass 1,000,000.
typedef struct csqlite_document csqlite_document;

/// A new, empty document; NULL when out of memory.
csqlite_document *csqlite_document_new(void);

/// Adds `length` bytes of UTF-8 `text`. Returns SQLite's result code (SQLITE_NOMEM, or an error
/// when FTS5 is unavailable).
int csqlite_document_add(csqlite_document *document, const char *text, int length, int weightA);

/// The literal of the tokens added so far, `*length` bytes (not NUL-terminated), valid until the
/// document is changed or freed; NULL when out of memory.
const char *csqlite_document_literal(csqlite_document *document, int *length);

void csqlite_document_free(csqlite_document *document);

#endif
