/* token: fresh tokens hash as presented, ticket tokens carry their visit's second, and
 * anything else is refused before it is hashed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "token.h"

static void
plain_tokens(void **state)
{
	char text[TOKEN_TEXT_MAX], other[TOKEN_TEXT_MAX];
	uint8_t made[RECORD_HASH_LEN], presented[RECORD_HASH_LEN];
	int64_t at = -1;

	(void)state;
	token_new(text, made);
	assert_int_equal(strlen(text), 22);
	assert_int_equal(token_hash_ticket(text, presented, &at), 0);
	assert_memory_equal(made, presented, RECORD_HASH_LEN);
	assert_int_equal(at, 0);
	token_new(other, presented);
	assert_string_not_equal(text, other);
	assert_memory_not_equal(made, presented, RECORD_HASH_LEN);
}

static void
ticket_tokens(void **state)
{
	static const int64_t seconds[] = { 1, 1775433600, 1775433601, (int64_t)1 << 39 };
	char text[TOKEN_TEXT_MAX], again[TOKEN_TEXT_MAX];
	uint8_t made[RECORD_HASH_LEN], presented[RECORD_HASH_LEN];
	int64_t at = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(seconds) / sizeof(seconds[0]); i++) {
		token_new_ticket(text, made, seconds[i]);
		assert_int_equal(strlen(text), 28);
		assert_int_equal(token_hash_ticket(text, presented, &at), 0);
		assert_memory_equal(made, presented, RECORD_HASH_LEN);
		assert_int_equal(at, seconds[i]);
		assert_int_equal(token_hash(text, presented), 0);
		assert_memory_equal(made, presented, RECORD_HASH_LEN);
	}
	/* the same second twice: the random part differs */
	token_new_ticket(again, presented, seconds[3]);
	assert_string_not_equal(text, again);
	assert_memory_not_equal(made, presented, RECORD_HASH_LEN);
	/* one character changed: another hash (or no token at all) */
	again[5] = again[5] == 'A' ? 'B' : 'A';
	if (token_hash(again, presented) == 0)
		assert_memory_not_equal(made, presented, RECORD_HASH_LEN);
}

static void
refused(void **state)
{
	static const char *const bad[] = {
		"", "short", "AAAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAAA+", "AAAAAAAAAAAAAAAAAAAAA/",
		"AAAAAAAAAAAAAAAAAAAAA=", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", "AAAAAAAAAAA AAAAAAAAAA",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAA\xe3", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	};
	uint8_t hash[RECORD_HASH_LEN];
	int64_t at = 7;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_not_equal(token_hash_ticket(bad[i], hash, &at), 0);
		assert_int_equal(at, 0);
	}
	assert_int_not_equal(token_hash(NULL, hash), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_tokens),
		cmocka_unit_test(ticket_tokens),
		cmocka_unit_test(refused),
	};

	if (token_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
