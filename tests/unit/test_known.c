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

Suite *suite_known(void)
{
	Suite *s = suite_create("known");
	TCase *known = tcase_create("known");

	tcase_add_test(known, test_hash_known_values);
	tcase_add_test(known, test_range_known_values);
	tcase_add_test(known, test_search_known_values);
	tcase_add_test(known, test_sleep_known_values);
	tcase_set_timeout(known, 60);
	suite_add_tcase(s, known);
	return s;
}
