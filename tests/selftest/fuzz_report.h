/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz_test: statistics (shared with the harness parent), diagnostics,
 * and the per-stream context that reports a failing request.
 */
#ifndef PCIPASS_SELFTEST_FUZZ_REPORT_H
#define PCIPASS_SELFTEST_FUZZ_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_FAILURES	10	/* per stream: stop after this many */

#define HIST_MAX 160

struct fz_stats {
	bool ran;
	uint64_t sent;		/* requests: datagrams or ioctl calls */
	uint64_t msgs;		/* netlink messages the kernel parsed */
	uint64_t replies;	/* successful answers (reply, dump, ioctl 0) */
	uint64_t errors;	/* error answers */
	uint64_t acks;		/* ACKs (NLMSG_ERROR 0) */
	uint64_t silent;	/* messages the kernel ignores by design */
	uint64_t dumps;		/* dumps read to NLMSG_DONE */
	uint64_t abandoned;	/* dumps left unread: the socket was closed */
	uint64_t split_dumps;	/* dumps that came in more than one recv() */
	uint64_t busy_dumps;	/* refused: an earlier dump still ran */
	uint64_t claims[3];	/* dry runs past the group: planned, EBUSY, other */
	uint64_t failures;
	uint64_t hist[HIST_MAX];	/* errno -> count */
	double secs;
};

extern struct fz_stats *shared;	/* [ST_MAX], MAP_SHARED */

/* One "# "-prefixed line on stdout. */
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "EINVAL", or "errno<n>" for a number without a name. */
const char *errname(int e);
double now_s(void);

/* Common per-stream context. */
struct fz {
	int st;
	bool priv;		/* the caller has CAP_SYS_ADMIN */
	uint64_t idx;		/* current request */
	struct fz_stats *stats;
	uint64_t reported;	/* failures already reported */
	char why[2048];
};

void why_set(struct fz *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The failure line; details follow, then fz_report_end(). */
void fz_report(struct fz *c);
void fz_report_end(struct fz *c, const void *req, size_t len);
/* An error answer: counted, and its errno in the histogram. */
void count_errno(struct fz *c, int e);

/* The counters and errno histogram of stream @st. */
void print_stats(int st);

#endif
