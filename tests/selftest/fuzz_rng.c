// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_test: seed and configuration from the environment, the streams'
 * request counts and per-request PRNG states.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "fuzz_rng.h"

#define DEFAULT_COUNT	100000ULL
#define QUICK_COUNT	10000ULL

struct fz_cfg cfg;

const char *const st_name[ST_MAX] = {
	"netlink_stream", "netlink_stream_unprivileged",
	"ioctl_stream", "ioctl_stream_unprivileged",
};

static uint64_t mix64(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t stream_count(int st)
{
	uint64_t nl = cfg.count / 2, ioc = cfg.count - nl;

	switch (st) {
	case ST_NL:
		return nl - nl / 3;
	case ST_NL_UNPRIV:
		return nl / 3;
	case ST_IOC:
		return ioc - ioc / 3;
	default:
		return ioc / 3;
	}
}

static uint64_t stream_seed(int st)
{
	return mix64(cfg.seed ^ mix64(0x70636970617373ULL + st));
}

void req_rng(struct rng *r, int st, uint64_t i)
{
	r->s = mix64(stream_seed(st) ^ mix64(~i));
}

static int env_u64(const char *name, uint64_t *v)
{
	const char *s = getenv(name);
	char *end;

	if (!s || !*s)
		return 0;
	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno || *end || *s == '-') {
		fprintf(stderr, "fuzz_test: %s=%s: not a number\n", name, s);
		return -1;
	}
	return 1;
}

static bool env_on(const char *name)
{
	const char *s = getenv(name);

	return s && *s && strcmp(s, "0");
}

int fz_cfg_read(void)
{
	uint64_t v;
	int ret;

	cfg.count = DEFAULT_COUNT;
	cfg.count_from = "the default";
	cfg.busy_ok = env_on("PCIPASS_FUZZ_BUSY_OK");
	if (env_on("PCIPASS_FUZZ_QUICK")) {
		cfg.count = QUICK_COUNT;
		cfg.count_from = "PCIPASS_FUZZ_QUICK";
	}
	ret = env_u64("PCIPASS_FUZZ_COUNT", &v);
	if (ret < 0)
		return -1;
	if (ret) {
		cfg.count = v;
		cfg.count_from = "PCIPASS_FUZZ_COUNT";
	}
	ret = env_u64("PCIPASS_FUZZ_SEED", &cfg.seed);
	if (ret < 0)
		return -1;
	if (!ret && getrandom(&cfg.seed, sizeof(cfg.seed), 0) != sizeof(cfg.seed))
		cfg.seed = mix64(time(NULL) ^ ((uint64_t)getpid() << 32));
	if (env_u64("PCIPASS_FUZZ_FIRST", &cfg.first) < 0)
		return -1;
	return 0;
}
