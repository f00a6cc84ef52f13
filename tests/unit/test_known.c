/*
 * test_known.c - the built-in workloads' answers recomputed here, from the
 * generator and OpenSSL, apart from any executor: a mode that drops,
 * repeats or misplaces an item cannot match them.
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "lib/rng.h"
#include "workloads/common.h"
#include "bench/bench.h"
#include "check_util.h"

#define MS BENCH_NS_PER_MS

/* ------------------------------------------------------------------ */
/* Known values                                                        */

/* hash: show's "cpf pepper digest" matches the generator and an
 * independent SHA-256 of "aaaaa" + cpf + pepper. */
START_TEST(test_hash_known_values)
{
	const struct bench_workload *wl = find("hash");
	struct bench_params p = { .size = 40, .seed = 7 };
	void *state = prepare(wl, &p);

	for (uint64_t i = 0; i < p.size; i++) {
		struct bench_err err = { 0 };
		struct bench__rng r = bench__rng_item(p.seed, i);
		char line[256], hex[80], msg[64], want[65];
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned mdlen = 0, cpf, pepper;

		ck_assert_int_eq(wl->show(state, i, line, sizeof(line), &err), 0);
		ck_assert_msg(sscanf(line, "%u %u %79s", &cpf, &pepper, hex) == 3,
			      "hash show gave '%s'", line);
		ck_assert_uint_ge(cpf, 1);
		ck_assert_uint_le(cpf, 999999999);
		ck_assert_uint_ge(pepper, 1000);
		ck_assert_uint_le(pepper, 9999);
		ck_assert_uint_eq(cpf, bench__rng_range(&r, 1, 999999999));
		ck_assert_uint_eq(pepper, bench__rng_range(&r, 1000, 9999));

		snprintf(msg, sizeof(msg), "aaaaa%u%u", cpf, pepper);
		ck_assert_int_eq(EVP_Digest(msg, strlen(msg), md, &mdlen,
					    EVP_sha256(), NULL), 1);
		ck_assert_uint_eq(mdlen, 32);
		for (unsigned k = 0; k < 32; k++)
			snprintf(want + 2 * k, 3, "%02x", md[k]);
		ck_assert_msg(strcmp(hex, want) == 0,
			      "item %" PRIu64 " ('%s'): digest %s, expected %s", i,
			      msg, hex, want);
	}
	wl->release(state);
}
END_TEST

/* range: show's five values match the generator and its count is the
 * number of them in [4, 8]; the whole checksum, rebuilt from those
 * counts, matches serial's. */
START_TEST(test_range_known_values)
{
	const struct bench_workload *wl = find("range");
	struct bench_params p = { .size = 300, .seed = 3 };
	void *state = prepare(wl, &p);
	struct bench__fold fold = { 0 };
	struct bench_sample s;
	char want[BENCH_CHECKSUM_MAX], got[BENCH_CHECKSUM_MAX];

	for (uint64_t i = 0; i < p.size; i++) {
		struct bench_err err = { 0 };
		struct bench__rng r = bench__rng_item(p.seed, i);
		char line[128];
		unsigned v[5], count, expect = 0;

		ck_assert_int_eq(wl->show(state, i, line, sizeof(line), &err), 0);
		ck_assert_msg(sscanf(line, "%u %u %u %u %u %u", &v[0], &v[1],
				     &v[2], &v[3], &v[4], &count) == 6,
			      "range show gave '%s'", line);
		for (int c = 0; c < 5; c++) {
			ck_assert_uint_le(v[c], 9);
			ck_assert_uint_eq(v[c], bench__rng_range(&r, 0, 9));
			expect += v[c] >= 4 && v[c] <= 8;
		}
		ck_assert_msg(count == expect, "row %" PRIu64 " '%s': count %u, "
			      "expected %u", i, line, count, expect);
		fold.total += expect;
		bench__fold_add(&fold, i, expect);
	}
	bench__fold_checksum(&fold, want);
	exec_ok(MODE(serial), wl, state, 1, 1, &s, got);
	ck_assert_str_eq(got, want);
	wl->release(state);
}
END_TEST

/* search: "T found at P" needs P == T < size; "T not found" only for
 * T == size, the one target outside the list 0..size-1. */
