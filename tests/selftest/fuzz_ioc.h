/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz_test: /dev/pcipass requests (command numbers, structs, where the
 * pointer points), the oracle predicting the answer from the rules in
 * pcipass_ioctl.h, and the check of a successful call's output.
 */
#ifndef PCIPASS_SELFTEST_FUZZ_IOC_H
#define PCIPASS_SELFTEST_FUZZ_IOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_report.h"
#include "fuzz_rng.h"

enum { IK_UNKNOWN, IK_VERSION, IK_DEVICE, IK_ISOLATION, IK_CLAIM, IK_RELEASE };

/*
 * Claim and release: the caller's struct always has
 * PCIPASS_IOC_CLAIM_F_DRY_RUN set, so no request of the fuzzer can move a
 * device.  On error after the struct was read, the report may be written
 * back into the struct (not around it).
 */
static inline bool ik_claims(int kind)
{
	return kind == IK_CLAIM || kind == IK_RELEASE;
}

enum {
	PC_RW, PC_END, PC_RO, PC_NULL, PC_ONE, PC_KERNEL, PC_NONCANON, PC_GONE,
	PC_MAX
};

extern const char *const pc_name[PC_MAX];

#define IMG_MAX		(16384 + 64)
#define WIN_SLACK	64

struct arena {
	size_t page;
	uint8_t *rw;		/* RW, followed by an unmapped page */
	size_t rw_len;
	uint8_t *ro, *ro_w;	/* the same memfd: read-only and writable views */
	size_t ro_len;
	uint8_t *gone;		/* a page that was unmapped */
	uint8_t *save;		/* copy of the window before the call */
	uint8_t *img;		/* the struct as generated */
};

/* Map the areas; 0 or -errno. */
int arena_setup(struct arena *a);

struct ioreq {
	unsigned int cmd;
	int kind;
	bool priv;		/* the descriptor's opener has CAP_SYS_ADMIN */
	size_t usize;		/* _IOC_SIZE(cmd) */
	size_t ilen;		/* bytes of img meant to be at ptr */
	int cls;
	uint8_t *ptr;
	size_t avail;		/* readable bytes at ptr */
	bool writable;
	uint8_t *view;		/* where we write/read what is at ptr */
	uint8_t *win_lo, *win_hi;	/* window (in view) we check */
	char note[96];		/* claim, release: the prediction in words */
};

/* A command number; *kind: what the module takes it for. */
unsigned int pick_cmd(struct rng *r, int *kind);
/* sizeof() the struct of a kind (VER0); 0 for IK_UNKNOWN. */
size_t ioc_ksize(int kind);
/* The struct as the caller fills it (q->ilen bytes). */
void gen_ioc_img(struct rng *r, struct ioreq *q, uint8_t *img);
/* Where the pointer points: q->ptr, q->view, q->avail, q->writable. */
void place(struct arena *ar, struct rng *r, struct ioreq *q);

/* A set of errnos; EOPNOTSUPP (95) takes bit 63 (ENOSR, never used here). */
uint64_t eset(int e);
/* In an errno set: success is allowed too (errno 0 is no errno). */
#define ES_OK		1ULL

/* The errnos the call may fail with (and ES_OK); 0: it must succeed. */
uint64_t ioc_expect(struct ioreq *q, const uint8_t *img);
/* "EINVAL|EFAULT", or "success" for an empty set. */
void eset_str(uint64_t s, char *buf, size_t len);
/* Check a successful call's output; 0 or -1 with c->why set. */
int ioc_check_out(struct fz *c, const struct ioreq *q, const uint8_t *img);

#endif
