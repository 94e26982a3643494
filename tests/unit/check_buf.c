/*
 * check_buf.c: the bounded reader never reads past its end (also not a
 * child's end), a failed get leaves the cursor alone, and the writer never
 * writes past its capacity and remembers that something did not fit.
 * Buffers are malloc'ed at their exact size so ASan sees any overread.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <rtrmod/common.h>

#include "buf.h"
#include "check_main.h"

static const uint8_t sample[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
				 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0xfe, 0xff};

/* An exact-size heap copy, so reading one byte past it is an ASan error. */
static uint8_t *
exact_copy(const uint8_t *src, size_t n)
{
	uint8_t *p = malloc(n > 0 ? n : 1);

	ck_assert_ptr_nonnull(p);
	if (n > 0)
		memcpy(p, src, n);
	return p;
}

START_TEST(test_reader_big_endian)
{
	struct buf_reader r;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;

	buf_reader_init(&r, sample, sizeof(sample));
	ck_assert_int_eq(buf_get_u8(&r, &u8), 0);
	ck_assert_uint_eq(u8, 0x01);
	ck_assert_int_eq(buf_get_u16(&r, &u16), 0);
	ck_assert_uint_eq(u16, 0x0203);
	ck_assert_int_eq(buf_get_u32(&r, &u32), 0);
	ck_assert_uint_eq(u32, 0x04050607);
	ck_assert_uint_eq(buf_remaining(&r), 7);
	ck_assert_int_eq(buf_skip(&r, 5), 0);
	ck_assert_int_eq(buf_get_u16(&r, &u16), 0);
	ck_assert_uint_eq(u16, 0xfeff);
	ck_assert(buf_empty(&r));
	ck_assert_uint_eq(buf_load_be32(sample + 10), 0x0b0cfeffu);
}
END_TEST

/* At every length, every get that does not fit fails with ETRUNC, leaves
 * the cursor and the output alone, and reads nothing (ASan). */
START_TEST(test_reader_fails_at_every_short_length)
{
	for (size_t n = 0; n <= 8; n++) {
		uint8_t *p = exact_copy(sample, n);
		struct buf_reader r;
		const uint8_t *borrowed = NULL;
		uint8_t u8 = 0xaa, copy[9];
		uint16_t u16 = 0xaaaa;
		uint32_t u32 = 0xaaaaaaaa;

		buf_reader_init(&r, p, n);
		ck_assert_int_eq(buf_get_u32(&r, &u32), n >= 4 ? 0 : RTRMOD_ETRUNC);
		if (n < 4) {
			ck_assert_uint_eq(u32, 0xaaaaaaaa);
			ck_assert_uint_eq(r.off, 0);
		}
		buf_reader_init(&r, p, n);
		ck_assert_int_eq(buf_get_u16(&r, &u16), n >= 2 ? 0 : RTRMOD_ETRUNC);
		buf_reader_init(&r, p, n);
		ck_assert_int_eq(buf_get_u8(&r, &u8), n >= 1 ? 0 : RTRMOD_ETRUNC);
		buf_reader_init(&r, p, n);
		ck_assert_int_eq(buf_get_bytes(&r, n + 1, &borrowed), RTRMOD_ETRUNC);
		ck_assert_ptr_null(borrowed);
		ck_assert_int_eq(buf_copy_bytes(&r, copy, n + 1), RTRMOD_ETRUNC);
		ck_assert_int_eq(buf_skip(&r, n + 1), RTRMOD_ETRUNC);
		ck_assert_uint_eq(r.off, 0);
		/* Exactly n is fine, and then nothing more is. */
		ck_assert_int_eq(buf_get_bytes(&r, n, &borrowed), 0);
		ck_assert_ptr_eq(borrowed, p);
		ck_assert(buf_empty(&r));
		ck_assert_int_eq(buf_get_u8(&r, &u8), RTRMOD_ETRUNC);
		ck_assert_int_eq(buf_skip(&r, 0), 0);
		free(p);
	}
}
END_TEST

START_TEST(test_reader_borrow_and_copy)
{
	struct buf_reader r;
	const uint8_t *b;
	uint8_t copy[4];

	buf_reader_init(&r, sample, sizeof(sample));
	ck_assert_int_eq(buf_get_bytes(&r, 3, &b), 0);
	ck_assert_ptr_eq(b, sample); /* borrowed, not copied */
	ck_assert_int_eq(buf_copy_bytes(&r, copy, 4), 0);
	ck_assert_mem_eq(copy, sample + 3, 4);
	ck_assert_uint_eq(r.off, 7);
	ck_assert_int_eq(buf_get_bytes(&r, 0, &b), 0);
	ck_assert_uint_eq(r.off, 7);
}
END_TEST