START_TEST(test_search_known_values)
{
	const struct bench_workload *wl = find("search");
	struct bench_params p = { .size = 5, ONE_OPT("queries", 200), .seed = 9 };
	void *state = prepare(wl, &p);
	struct bench__fold fold = { 0 };
	struct bench_sample s;
	char want[BENCH_CHECKSUM_MAX], got[BENCH_CHECKSUM_MAX];
	unsigned found = 0, missed = 0;

	for (uint64_t q = 0; q < bench_params_num(&p, "queries"); q++) {
		struct bench_err err = { 0 };
		struct bench__rng r = bench__rng_item(p.seed, q);
		char line[128];
		unsigned long long t, pos;

		ck_assert_int_eq(wl->show(state, q, line, sizeof(line), &err), 0);
		if (sscanf(line, "%llu found at %llu", &t, &pos) == 2) {
			ck_assert_msg(pos == t && t < p.size, "query %" PRIu64
				      ": '%s'", q, line);
			found++;
		} else {
			char tail[32] = "";

			ck_assert_msg(sscanf(line, "%llu not %31s", &t, tail) == 2 &&
				      strcmp(tail, "found") == 0,
				      "search show gave '%s'", line);
			ck_assert_msg(t == p.size, "query %" PRIu64 ": '%s' but "
				      "the list holds 0..%" PRIu64, q, line,
				      p.size - 1);
			pos = p.size;
			missed++;
		}
		ck_assert_uint_eq(t, bench__rng_range(&r, 0, p.size));
		fold.total += pos < p.size;
		bench__fold_add(&fold, q, pos);
	}
	/* Targets are uniform on 0..5: both outcomes occur in 200 queries. */
	ck_assert_uint_gt(found, 0);
	ck_assert_uint_gt(missed, 0);
	bench__fold_checksum(&fold, want);
	exec_ok(MODE(serial), wl, state, 1, 1, &s, got);
	ck_assert_str_eq(got, want);
	wl->release(state);
}
END_TEST

/* sleep: item i waits its drawn 0..max_ms ms and returns i. */
START_TEST(test_sleep_known_values)
{
	const struct bench_workload *wl = find("sleep");
	struct bench_params p = { .size = 6, ONE_OPT("max-ms", 3), .seed = 4 };
	void *state = prepare(wl, &p);
	struct bench__fold fold = { 0 };
	struct bench_sample s;
	char want[BENCH_CHECKSUM_MAX], got[BENCH_CHECKSUM_MAX];

	ck_assert(wl->flags & BENCH_WL_WAITS);
	for (uint64_t i = 0; i < p.size; i++) {
		struct bench_err err = { 0 };
		struct bench__rng r = bench__rng_item(p.seed, i);
		uint64_t ms = bench__rng_range(&r, 0, bench_params_num(&p, "max-ms"));
		unsigned long long a, wait, b;
		char line[128];

		ck_assert_uint_eq(wl->wait_ns(state, i), ms * MS);
		ck_assert_int_eq(wl->show(state, i, line, sizeof(line), &err), 0);
		ck_assert_int_eq(sscanf(line, "%llu %llu %llu", &a, &wait, &b), 3);
		ck_assert_uint_eq(a, i);
		ck_assert_uint_eq(wait, ms);
		ck_assert_uint_eq(b, i);
		fold.total += i;
		bench__fold_add(&fold, i, i);
	}
	bench__fold_checksum(&fold, want);
	exec_ok(MODE(serial), wl, state, 1, 1, &s, got);
	ck_assert_str_eq(got, want);
	wl->release(state);
}
END_TEST

/* ---- wordcount: the words recounted byte by byte ---------------------- */

/* A word, lowercased, in a list to sort. */
struct wc_word {
	const char *w;
	size_t len;
};

static int wc_word_cmp(const void *a, const void *b)
{
	const struct wc_word *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->w, y->w, n);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* The wordcount checksum of text, counted here the plainest way: every
 * run of ASCII letters, lowercased, sorted; equal neighbours counted;
 * each distinct word's FNV-1a hash mixed with its count, as DESIGN.md
 * defines the result. */
static void wc_recount(const unsigned char *text, size_t len, char *out)
{
	char *low = malloc(len + 1);
	struct wc_word *all = malloc((len / 2 + 1) * sizeof(*all));
	size_t n = 0;
	uint64_t distinct = 0, sum = 0;
	struct bench__fold f = { 0 };

	ck_assert_ptr_nonnull(low);
	ck_assert_ptr_nonnull(all);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = text[i];

		low[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	for (size_t i = 0; i < len;) {
		size_t j = i;

		while (j < len && low[j] >= 'a' && low[j] <= 'z')
			j++;
		if (j > i)
			all[n++] = (struct wc_word){ low + i, j - i };
		i = j > i ? j : i + 1;
	}
	qsort(all, n, sizeof(*all), wc_word_cmp);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		uint64_t h = 0xcbf29ce484222325ull;

		while (j < n && wc_word_cmp(&all[i], &all[j]) == 0)
			j++;
		for (size_t k = 0; k < all[i].len; k++)
			h = (h ^ (unsigned char)all[i].w[k]) * 0x100000001b3ull;
		sum += bench__mix64(bench__mix64(h) ^ bench__mix64(j - i));
		distinct++;
		i = j;
	}
	f.items = distinct;
	f.sum = sum + bench__mix64(n ^ 0x9e3779b97f4a7c15ull);
	bench__fold_checksum(&f, out);
	free(all);
	free(low);
}

