/* token: generation and hashing with libsodium. */
#include "token.h"

#include <string.h>

#include <sodium.h>

int
token_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

void
token_new(char text[TOKEN_TEXT_MAX], uint8_t hash[RECORD_HASH_LEN])
{
	unsigned char raw[TOKEN_BYTES];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(text, TOKEN_TEXT_MAX, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	crypto_generichash(hash, RECORD_HASH_LEN, (const unsigned char *)text, strlen(text), NULL, 0);
	sodium_memzero(raw, sizeof(raw));
}

int
token_hash(const char *text, uint8_t hash[RECORD_HASH_LEN])
{
	unsigned char raw[TOKEN_BYTES];
	size_t len = 0;
	int rc = -1;

	/* Decoding first refuses anything that is not exactly 16 bytes of URL-safe base64. */
	if (text != NULL && strlen(text) == 22 &&
	    sodium_base642bin(raw, sizeof(raw), text, 22, NULL, &len, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 &&
	    len == TOKEN_BYTES) {
		crypto_generichash(hash, RECORD_HASH_LEN, (const unsigned char *)text, 22, NULL, 0);
		rc = 0;
	}
	return rc;
}
