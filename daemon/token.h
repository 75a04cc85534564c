/*
 * token: bearer tokens for staff devices, reservations and residents' tickets. 128 random
 * bits from the kernel, shown once as 22 URL-safe characters; only a BLAKE2b hash is stored
 * or kept in memory, so a copied database reveals no usable token.
 *
 * A ticket's token also carries the second its visit began (printed on the ticket anyway),
 * 28 characters in all: the store finds a past ticket through an index on that second, which
 * only ever grows at its end, instead of an index on the random hash, where each new ticket
 * would write a page of its own somewhere.
 */
#ifndef MADOGUCHI_TOKEN_H
#define MADOGUCHI_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define TOKEN_BYTES 16
#define TOKEN_TEXT_MAX 32   /* 22 characters and a NUL, with room */

int token_init(void);
/* A fresh token: text for the holder, hash for the store. */
void token_new(char text[TOKEN_TEXT_MAX], uint8_t hash[RECORD_HASH_LEN]);
/* A fresh ticket token for a visit begun at visit_at (Unix seconds, > 0). */
void token_new_ticket(char text[TOKEN_TEXT_MAX], uint8_t hash[RECORD_HASH_LEN], int64_t visit_at);
/* The hash of a token as presented; -1 when it cannot be a token (wrong length or alphabet).
 * *visit_at (when not NULL) is a ticket token's second, else 0. */
int token_hash(const char *text, uint8_t hash[RECORD_HASH_LEN]);
int token_hash_ticket(const char *text, uint8_t hash[RECORD_HASH_LEN], int64_t *visit_at);

#endif