/* Text for wordcount that puts a word of every length from 1 to 130
 * letters at every offset from a 64-byte boundary, after separators of
 * every kind (digits, punctuation, bytes past ASCII, '@' and '[' either
 * side of 'A'..'Z', '`' and '{' of 'a'..'z'), from a small alphabet of
 * both cases, so words repeat; the text ends in a word, as a file may.
 * Its length goes to *len. */
static unsigned char *wc_edges_text(uint64_t seed, size_t *len)
{
	static const char seps[] = " \n\t.,;09@[`{-_'\x7f\x80\xc3\xa9\xff";
	static const char letters[] = "abAB";
	size_t cap = 2u << 20, at = 0;
	unsigned char *t = malloc(cap);
	struct bench__rng r = bench__rng_item(seed, 0);

	ck_assert_ptr_nonnull(t);
	for (unsigned wlen = 1; wlen <= 130; wlen++)
		for (unsigned off = 0; off < 64; off++) {
			size_t pad = (64 + off - at % 64) % 64;

			if (pad == 0)
				pad = 64; /* a separator before every word */
			for (size_t k = 0; k < pad; k++)
				t[at++] = (unsigned char)seps[bench__rng_range(&r, 0, sizeof(seps) - 2)];
			for (unsigned k = 0; k < wlen; k++)
				t[at++] = (unsigned char)letters[bench__rng_range(&r, 0, 3)];
			ck_assert_uint_lt(at + 300, cap);
		}
	*len = at;
	return t;
}

/* wordcount: the map reads 64 bytes at a time and words off a mask of
 * their letters; the checksum must be the plain byte-by-byte count's for
 * words at every offset and length, texts cut short anywhere, one word
 * longer than a block, and a text of separators only, in serial and
 * thread mode, one block a task. */
START_TEST(test_wordcount_known_counts)
{
	const struct bench_workload *wl = find("wordcount");
	size_t full;
	unsigned char *text = wc_edges_text(5 + (uint64_t)_i, &full);
	size_t cuts[] = { full, full - 1, full - 63, 1u << 18, 100000, 4097, 130, 64, 63, 8, 1, 0 };

	for (size_t c = 0; c < sizeof(cuts) / sizeof(cuts[0]) + 2; c++) {
		size_t len = c < sizeof(cuts) / sizeof(cuts[0]) ? cuts[c] : 600000;
		char tmpl[] = "/tmp/bench-test-wc-XXXXXX";
		int fd = mkstemp(tmpl);
		struct bench_params p = { 0 };
		struct bench_sample s;
		char want[BENCH_CHECKSUM_MAX], got[BENCH_CHECKSUM_MAX];
		void *state;

		/* The last two: one word longer than a 256 KiB block, and no
		 * word at all. */
		if (c == sizeof(cuts) / sizeof(cuts[0]))
			memset(text, 'q', len);
		else if (c > sizeof(cuts) / sizeof(cuts[0]))
			memset(text, '7', len);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
		close(fd);
		wc_recount(text, len, want);
		bench_params_set(&p, "input", 0, tmpl);
		state = prepare(wl, &p);
		exec_ok(MODE(serial), wl, state, 1, 1, &s, got);
		ck_assert_msg(strcmp(got, want) == 0, "seed %d, %zu bytes: serial %s, recounted %s",
			      5 + _i, len, got, want);
		exec_ok(MODE(thread), wl, state, 2, 1, &s, got);
		ck_assert_msg(strcmp(got, want) == 0, "seed %d, %zu bytes: thread %s, recounted %s",
			      5 + _i, len, got, want);
		wl->release(state);
		unlink(tmpl);
	}
	free(text);
}
END_TEST

Suite *suite_known(void)
{
	Suite *s = suite_create("known");
	TCase *known = tcase_create("known");

	tcase_add_test(known, test_hash_known_values);
	tcase_add_test(known, test_range_known_values);
	tcase_add_test(known, test_search_known_values);
	tcase_add_test(known, test_sleep_known_values);
	tcase_add_loop_test(known, test_wordcount_known_counts, 0, 2);
	tcase_set_timeout(known, 60);
	suite_add_tcase(s, known);
	return s;
}
