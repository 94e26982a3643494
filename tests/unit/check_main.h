/*
 * check_main.h: the main() every Check unit-test program shares.  A test
 * file defines `static Suite *make_suite(void)` and ends with CHECK_MAIN().
 * The totals line Check prints ("N%: Checks: N, Failures: N, Errors: N")
 * is what scripts/test.sh adds up.
 */
#ifndef CHECK_MAIN_H
#define CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

#define CHECK_MAIN()                                                      \
	int main(void)                                                    \
	{                                                                 \
		SRunner *runner = srunner_create(make_suite());           \
		int failed;                                               \
		srunner_run_all(runner, CK_NORMAL);                       \
		failed = srunner_ntests_failed(runner);                   \
		srunner_free(runner);                                     \
		return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;         \
	}

#endif