/* The child sees exactly n bytes; the parent moves past them. */
START_TEST(test_child_reader_is_bounded)
{
	uint8_t *p = exact_copy(sample, sizeof(sample));
	struct buf_reader r, child, grandchild;
	uint32_t u32 = 0;
	uint16_t u16 = 0;
	uint8_t u8 = 0;

	buf_reader_init(&r, p, sizeof(sample));
	ck_assert_int_eq(buf_skip(&r, 2), 0);
	ck_assert_int_eq(buf_child(&r, 5, &child), 0);
	ck_assert_uint_eq(r.off, 7);
	ck_assert_uint_eq(buf_remaining(&child), 5);
	ck_assert_int_eq(buf_get_u32(&child, &u32), 0);
	ck_assert_uint_eq(u32, 0x03040506);
	/* One byte left in the child: a u16 fails though the parent has more. */
	ck_assert_int_eq(buf_get_u16(&child, &u16), RTRMOD_ETRUNC);
	ck_assert_int_eq(buf_get_u8(&child, &u8), 0);
	ck_assert_uint_eq(u8, 0x07);
	ck_assert(buf_empty(&child));
	ck_assert_int_eq(buf_get_u8(&child, &u8), RTRMOD_ETRUNC);

	/* The parent goes on where the child's bytes end. */
	ck_assert_int_eq(buf_get_u8(&r, &u8), 0);
	ck_assert_uint_eq(u8, 0x08);

	/* A child longer than what is left fails and moves nothing. */
	ck_assert_int_eq(buf_child(&r, buf_remaining(&r) + 1, &child), RTRMOD_ETRUNC);
	ck_assert_uint_eq(r.off, 8);
	/* A child of a child is bounded by the inner one. */
	ck_assert_int_eq(buf_child(&r, 4, &child), 0);
	ck_assert_int_eq(buf_child(&child, 5, &grandchild), RTRMOD_ETRUNC);
	ck_assert_int_eq(buf_child(&child, 2, &grandchild), 0);
	ck_assert_int_eq(buf_get_u32(&grandchild, &u32), RTRMOD_ETRUNC);
	ck_assert_int_eq(buf_get_u16(&grandchild, &u16), 0);
	ck_assert_uint_eq(u16, 0x090a);
	/* An empty child at the very end is fine. */
	ck_assert_int_eq(buf_skip(&r, buf_remaining(&r)), 0);
	ck_assert_int_eq(buf_child(&r, 0, &child), 0);
	ck_assert(buf_empty(&child));
	free(p);
}
END_TEST

START_TEST(test_reader_null)
{
	struct buf_reader r;
	uint8_t u8;

	buf_reader_init(&r, NULL, 100);
	ck_assert_uint_eq(buf_remaining(&r), 0);
	ck_assert_int_eq(buf_get_u8(&r, &u8), RTRMOD_ETRUNC);
}
END_TEST

START_TEST(test_writer_puts_big_endian)
{
	uint8_t out[16];
	struct buf_writer w;
	size_t n = 0;
	static const uint8_t want[] = {0xab, 0x12, 0x34, 0xde, 0xad, 0xbe,
				       0xef, 0x00, 0x00, 0x00, 'h',  'i'};

	buf_writer_init(&w, out, sizeof(out));
	buf_put_u8(&w, 0xab);
	buf_put_u16(&w, 0x1234);
	buf_put_u32(&w, 0xdeadbeef);
	buf_put_zeros(&w, 3);
	buf_put_bytes(&w, "hi", 2);
	buf_put_bytes(&w, NULL, 0);
	buf_put_zeros(&w, 0);
	ck_assert_int_eq(buf_writer_finish(&w, &n), 0);
	ck_assert_uint_eq(n, sizeof(want));
	ck_assert_mem_eq(out, want, sizeof(want));
}
END_TEST

/* Each put that does not fit writes nothing; once overflowed, a writer
 * stays so (a later small put must not fill a gap); finish says ENOSPC. */
START_TEST(test_writer_overflow_is_sticky_and_bounded)
{
	for (size_t cap = 0; cap < 12; cap++) {
		uint8_t *out = malloc(cap + 4);
		struct buf_writer w;
		size_t n = 12345;

		ck_assert_ptr_nonnull(out);
		memset(out, 0x5a, cap + 4);
		buf_writer_init(&w, out, cap);
		buf_put_u32(&w, 0x01020304);
		buf_put_u32(&w, 0x05060708);
		buf_put_bytes(&w, "abcd", 4);
		buf_put_u8(&w, 0xff);
		ck_assert(w.overflow);
		ck_assert_int_eq(buf_writer_finish(&w, &n), RTRMOD_ENOSPC);
		ck_assert_uint_eq(n, 12345);
		/* Whole puts only, and none after the first that failed (with
		 * cap 5 the last u8 would fit, but must not be written). */
		ck_assert_uint_eq(w.off, cap / 4 * 4);
		for (size_t i = cap; i < cap + 4; i++)
			ck_assert_uint_eq(out[i], 0x5a);
		free(out);
	}
}
END_TEST

START_TEST(test_writer_exact_fit_and_null)
{
	uint8_t out[6];
	struct buf_writer w;
	size_t n = 0;

	buf_writer_init(&w, out, sizeof(out));
	buf_put_u16(&w, 1);
	buf_put_zeros(&w, 4);
	ck_assert_int_eq(buf_writer_finish(&w, &n), 0);
	ck_assert_uint_eq(n, 6);
	buf_put_u8(&w, 1);
	ck_assert_int_eq(buf_writer_finish(&w, &n), RTRMOD_ENOSPC);

	buf_writer_init(&w, NULL, 100);
	buf_put_u8(&w, 1);
	ck_assert_int_eq(buf_writer_finish(&w, &n), RTRMOD_ENOSPC);
	buf_writer_init(&w, NULL, 100);
	ck_assert_int_eq(buf_writer_finish(&w, &n), 0);
	ck_assert_uint_eq(n, 0);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_reader_big_endian);
	tcase_add_test(tc, test_reader_fails_at_every_short_length);
	tcase_add_test(tc, test_reader_borrow_and_copy);
	tcase_add_test(tc, test_child_reader_is_bounded);
	tcase_add_test(tc, test_reader_null);
	tcase_add_test(tc, test_writer_puts_big_endian);
	tcase_add_test(tc, test_writer_overflow_is_sticky_and_bounded);
	tcase_add_test(tc, test_writer_exact_fit_and_null);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN()
