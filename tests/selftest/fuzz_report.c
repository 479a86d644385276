// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_test: statistics, diagnostics and failure reports.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fuzz_report.h"
#include "fuzz_rng.h"

struct fz_stats *shared;

void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
}

const char *errname(int e)
{
	const char *n = strerrorname_np(e);
	static char buf[24];

	if (n)
		return n;
	snprintf(buf, sizeof(buf), "errno%d", e);
	return buf;
}

static void print_hist(const char *what, const uint64_t *hist)
{
	char line[1024];
	size_t used = 0;
	int e;

	line[0] = 0;
	for (e = 1; e < HIST_MAX; e++) {
		if (!hist[e])
			continue;
		used += snprintf(line + used, sizeof(line) - used, " %s=%" PRIu64,
				 errname(e), hist[e]);
		if (used >= sizeof(line))
			break;
	}
	diag("%s errno histogram:%s", what, used ? line : " (none)");
}

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void hexdump(const char *what, const void *p, size_t len, size_t max)
{
	const uint8_t *b = p;
	char line[128];
	size_t i, j;

	diag("%s (%zu bytes%s):", what, len, len > max ? ", truncated" : "");
	if (len > max)
		len = max;
	for (i = 0; i < len; i += 16) {
		int used = snprintf(line, sizeof(line), "  %04zx:", i);

		for (j = i; j < i + 16 && j < len; j++)
			used += snprintf(line + used, sizeof(line) - used, " %02x", b[j]);
		diag("%s", line);
	}
}

void why_set(struct fz *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
}

/* The failure line; details follow, then fz_report_end(). */
void fz_report(struct fz *c)
{
	c->stats->failures++;
	diag("FAIL %s request #%" PRIu64 ": %s", st_name[c->st], c->idx, c->why);
}

void fz_report_end(struct fz *c, const void *req, size_t len)
{
	hexdump("request", req, len, 256);
	diag("repro: PCIPASS_FUZZ_SEED=0x%016" PRIx64 " PCIPASS_FUZZ_COUNT=%" PRIu64
	     " PCIPASS_FUZZ_FIRST=%" PRIu64 " ./fuzz_test -t %s",
	     cfg.seed, cfg.count, c->idx, st_name[c->st]);
}

void count_errno(struct fz *c, int e)
{
	c->stats->errors++;
	c->stats->hist[e > 0 && e < HIST_MAX ? e : 0]++;
}

void print_stats(int st)
{
	const struct fz_stats *s = &shared[st];

	diag("sent=%" PRIu64 " errors=%" PRIu64 " replies=%" PRIu64 " acks=%" PRIu64
	     " silent=%" PRIu64 " dumps=%" PRIu64 " (%" PRIu64 " split, %" PRIu64
	     " refused busy) abandoned=%" PRIu64
	     " messages=%" PRIu64
	     " failures=%" PRIu64 " time=%.1fs rate=%.0f/s",
	     s->sent, s->errors, s->replies, s->acks, s->silent, s->dumps,
	     s->split_dumps, s->busy_dumps, s->abandoned, s->msgs, s->failures, s->secs,
	     s->secs > 0 ? s->sent / s->secs : 0.0);
	diag("dry runs that reached a group: planned=%" PRIu64 " refused=%" PRIu64
	     " other errors=%" PRIu64, s->claims[0], s->claims[1], s->claims[2]);
	print_hist(st_name[st], s->hist);
}
