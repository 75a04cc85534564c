/*
 * token: bearer tokens for staff devices and residents' tickets. 128 random bits from the
 * kernel, shown once as 22 URL-safe characters; only a BLAKE2b hash is stored or kept in
 * memory, so a copied database reveals no usable token.
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
/* The hash of a token as presented; -1 when it cannot be a token (wrong length or alphabet). */
int token_hash(const char *text, uint8_t hash[RECORD_HASH_LEN]);

#endif
