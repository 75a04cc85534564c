/* token: generation and hashing with libsodium. */
#include "token.h"

#include <string.h>

#include <sodium.h>

int
token_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

/* 5 bytes of seconds, big-endian, then the random ones: 21 bytes, 28 characters. */
#define TICKET_TIME_BYTES 5
#define TICKET_BYTES (TICKET_TIME_BYTES + TOKEN_BYTES)
#define TICKET_TEXT_LEN 28
#define TOKEN_TEXT_LEN 22
#define ALPHABET "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

static void
finish(char text[TOKEN_TEXT_MAX], uint8_t hash[RECORD_HASH_LEN], unsigned char *raw, size_t len)
{
	sodium_bin2base64(text, TOKEN_TEXT_MAX, raw, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	crypto_generichash(hash, RECORD_HASH_LEN, (const unsigned char *)text, strlen(text), NULL, 0);
	sodium_memzero(raw, len);
}

void
token_new(char text[TOKEN_TEXT_MAX], uint8_t hash[RECORD_HASH_LEN])
{
	unsigned char raw[TOKEN_BYTES];

	randombytes_buf(raw, sizeof(raw));
	finish(text, hash, raw, sizeof(raw));
}

void
token_new_ticket(char text[TOKEN_TEXT_MAX], uint8_t hash[RECORD_HASH_LEN], int64_t visit_at)
{
	unsigned char raw[TICKET_BYTES];

	for (int i = 0; i < TICKET_TIME_BYTES; i++)
		raw[i] = (unsigned char)((uint64_t)visit_at >> (8 * (TICKET_TIME_BYTES - 1 - i)));
	randombytes_buf(raw + TICKET_TIME_BYTES, TOKEN_BYTES);
	finish(text, hash, raw, sizeof(raw));
}

int
token_hash_ticket(const char *text, uint8_t hash[RECORD_HASH_LEN], int64_t *visit_at)
{
	unsigned char raw[TICKET_BYTES];
	size_t len = 0, text_len = text != NULL ? strnlen(text, TICKET_TEXT_LEN + 1) : 0;
	int64_t at = 0;
	int rc = -1;

	/* Refused before hashing: anything but exactly 16 or 21 bytes of URL-safe base64 (the
	 * alphabet checked first: the decoder lets a stray byte end the input). */
	if ((text_len == TOKEN_TEXT_LEN || text_len == TICKET_TEXT_LEN) && strspn(text, ALPHABET) == text_len &&
	    sodium_base642bin(raw, sizeof(raw), text, text_len, NULL, &len, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 &&
	    (len == TOKEN_BYTES || len == TICKET_BYTES)) {
		for (int i = 0; len == TICKET_BYTES && i < TICKET_TIME_BYTES; i++)
			at = at << 8 | raw[i];
		crypto_generichash(hash, RECORD_HASH_LEN, (const unsigned char *)text, text_len, NULL, 0);
		rc = 0;
	}
	if (visit_at != NULL)
		*visit_at = at;
	sodium_memzero(raw, sizeof(raw));
	return rc;
}

int
token_hash(const char *text, uint8_t hash[RECORD_HASH_LEN])
{
	return token_hash_ticket(text, hash, NULL);
}
