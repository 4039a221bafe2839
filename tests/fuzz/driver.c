// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * driver.c - a standalone main() for the libFuzzer targets of tests/fuzz/, so they run as plain
 * tests without clang (`make fuzz` builds the same targets with libFuzzer for long sessions).
 *
 * A target defines `int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)`, checks its
 * invariants and abort()s when one breaks; it may define a NULL-terminated
 * `const char *const fuzz_dictionary[]` of tokens its inputs are built from, and
 * `int LLVMFuzzerInitialize(int *argc, char ***argv)`.  The driver feeds it deterministic inputs
 * (the same seed gives the same inputs): random token sequences, random bytes, and mutations of
 * earlier inputs (flip, insert a token, delete, duplicate, truncate, splice).  Each input is a
 * fresh allocation of exactly its size, so a sanitizer build catches reads past it.
 *
 * Usage: DRIVER [-n ITERATIONS] [-s SEED] [FILE...]
 *   With FILEs, runs each file's bytes once (to replay a crash).  On a crash the input is
 *   printed as a C string with the seed and iteration.  Exit 0 when nothing crashed.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_ITERATIONS 200000
#define MAX_INPUT 4096
#define POOL 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
extern const char *const fuzz_dictionary[] __attribute__((weak));

static uint64_t rng;
static const uint8_t *cur;		/* the input being run, for the crash report */
static size_t cur_len;
static unsigned long cur_iter;
static unsigned long seed = 1;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static size_t below(size_t n)
{
	return n ? (size_t)(next_rand() % n) : 0;
}

static void put(const void *p, size_t len)
{
	if (write(STDERR_FILENO, p, len) < 0)
		_exit(2);
}

static void put_str(const char *s)
{
	put(s, strlen(s));
}

static void put_ulong(unsigned long v)
{
	char d[24];
	int i = sizeof(d);

	do
		d[--i] = (char)('0' + v % 10);
	while ((v /= 10));
	put(d + i, sizeof(d) - (size_t)i);
}

/* Print the input as a C string; only async-signal-safe calls. */
static void report(int sig)
{
	size_t i;

	put_str("\nfuzz: signal ");
	put_ulong((unsigned long)sig);
	put_str(" on input ");
	put_ulong(cur_iter);
	put_str(" (seed ");
	put_ulong(seed);
	put_str(", ");
	put_ulong(cur_len);
	put_str(" bytes): \"");
	for (i = 0; cur && i < cur_len; i++) {
		uint8_t c = cur[i];
		char esc[4] = { '\\', (char)('0' + (c >> 6)), (char)('0' + ((c >> 3) & 7)), (char)('0' + (c & 7)) };

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			put(&c, 1);
		else
			put(esc, 4);
	}
	put_str("\"\n");
	signal(sig, SIG_DFL);
	raise(sig);
}

static size_t dict_size(void)
{
	size_t n = 0;

	if (fuzz_dictionary)
		while (fuzz_dictionary[n])
			n++;
	return n;
}

/* Append @len bytes of @src to @buf of *@n bytes, within MAX_INPUT. */
static void append(uint8_t *buf, size_t *n, const void *src, size_t len)
{
	if (len > MAX_INPUT - *n)
		len = MAX_INPUT - *n;
	memcpy(buf + *n, src, len);
	*n += len;
}

static void append_token(uint8_t *buf, size_t *n, size_t ndict)
{
	const char *t;
	uint8_t c;

	if (ndict && below(8)) {
		t = fuzz_dictionary[below(ndict)];
		append(buf, n, t, strlen(t));
		return;
	}
	c = below(4) ? (uint8_t)(0x20 + below(0x5f)) : (uint8_t)below(256);
	append(buf, n, &c, 1);
}

/* A new input from scratch: a run of tokens (sometimes long), or random bytes. */
static size_t generate(uint8_t *buf, size_t ndict)
{
	size_t n = 0, count = below(4) ? 1 + below(8) : 1 + below(600);

	while (count--)
		append_token(buf, &n, ndict);
	return n;
}

/* Change @buf (of @n bytes) in place; @other is a second input to splice from. */
static size_t mutate(uint8_t *buf, size_t n, const uint8_t *other, size_t olen, size_t ndict)
{
	uint8_t tmp[MAX_INPUT];
	size_t at = below(n + 1), len, tail;

	switch (below(6)) {
	case 0:		/* flip a bit */
		if (n)
			buf[below(n)] ^= (uint8_t)(1u << below(8));
		return n;
	case 1:		/* insert a token */
		tail = n - at;
		memcpy(tmp, buf + at, tail);
		n = at;
		append_token(buf, &n, ndict);
		append(buf, &n, tmp, tail);
		return n;
	case 2:		/* delete a range */
		len = below(n - at + 1);
		memmove(buf + at, buf + at + len, n - at - len);
		return n - len;
	case 3:		/* duplicate a range at the end */
		len = below(n - at + 1);
		memcpy(tmp, buf + at, len);
		append(buf, &n, tmp, len);
		return n;
	case 4:		/* truncate */
		return at;
	default:	/* splice: our head, the other's tail */
		len = below(olen + 1);
		n = at;
		append(buf, &n, other + len, olen - len);
		return n;
	}
}

static void run_one(const uint8_t *data, size_t len, unsigned long iter)
{
	uint8_t *copy = malloc(len ? len : 1);	/* exactly @len bytes: sanitizers see overreads */

	if (!copy) {
		fprintf(stderr, "fuzz: out of memory\n");
		exit(1);
	}
	memcpy(copy, data, len);
	cur = copy;
	cur_len = len;
	cur_iter = iter;
	LLVMFuzzerTestOneInput(copy, len);
	cur = NULL;
	free(copy);
}

static int run_files(int argc, char **argv)
{
	static uint8_t buf[1 << 20];
	int i;

	for (i = 0; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		size_t n;

		if (!f) {
			perror(argv[i]);
			return 1;
		}
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		run_one(buf, n, (unsigned long)i);
	}
	printf("fuzz: %d files, no crash\n", argc);
	return 0;
}

int main(int argc, char **argv)
{
	static uint8_t pool[POOL][MAX_INPUT], buf[MAX_INPUT];
	static size_t pool_len[POOL];
	unsigned long iters = DEFAULT_ITERATIONS, i;
	size_t ndict, n, k, o;
	int opt;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	while ((opt = getopt(argc, argv, "n:s:h")) != -1) {
		switch (opt) {
		case 'n':
			iters = strtoul(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(opt == 'h' ? stdout : stderr, "Usage: %s [-n ITERATIONS] [-s SEED] [FILE...]\n", argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	signal(SIGSEGV, report);
	signal(SIGABRT, report);
	signal(SIGBUS, report);
	signal(SIGFPE, report);
	signal(SIGILL, report);
	if (optind < argc)
		return run_files(argc - optind, argv + optind);
	ndict = dict_size();
	rng = seed * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL;
	for (i = 0; i < iters; i++) {
		k = below(POOL);
		o = below(POOL);
		if (i < POOL || below(3) == 0) {
			n = generate(buf, ndict);
		} else {
			memcpy(buf, pool[k], pool_len[k]);
			n = mutate(buf, pool_len[k], pool[o], pool_len[o], ndict);
		}
		run_one(buf, n, i);
		memcpy(pool[k], buf, n);	/* keep it: later inputs grow from it */
		pool_len[k] = n;
	}
	printf("fuzz: %lu inputs (seed %lu, %zu dictionary tokens), no crash\n", iters, seed, ndict);
	return 0;
}
