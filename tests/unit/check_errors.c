/* check_errors.c: every error code has its own string; unknown ones don't crash. */
#include "config.h"

#include <string.h>

#include <rtrmod/common.h>

#include "check_main.h"

START_TEST(test_every_code_has_a_distinct_string)
{
	const char *seen[32] = {0};
	int n = 0;

	for (int err = 0; err >= RTRMOD_ESTALE; err--) {
		const char *s = rtrmod_strerror(err);

		ck_assert_ptr_nonnull(s);
		ck_assert_str_ne(s, "unknown error");
		for (int i = 0; i < n; i++)
			ck_assert_str_ne(seen[i], s);
		seen[n++] = s;
	}
}
END_TEST

START_TEST(test_unknown_codes)
{
	ck_assert_str_eq(rtrmod_strerror(RTRMOD_ESTALE - 1), "unknown error");
	ck_assert_str_eq(rtrmod_strerror(1), "unknown error");
	ck_assert_str_eq(rtrmod_strerror(-100000), "unknown error");
	ck_assert_str_eq(rtrmod_strerror(-2147483647 - 1), "unknown error");
}
END_TEST

START_TEST(test_version)
{
	ck_assert_str_eq(rtrmod_version(), PACKAGE_VERSION);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("errors");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_every_code_has_a_distinct_string);
	tcase_add_test(tc, test_unknown_codes);
	tcase_add_test(tc, test_version);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN()
