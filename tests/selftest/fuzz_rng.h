/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz_test: the seeded PRNG (splitmix64), the run's configuration from
 * the environment, and the four request streams.  Request i of a stream
 * is generated from its own PRNG state, derived from the seed, the stream
 * and i (req_rng()), so any request can be replayed on its own.
 */
#ifndef PCIPASS_SELFTEST_FUZZ_RNG_H
#define PCIPASS_SELFTEST_FUZZ_RNG_H

#include <stdbool.h>
#include <stdint.h>

/* ------------------------------------------------------------------ */
/* PRNG: splitmix64.                                                   */
struct rng {
	uint64_t s;
};

static inline uint64_t rnd64(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint32_t rnd32(struct rng *r)
{
	return rnd64(r) >> 32;
}

/* Uniform in [0, n); 0 when n is 0. */
static inline uint32_t below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((uint64_t)rnd32(r) * n) >> 32);
}

/* True with probability permille/1000. */
static inline bool pm(struct rng *r, unsigned int permille)
{
	return below(r, 1000) < permille;
}

/* ------------------------------------------------------------------ */
/* Configuration and streams.                                          */
struct fz_cfg {
	uint64_t seed;
	uint64_t count;
	uint64_t first;
	const char *count_from;
	/*
	 * PCIPASS_FUZZ_BUSY_OK: other clients may probe, unbind or reset
	 * devices meanwhile (not the quiet test VM), so a device lock the
	 * module waited a second for may give EBUSY.
	 */
	bool busy_ok;
};

extern struct fz_cfg cfg;

enum { ST_NL, ST_NL_UNPRIV, ST_IOC, ST_IOC_UNPRIV, ST_MAX };

extern const char *const st_name[ST_MAX];

/*
 * Read PCIPASS_FUZZ_QUICK, _COUNT, _SEED (default: random), _FIRST and
 * _BUSY_OK into cfg; 0, or -1 after a message on stderr.
 */
int fz_cfg_read(void);

/* Half netlink, half ioctl; a third of each as uid 65534. */
uint64_t stream_count(int st);

/* The PRNG state request @i of stream @st is generated from. */
void req_rng(struct rng *r, int st, uint64_t i);

#endif
