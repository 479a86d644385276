// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass fuzzing: a bounded, seeded stream of malformed requests to the
 * "pcipass" generic netlink family and to /dev/pcipass, as root and as
 * uid/gid 65534.
 *
 * The stream depends only on the seed (and on the PCI topology the
 * requests pick addresses from): request i of a stream is generated from
 * its own splitmix64 state, derived from the seed, the stream and i.
 *
 * Nothing is accepted on faith.  Every netlink datagram is walked the way
 * netlink_rcv_skb() and genetlink walk it, and for every message the
 * kernel will parse this test predicts the answer: none, an ACK, an error
 * (exact errno, or EINVAL/ERANGE for a policy violation), a reply, or a
 * dump.  The prediction is made from the bytes actually sent, with the
 * attribute policy of Documentation/netlink/specs/pcipass.yaml and the
 * strict validation genetlink applies to it.  Every reply is parsed
 * strictly and compared with sysfs; error messages must echo the request
 * and carry well-formed extended ACK TLVs.  A missing answer (2 s receive
 * timeout) is a hang.  Every ioctl is predicted from the rules in
 * pcipass_ioctl.h (the union of the errnos of every rule the request
 * breaks; success only when it breaks none); a success must fill exactly
 * the documented bytes with what sysfs says, a failure must leave user
 * memory untouched.
 *
 * Environment:
 *   PCIPASS_FUZZ_SEED=S    seed (decimal or 0x...); default: random
 *   PCIPASS_FUZZ_COUNT=N   requests per run, all streams together
 *                          (default 100000)
 *   PCIPASS_FUZZ_QUICK=1   10000 requests unless PCIPASS_FUZZ_COUNT is set
 *   PCIPASS_FUZZ_FIRST=I   start every stream at request I (to replay a
 *                          failing request quickly; same seed and count)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#include "ppcommon.h"

#define DEFAULT_COUNT	100000ULL
#define QUICK_COUNT	10000ULL
#define MAX_FAILURES	10	/* per stream: stop after this many */
#define RCV_TIMEOUT_S	2	/* no answer within this: the module hung */

/* ------------------------------------------------------------------ */
/* PRNG: splitmix64.                                                   */

struct rng {
	uint64_t s;
};

static uint64_t mix64(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd64(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rnd32(struct rng *r)
{
	return rnd64(r) >> 32;
}

/* Uniform in [0, n); 0 when n is 0. */
static uint32_t below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((uint64_t)rnd32(r) * n) >> 32);
}

/* True with probability permille/1000. */
static bool pm(struct rng *r, unsigned int permille)
{
	return below(r, 1000) < permille;
}

/* ------------------------------------------------------------------ */
/* Configuration, streams, statistics shared with the harness parent.  */

static struct {
	uint64_t seed;
	uint64_t count;
	uint64_t first;
	const char *count_from;
} cfg;

enum { ST_NL, ST_NL_UNPRIV, ST_IOC, ST_IOC_UNPRIV, ST_MAX };

static const char *const st_name[ST_MAX] = {
	"netlink_stream", "netlink_stream_unprivileged",
	"ioctl_stream", "ioctl_stream_unprivileged",
};

/* Half netlink, half ioctl; a third of each as uid 65534. */
static uint64_t stream_count(int st)
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

static void req_rng(struct rng *r, int st, uint64_t i)
{
	r->s = mix64(stream_seed(st) ^ mix64(~i));
}

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
	uint64_t failures;
	uint64_t hist[HIST_MAX];	/* errno -> count */
	double secs;
};

static struct fz_stats *shared;	/* [ST_MAX], MAP_SHARED */

static void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
}

static const char *errname(int e)
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

static double now_s(void)
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

/* ------------------------------------------------------------------ */
/* Ground truth, read once as root before the tests fork.              */

struct gt_idx {
	struct pci_addr a;
	int idx;
};

static struct {
	int n;
	char **names;
	struct sysfs_dev *sd;
	struct gt_idx *sorted;
	int ngroups;
	struct sysfs_group *groups;
	int err;
} gt;

static int cmp_gt_idx(const void *a, const void *b)
{
	return pci_addr_cmp(&((const struct gt_idx *)a)->a,
			    &((const struct gt_idx *)b)->a);
}

static int gt_read(void)
{
	int i, ret;

	gt.n = sysfs_pci_list(&gt.names);
	if (gt.n <= 0)
		return gt.n ? gt.n : -ENODEV;
	gt.sd = calloc(gt.n, sizeof(*gt.sd));
	gt.sorted = calloc(gt.n, sizeof(*gt.sorted));
	if (!gt.sd || !gt.sorted)
		return -ENOMEM;
	for (i = 0; i < gt.n; i++) {
		ret = sysfs_pci_read(gt.names[i], &gt.sd[i]);
		if (ret)
			return ret;
		gt.sorted[i].a = gt.sd[i].addr;
		gt.sorted[i].idx = i;
	}
	qsort(gt.sorted, gt.n, sizeof(*gt.sorted), cmp_gt_idx);
	gt.ngroups = sysfs_groups_read(&gt.groups);
	if (gt.ngroups < 0)
		return gt.ngroups;
	return 0;
}

static int gt_find(const struct pci_addr *a)
{
	struct gt_idx key = { .a = *a }, *hit;

	hit = bsearch(&key, gt.sorted, gt.n, sizeof(*gt.sorted), cmp_gt_idx);
	return hit ? hit->idx : -1;
}

static int gt_group(uint32_t id)
{
	int lo = 0, hi = gt.ngroups - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (gt.groups[mid].id == id)
			return mid;
		if (gt.groups[mid].id < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static int cmp_pci_addr(const void *a, const void *b)
{
	return pci_addr_cmp(a, b);
}

static int gt_member(int g, const struct pci_addr *a)
{
	const struct sysfs_group *grp = &gt.groups[g];
	const struct pci_addr *hit;

	hit = bsearch(a, grp->members, grp->nmembers, sizeof(*a), cmp_pci_addr);
	return hit ? (int)(hit - grp->members) : -1;
}

/* ------------------------------------------------------------------ */
/* State an unprivileged caller must not be able to change.           */

struct sbuf {
	char *p;
	size_t len, cap;
};

static void sb_add(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(s->p ? s->p + s->len : NULL,
			      s->p ? s->cap - s->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (s->p && s->len + n < s->cap) {
			s->len += n;
			return;
		}
		s->cap = (s->cap + n + 1) * 2;
		s->p = realloc(s->p, s->cap);
		if (!s->p)
			abort();
	}
}

static void read_line(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(buf, len, "<%s>", errname(errno));
		return;
	}
	n = read(fd, buf, len - 1);
	if (n < 0) {
		snprintf(buf, len, "<%s>", errname(errno));
		n = strlen(buf);
	}
	buf[n] = 0;
	close(fd);
	while (n && buf[n - 1] == '\n')
		buf[--n] = 0;
}

static void read_link_base(const char *path, char *buf, size_t len)
{
	char tmp[PATH_MAX];
	const char *base;
	ssize_t n;

	n = readlink(path, tmp, sizeof(tmp) - 1);
	if (n < 0) {
		snprintf(buf, len, "-");
		return;
	}
	tmp[n] = 0;
	base = strrchr(tmp, '/');
	base = base ? base + 1 : tmp;
	n = strlen(base);
	if ((size_t)n >= len)
		n = len - 1;
	memcpy(buf, base, n);
	buf[n] = 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted entries of a directory (without . and ..); count or -errno. */
static int list_sorted(const char *path, char ***out)
{
	char **v = NULL;
	struct dirent *de;
	int n = 0;
	DIR *d;

	*out = NULL;
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		v = realloc(v, (n + 1) * sizeof(*v));
		if (!v)
			abort();
		v[n++] = strdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_str);
	*out = v;
	return n;
}

static void free_list(char **v, int n)
{
	while (n > 0)
		free(v[--n]);
	free(v);
}

/*
 * One line per PCI function (driver, driver_override, IOMMU group,
 * sriov_numvfs) and per IOMMU group (all its devices).
 */
static char *state_snapshot(void)
{
	struct sbuf s = { 0 };
	char **v, **m, path[PATH_MAX];
	int n, i, j, nm;

	n = list_sorted(SYSFS_PCI_DEVICES, &v);
	if (n < 0)
		sb_add(&s, "pci: <%s>\n", errname(-n));
	for (i = 0; i < n; i++) {
		char drv[256], ovr[4096], grp[64], vfs[64];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s/driver", SYSFS_PCI_DEVICES, v[i]);
		read_link_base(path, drv, sizeof(drv));
		snprintf(path, sizeof(path), "%s/%s/driver_override", SYSFS_PCI_DEVICES, v[i]);
		read_line(path, ovr, sizeof(ovr));
		snprintf(path, sizeof(path), "%s/%s/iommu_group", SYSFS_PCI_DEVICES, v[i]);
		read_link_base(path, grp, sizeof(grp));
		snprintf(path, sizeof(path), "%s/%s/sriov_numvfs", SYSFS_PCI_DEVICES, v[i]);
		if (stat(path, &st))
			snprintf(vfs, sizeof(vfs), "-");
		else
			read_line(path, vfs, sizeof(vfs));
		sb_add(&s, "pci %s driver=%s driver_override=%s iommu_group=%s sriov_numvfs=%s\n",
		       v[i], drv, ovr, grp, vfs);
	}
	free_list(v, n);

	n = list_sorted(SYSFS_IOMMU_GROUPS, &v);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s/devices", SYSFS_IOMMU_GROUPS, v[i]);
		nm = list_sorted(path, &m);
		sb_add(&s, "iommu_group %s:", v[i]);
		for (j = 0; j < nm; j++)
			sb_add(&s, " %s", m[j]);
		sb_add(&s, "\n");
		free_list(m, nm);
	}
	free_list(v, n);
	if (!s.p)
		sb_add(&s, "%s", "");
	return s.p;
}

/* Print the lines that differ; returns how many. */
static int state_diff(const char *before, const char *after)
{
	char *a = strdup(before), *b = strdup(after), *sa, *sb, *la, *lb;
	int diffs = 0;

	la = strtok_r(a, "\n", &sa);
	lb = strtok_r(b, "\n", &sb);
	while (la || lb) {
		if (!la || !lb || strcmp(la, lb)) {
			diag("state before: %s", la ? la : "(none)");
			diag("state after:  %s", lb ? lb : "(none)");
			diffs++;
		}
		la = la ? strtok_r(NULL, "\n", &sa) : NULL;
		lb = lb ? strtok_r(NULL, "\n", &sb) : NULL;
	}
	free(a);
	free(b);
	return diffs;
}

static char *state_before;	/* taken in main(), before any test */

/* ------------------------------------------------------------------ */
/* Common per-stream context.                                          */

struct fz {
	int st;
	bool priv;		/* the caller has CAP_SYS_ADMIN */
	uint64_t idx;		/* current request */
	struct fz_stats *stats;
	uint64_t reported;	/* failures already reported */
	char why[2048];
};

static void why_set(struct fz *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
}

/* The failure line; details follow, then fz_report_end(). */
static void fz_report(struct fz *c)
{
	c->stats->failures++;
	diag("FAIL %s request #%" PRIu64 ": %s", st_name[c->st], c->idx, c->why);
}

static void fz_report_end(struct fz *c, const void *req, size_t len)
{
	hexdump("request", req, len, 256);
	diag("repro: PCIPASS_FUZZ_SEED=0x%016" PRIx64 " PCIPASS_FUZZ_COUNT=%" PRIu64
	     " PCIPASS_FUZZ_FIRST=%" PRIu64 " ./fuzz_test -t %s",
	     cfg.seed, cfg.count, c->idx, st_name[c->st]);
}

static void count_errno(struct fz *c, int e)
{
	c->stats->errors++;
	c->stats->hist[e > 0 && e < HIST_MAX ? e : 0]++;
}

/* ------------------------------------------------------------------ */
/* Netlink: building datagrams.                                        */

#define DG_MAX		20480	/* largest datagram we send */
#define RX_MAX		(192 * 1024)
#define MAX_EXP		64	/* messages per datagram */
#define NOCAP_MAX	4096	/* datagrams sent on a socket without CAP_ACK */

struct gen {
	struct rng *r;
	uint8_t *buf;
	size_t len, cap;
	bool full;
	bool have_dump;
};

static void g_raw(struct gen *g, const void *d, size_t n)
{
	if (g->full || n > g->cap - g->len) {
		g->full = true;
		return;
	}
	if (d)
		memcpy(g->buf + g->len, d, n);
	else
		memset(g->buf + g->len, 0, n);
	g->len += n;
}

/* style: 0 zeros, 1 0xff, 2 a small number, 3 random */
static void g_rand(struct gen *g, size_t n, int style)
{
	size_t i;

	if (g->full || n > g->cap - g->len) {
		g->full = true;
		return;
	}
	for (i = 0; i < n; i++) {
		uint8_t v;

		switch (style) {
		case 0:
			v = 0;
			break;
		case 1:
			v = 0xff;
			break;
		case 2:
			v = i ? 0 : (uint8_t)below(g->r, 32);
			break;
		default:
			v = (uint8_t)rnd32(g->r);
			break;
		}
		g->buf[g->len + i] = v;
	}
	g->len += n;
}

static void g_pad(struct gen *g)
{
	size_t n = NLA_ALIGN(g->len) - g->len;

	if (!n)
		return;
	/* padding is not looked at: sometimes make it garbage */
	g_rand(g, n, pm(g->r, 100) ? 3 : 0);
}

static size_t g_attr_begin(struct gen *g, uint16_t type)
{
	struct nlattr nla = { .nla_len = NLA_HDRLEN, .nla_type = type };
	size_t off = g->len;

	g_raw(g, &nla, sizeof(nla));
	return off;
}

static void g_attr_end(struct gen *g, size_t off)
{
	uint16_t l;

	if (off + NLA_HDRLEN > g->len)
		return;
	l = g->len - off;
	memcpy(g->buf + off, &l, sizeof(l));
	g_pad(g);
}

static void g_scalar(struct gen *g, uint16_t type, uint64_t v, size_t len)
{
	size_t off = g_attr_begin(g, type);
	uint8_t b[8];

	memcpy(b, &v, sizeof(b));
	if (len <= sizeof(b))
		g_raw(g, b, len);
	else
		g_rand(g, len, 3);
	g_attr_end(g, off);
}

/* Make the attribute at @off lie about its length. */
static void g_lie_len(struct gen *g, size_t off)
{
	struct rng *r = g->r;
	uint16_t real, v;

	if (off + NLA_HDRLEN > g->len)
		return;
	memcpy(&real, g->buf + off, sizeof(real));
	switch (below(r, 7)) {
	case 0:
		v = 0;
		break;
	case 1:
		v = 1 + below(r, 3);	/* < header */
		break;
	case 2:
		v = real + 1 + below(r, 8);	/* a bit long */
		break;
	case 3:
		v = real + below(r, 4096);
		break;
	case 4:
		v = 0xffff;
		break;
	case 5:			/* short */
		v = real > 4 ? real - 1 - below(r, real - 4 < 4 ? real - 4 : 4) : real;
		break;
	default:
		v = real ^ 1;	/* odd/even */
		break;
	}
	memcpy(g->buf + off, &v, sizeof(v));
}

static size_t pick_len(struct rng *r)
{
	static const uint8_t lens[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16 };

	switch (below(r, 10)) {
	case 0:
		return below(r, 65);
	case 1:
		return below(r, 301);
	default:
		return lens[below(r, sizeof(lens))];
	}
}

#define NLA_TYPE_MAX16	0x3fff	/* NLA_TYPE_MASK as a positive number */

/* An attribute type: valid, 0, just above the maximum, random; flags. */
static uint16_t soup_type(struct rng *r, int maxvalid)
{
	uint16_t t;

	switch (below(r, 10)) {
	case 0:
	case 1:
	case 2:
		t = 1 + below(r, maxvalid);
		break;
	case 3:
		t = 0;
		break;
	case 4:
	case 5:
		t = maxvalid + 1 + below(r, 20);
		break;
	case 6:
		t = below(r, NLA_TYPE_MAX16 + 1);
		break;
	case 7:
		t = NLA_TYPE_MAX16;
		break;
	default:
		t = below(r, 20);
		break;
	}
	if (pm(r, 150))
		t |= NLA_F_NESTED;
	if (pm(r, 100))
		t |= NLA_F_NET_BYTEORDER;
	return t;
}

static void g_addr_inner(struct gen *g, const struct pci_addr *a, unsigned int m);

static void g_random_addr(struct rng *r, struct pci_addr *a)
{
	if (gt.n && pm(r, 600)) {
		*a = gt.sd[below(r, gt.n)].addr;
		if (pm(r, 200))
			a->devfn = rnd32(r);	/* a neighbour that may not exist */
		return;
	}
	a->domain = pm(r, 700) ? 0 : pm(r, 500) ? below(r, 0x10000) : rnd32(r);
	a->bus = rnd32(r);
	a->devfn = rnd32(r);
}

static void g_soup(struct gen *g, int depth, int count);

/* One random attribute. */
static void g_one(struct gen *g, int depth)
{
	struct rng *r = g->r;
	uint16_t type = soup_type(r, depth ? PCIPASS_A_ADDR_MAX : 1);
	struct pci_addr a;
	size_t off = g->len, stack[64];
	int i, d;

	switch (below(r, 10)) {
	case 0 ... 3:
		g_scalar(g, type, rnd64(r), pick_len(r));
		break;
	case 4 ... 5:		/* a nest with random contents */
		off = g_attr_begin(g, pm(r, 700) ? type | NLA_F_NESTED : type);
		if (depth < 6)
			g_soup(g, depth + 1, below(r, 5));
		else
			g_rand(g, pick_len(r), 3);
		g_attr_end(g, off);
		break;
	case 6:			/* an address in the wrong place */
		g_random_addr(r, &a);
		off = g_attr_begin(g, type);
		g_addr_inner(g, &a, pm(r, 500) ? 0 : 300);
		g_attr_end(g, off);
		break;
	case 7: {		/* a string, terminated or not */
		size_t n = below(r, 40), k;

		off = g_attr_begin(g, type);
		for (k = 0; k < n; k++) {
			uint8_t ch = 'a' + below(r, 26);

			g_raw(g, &ch, 1);
		}
		if (pm(r, 700))
			g_raw(g, NULL, 1);
		g_attr_end(g, off);
		break;
	}
	case 8:			/* deep nesting */
		d = 2 + below(r, 60);
		for (i = 0; i < d; i++)
			stack[i] = g_attr_begin(g, (pm(r, 900) ? NLA_F_NESTED : 0) |
						(i ? soup_type(r, 3) & NLA_TYPE_MASK : type));
		if (pm(r, 500))
			g_scalar(g, soup_type(r, 3), rnd64(r), pick_len(r));
		while (i--)
			g_attr_end(g, stack[i]);
		off = stack[0];
		break;
	default:		/* bytes that are no attribute: misaligns the rest */
		g_rand(g, 1 + below(r, 12), 3);
		return;
	}
	if (pm(r, 60))
		g_lie_len(g, off);
}

static void g_soup(struct gen *g, int depth, int count)
{
	int i;

	for (i = 0; i < count && !g->full; i++)
		g_one(g, depth);
}

/*
 * The inside of an address nest.  @m: mutation rate in permille; 0 gives
 * a valid nest (attribute order and NLA_F_NET_BYTEORDER still vary).
 */
static void g_addr_inner(struct gen *g, const struct pci_addr *a, unsigned int m)
{
	static const uint8_t sizes[] = { 0, 1, 2, 3, 4, 8 };
	struct rng *r = g->r;
	int order[3] = { 1, 2, 3 }, i, k;

	if (pm(r, m / 10))
		return;			/* an empty nest */
	for (i = 2; i > 0; i--) {
		int j = below(r, i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (i = 0; i < 3; i++) {
		int t = order[i], reps = 1;

		if (pm(r, m / 4))
			continue;		/* missing */
		if (pm(r, m / 5))
			reps = 2 + below(r, 2);	/* duplicates: the last counts */
		for (k = 0; k < reps; k++) {
			bool last = k == reps - 1;
			uint64_t v;
			uint16_t type = t;
			size_t size = t == PCIPASS_A_ADDR_DOMAIN ? 4 : 1, off;

			v = t == PCIPASS_A_ADDR_DOMAIN ? a->domain :
			    t == PCIPASS_A_ADDR_BUS ? a->bus : a->devfn;
			if (!last)
				v = rnd64(r);
			if (pm(r, m / 6))
				type |= NLA_F_NESTED;
			if (pm(r, 100))
				type |= NLA_F_NET_BYTEORDER;
			if (pm(r, m / 4))
				size = sizes[below(r, sizeof(sizes))];
			if (pm(r, m / 8)) {	/* a nest where a scalar goes */
				off = g_attr_begin(g, type | NLA_F_NESTED);
				g_soup(g, 3, below(r, 3));
				g_attr_end(g, off);
			} else {
				off = g->len;
				g_scalar(g, type, v, size);
			}
			if (pm(r, m / 8))
				g_lie_len(g, off);
		}
	}
	if (pm(r, m / 5))
		g_scalar(g, soup_type(r, PCIPASS_A_ADDR_MAX), rnd64(r), pick_len(r));
	if (pm(r, m / 10))
		g_rand(g, 1 + below(r, 3), 3);
}

static void g_devget_body(struct gen *g, const struct pci_addr *a, unsigned int m)
{
	struct rng *r = g->r;
	int nests = 1, k;

	if (pm(r, m / 3))
		g_soup(g, 0, 1 + below(r, 3));
	if (pm(r, m / 4))
		nests = 0;
	else if (pm(r, m / 3))
		nests = 2 + below(r, 2);
	for (k = 0; k < nests; k++) {
		uint16_t type = PCIPASS_A_DEV_ADDR | NLA_F_NESTED;
		struct pci_addr aa = *a;
		size_t off;

		if (k != nests - 1)
			g_random_addr(r, &aa);
		if (pm(r, m / 4))
			type &= ~NLA_F_NESTED;
		if (pm(r, m / 6) || pm(r, 50))
			type |= NLA_F_NET_BYTEORDER;
		if (pm(r, m / 8))
			type = soup_type(r, 1) | (type & NLA_F_NESTED);
		if (pm(r, m / 8)) {	/* a scalar where the nest goes */
			off = g->len;
			g_scalar(g, type & ~NLA_F_NESTED, rnd64(r), pick_len(r));
		} else {
			off = g_attr_begin(g, type);
			g_addr_inner(g, &aa, m);
			g_attr_end(g, off);
		}
		if (pm(r, m / 6))
			g_lie_len(g, off);
	}
	if (pm(r, m / 3))
		g_soup(g, 0, 1 + below(r, 3));
}

static uint32_t pick_group(struct rng *r)
{
	if (gt.ngroups && pm(r, 700))
		return gt.groups[below(r, gt.ngroups)].id;
	return pm(r, 600) ? below(r, 64) : rnd32(r);
}

static void g_groupget_body(struct gen *g, uint32_t id, unsigned int m)
{
	static const uint8_t sizes[] = { 0, 1, 2, 3, 5, 8 };
	struct rng *r = g->r;
	int n = 1, k;

	if (pm(r, m / 3))
		g_soup(g, 0, 1 + below(r, 3));
	if (pm(r, m / 4))
		n = 0;
	else if (pm(r, m / 3))
		n = 2 + below(r, 2);
	for (k = 0; k < n; k++) {
		uint16_t type = PCIPASS_A_GROUP_ID;
		size_t size = 4, off = g->len;

		if (pm(r, m / 4))
			type |= NLA_F_NESTED;
		if (pm(r, 100))
			type |= NLA_F_NET_BYTEORDER;
		if (pm(r, m / 4))
			size = sizes[below(r, sizeof(sizes))];
		if (pm(r, m / 8)) {	/* a nest where a scalar goes */
			off = g_attr_begin(g, type | NLA_F_NESTED);
			g_soup(g, 1, below(r, 3));
			g_attr_end(g, off);
		} else {
			g_scalar(g, type, k == n - 1 ? id : rnd32(r), size);
		}
		if (pm(r, m / 6))
			g_lie_len(g, off);
	}
	if (pm(r, m / 3))
		g_soup(g, 0, 1 + below(r, 3));
}

/* Hundreds of attributes, mostly of the valid type. */
static void g_many(struct gen *g, uint8_t cmd)
{
	struct rng *r = g->r;
	int n = 100 + below(r, 700), i;
	unsigned int bad = pm(r, 500) ? 0 : 5 + below(r, 30);

	for (i = 0; i < n && !g->full; i++) {
		if (pm(r, bad)) {
			g_one(g, 0);
		} else if (cmd == PCIPASS_CMD_DEVICE_GET) {
			struct pci_addr a;
			size_t off;

			g_random_addr(r, &a);
			off = g_attr_begin(g, PCIPASS_A_DEV_ADDR | NLA_F_NESTED);
			g_addr_inner(g, &a, 0);
			g_attr_end(g, off);
		} else {
			g_scalar(g, PCIPASS_A_GROUP_ID, pick_group(r), 4);
		}
	}
}

static uint16_t pick_flags(struct rng *r, bool dump)
{
	uint16_t f;

	if (dump) {
		f = NLM_F_REQUEST | NLM_F_DUMP;
		if (pm(r, 500))
			f |= NLM_F_ACK;
		if (pm(r, 50))
			f |= NLM_F_ECHO;
		if (pm(r, 50))
			f |= 1 << below(r, 16);
		return f;
	}
	switch (below(r, 100)) {
	case 0 ... 59:
		return NLM_F_REQUEST | NLM_F_ACK;
	case 60 ... 79:
		return NLM_F_REQUEST;
	case 80 ... 84:
		return NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO;
	case 85 ... 89:
		return NLM_F_REQUEST | NLM_F_ACK | 1 << below(r, 16);
	case 90 ... 94:
		return NLM_F_REQUEST | rnd32(r);
	default:
		return rnd32(r);
	}
}

static size_t g_msg_begin(struct gen *g, uint16_t type, uint16_t flags,
			  uint8_t cmd, size_t genl_bytes)
{
	struct rng *r = g->r;
	struct {
		struct nlmsghdr h;
		struct genlmsghdr gh;
	} m;
	size_t off = g->len;

	memset(&m, 0, sizeof(m));
	m.h.nlmsg_type = type;
	m.h.nlmsg_flags = flags;
	m.h.nlmsg_pid = pm(r, 900) ? 0 : rnd32(r);	/* ignored by the kernel */
	m.gh.cmd = cmd;
	m.gh.version = pm(r, 800) ? PCIPASS_FAMILY_VERSION : rnd32(r);
	m.gh.reserved = pm(r, 970) ? 0 : rnd32(r);
	g_raw(g, &m, NLMSG_HDRLEN + genl_bytes);
	return off;
}

static void g_msg_end(struct gen *g, size_t off)
{
	uint32_t l;

	if (off + NLMSG_HDRLEN > g->len)
		return;
	l = g->len - off;
	memcpy(g->buf + off, &l, sizeof(l));
	g_raw(g, NULL, NLMSG_ALIGN(g->len) - g->len);
}

/* Make the message at @off lie about its length. */
static void g_msg_lie(struct gen *g, size_t off)
{
	struct rng *r = g->r;
	uint32_t real, v;

	if (off + NLMSG_HDRLEN > g->len)
		return;
	memcpy(&real, g->buf + off, sizeof(real));
	switch (below(r, 6)) {
	case 0:
		v = below(r, NLMSG_HDRLEN);	/* shorter than nlmsghdr */
		break;
	case 1:
		v = NLMSG_HDRLEN + below(r, GENL_HDRLEN);
		break;
	case 2:			/* cuts into the attributes */
		v = real > 24 ? real - 1 - below(r, real - 24 < 64 ? real - 24 : 64) : real;
		break;
	case 3:
		v = real + 1 + below(r, 64);
		break;
	case 4:
		v = rnd32(r);
		break;
	default:
		v = real + 4 * (1 + below(r, 16));
		break;
	}
	memcpy(g->buf + off, &v, sizeof(v));
}

/* One message of a datagram. */
static void g_message(struct gen *g, uint16_t family)
{
	struct rng *r = g->r;
	uint32_t w = below(r, 1000);
	uint8_t cmd = below(r, 2) ? PCIPASS_CMD_DEVICE_GET : PCIPASS_CMD_GROUP_GET;
	struct pci_addr a;
	bool dump = false;
	uint16_t flags;
	size_t off;

	if (w >= 170 && w < 280 && g->have_dump)
		w = 0;			/* one intended dump per datagram */

	if (w < 170) {			/* valid do */
		flags = pick_flags(r, false);
		if (pm(r, 800))
			flags &= NLM_F_REQUEST | NLM_F_ACK;
		off = g_msg_begin(g, family, flags | NLM_F_REQUEST, cmd, GENL_HDRLEN);
		if (cmd == PCIPASS_CMD_DEVICE_GET) {
			g_random_addr(r, &a);
			g_devget_body(g, &a, 0);
		} else {
			g_groupget_body(g, pick_group(r), 0);
		}
	} else if (w < 260) {		/* valid dump */
		dump = true;
		off = g_msg_begin(g, family, pick_flags(r, true), cmd, GENL_HDRLEN);
	} else if (w < 280) {		/* dump with attributes */
		dump = true;
		off = g_msg_begin(g, family, pick_flags(r, true), cmd, GENL_HDRLEN);
		if (pm(r, 500)) {
			if (cmd == PCIPASS_CMD_DEVICE_GET) {
				g_random_addr(r, &a);
				g_devget_body(g, &a, below(r, 400));
			} else {
				g_groupget_body(g, pick_group(r), below(r, 400));
			}
		} else {
			g_soup(g, 0, 1 + below(r, 4));
		}
	} else if (w < 360) {		/* unknown command */
		cmd = below(r, 4) ? 3 + below(r, 253) : 0;
		off = g_msg_begin(g, family, pick_flags(r, pm(r, 100)), cmd, GENL_HDRLEN);
		if (pm(r, 500))
			g_soup(g, 0, below(r, 6));
		else
			g_devget_body(g, &(struct pci_addr){ 0 }, below(r, 300));
	} else if (w < 680) {		/* a valid request, mutated */
		off = g_msg_begin(g, family, pick_flags(r, false), cmd, GENL_HDRLEN);
		if (cmd == PCIPASS_CMD_DEVICE_GET) {
			g_random_addr(r, &a);
			g_devget_body(g, &a, 100 + below(r, 500));
		} else {
			g_groupget_body(g, pick_group(r), 100 + below(r, 500));
		}
	} else if (w < 830) {		/* attribute soup */
		off = g_msg_begin(g, family, pick_flags(r, false), cmd, GENL_HDRLEN);
		g_soup(g, 0, pm(r, 100) ? 0 : 1 + below(r, 8));
	} else if (w < 870) {		/* hundreds of attributes */
		off = g_msg_begin(g, family, pick_flags(r, false), cmd, GENL_HDRLEN);
		g_many(g, cmd);
	} else if (w < 900) {		/* deep nesting */
		size_t stack[64];
		int d = 2 + below(r, 60), i;

		off = g_msg_begin(g, family, pick_flags(r, false), cmd, GENL_HDRLEN);
		for (i = 0; i < d; i++)
			stack[i] = g_attr_begin(g, (i ? soup_type(r, 3) : 1) |
						(pm(r, 950) ? NLA_F_NESTED : 0));
		while (i--)
			g_attr_end(g, stack[i]);
	} else if (w < 930) {		/* not a request, or a control message */
		flags = pick_flags(r, false);
		if (pm(r, 500))
			flags &= ~NLM_F_REQUEST;
		off = g_msg_begin(g, pm(r, 500) ? family : below(r, NLMSG_MIN_TYPE),
				  flags, cmd, GENL_HDRLEN);
		if (pm(r, 500))
			g_devget_body(g, &gt.sd[0].addr, 0);
	} else if (w < 960) {		/* truncated genl header */
		off = g_msg_begin(g, family, pick_flags(r, false), cmd, below(r, GENL_HDRLEN));
	} else {			/* random flags and header fields */
		flags = rnd32(r);
		dump = (flags & NLM_F_DUMP) == NLM_F_DUMP;
		if (dump && g->have_dump)
			flags &= ~NLM_F_ROOT;
		off = g_msg_begin(g, family, flags, pm(r, 500) ? cmd : rnd32(r), GENL_HDRLEN);
		if (pm(r, 500))
			g_devget_body(g, &gt.sd[0].addr, below(r, 300));
	}
	g_msg_end(g, off);
	if (dump)
		g->have_dump = true;
	if (pm(r, 40))
		g_msg_lie(g, off);
}

/* A whole datagram; returns its length. */
static size_t g_datagram(struct gen *g, uint16_t family)
{
	struct rng *r = g->r;
	int n = 1, i;

	if (pm(r, 30)) {		/* shorter than a netlink header */
		g_rand(g, below(r, NLMSG_HDRLEN), 3);
		return g->len;
	}
	if (pm(r, 60))
		n = 2 + below(r, 3);
	for (i = 0; i < n && !g->full; i++)
		g_message(g, family);
	if (pm(r, 30))			/* a tail too short to be a message */
		g_rand(g, 1 + below(r, NLMSG_HDRLEN - 1), 3);
	else if (pm(r, 20))		/* ... or long enough to be parsed */
		g_rand(g, NLMSG_HDRLEN + below(r, 64), 3);
	return g->len;
}

/* ------------------------------------------------------------------ */
/* Netlink: predicting the kernel's answer.                            */

enum ex_kind { EX_SILENT, EX_ACK0, EX_DO, EX_DUMP };

#define WANT_POLICY	(-1)	/* attribute validation: EINVAL or ERANGE */

struct nlexp {
	uint32_t seq;
	uint32_t off, len;	/* the message in the datagram */
	uint16_t flags;
	uint8_t kind, cmd;
	int want;		/* 0: success, errno, or WANT_POLICY */
	bool allow_busy;	/* -EBUSY is fine too */
	int dev, grp;		/* do: the device / group the reply is about */
	struct pci_addr addr;
	/* extended ACK the error must carry (on NETLINK_EXT_ACK sockets) */
	uint32_t offs;		/* NLMSGERR_ATTR_OFFS: the attribute used */
	uint32_t miss_type;	/* NLMSGERR_ATTR_MISS_TYPE, 0: none allowed */
	uint32_t miss_nest;	/* NLMSGERR_ATTR_MISS_NEST, 0: none allowed */
	/* progress */
	bool done;
	int ndata;
	bool intr;
	int batches, last_batch;	/* dump: recv() calls that brought parts */
	uint8_t *seen;		/* dump: devices or group members seen */
};

enum { P_NONE, P_U8, P_U32, P_NEST_ADDR };

static const uint8_t pol_addr[PCIPASS_A_ADDR_MAX + 1] = {
	[PCIPASS_A_ADDR_DOMAIN] = P_U32,
	[PCIPASS_A_ADDR_BUS] = P_U8,
	[PCIPASS_A_ADDR_DEVFN] = P_U8,
};

static const uint8_t pol_dev[2] = { [PCIPASS_A_DEV_ADDR] = P_NEST_ADDR };
static const uint8_t pol_group[2] = { [PCIPASS_A_GROUP_ID] = P_U32 };

/*
 * What __nla_validate_parse() does with NL_VALIDATE_STRICT and the
 * generated policies: 0 when valid (then tb[] holds the last attribute of
 * each type), -1 when the kernel must reject the attributes.
 */
static int v_parse(const uint8_t *head, int len, int maxtype,
		   const uint8_t *pol, const uint8_t **tb)
{
	const uint8_t *p = head;
	int rem = len;

	if (tb)
		memset(tb, 0, sizeof(*tb) * (maxtype + 1));
	while (rem >= NLA_HDRLEN) {
		uint16_t nlen, ntype;
		int t, alen;

		memcpy(&nlen, p, 2);
		memcpy(&ntype, p + 2, 2);
		if (nlen < NLA_HDRLEN || nlen > rem)
			break;
		t = ntype & NLA_TYPE_MASK;
		if (t == 0 || t > maxtype)
			return -1;	/* unknown attribute type */
		alen = nlen - NLA_HDRLEN;
		switch (pol[t]) {
		case P_U8:
		case P_U32:
			if (alen != (pol[t] == P_U8 ? 1 : 4))
				return -1;	/* invalid attribute length */
			if (ntype & NLA_F_NESTED)
				return -1;	/* NLA_F_NESTED not expected */
			break;
		case P_NEST_ADDR:
			if (!(ntype & NLA_F_NESTED))
				return -1;	/* NLA_F_NESTED is missing */
			if (alen == 0)
				break;		/* an empty nest is valid */
			if (alen < NLA_HDRLEN)
				return -1;
			if (v_parse(p + NLA_HDRLEN, alen, PCIPASS_A_ADDR_MAX,
				    pol_addr, NULL))
				return -1;
			break;
		default:
			return -1;
		}
		if (tb)
			tb[t] = p;
		rem -= NLA_ALIGN(nlen);
		p += NLA_ALIGN(nlen);
	}
	if (rem > 0)
		return -1;		/* bytes leftover after parsing */
	return 0;
}

static uint16_t nla_len_at(const uint8_t *nla)
{
	uint16_t l;

	memcpy(&l, nla, sizeof(l));
	return l;
}

static void model_pcipass(const uint8_t *msg, uint32_t len, struct nlexp *e,
			  bool *dump_started)
{
	const struct nlmsghdr *h = (const void *)msg;
	const struct genlmsghdr *gh = (const void *)(msg + NLMSG_HDRLEN);
	uint16_t f = h->nlmsg_flags;
	const uint8_t *tb[2], *itb[PCIPASS_A_ADDR_MAX + 1];
	bool dump = (f & NLM_F_DUMP) == NLM_F_DUMP;
	int bad, t;

	e->kind = EX_DO;
	if (len < NLMSG_LENGTH(GENL_HDRLEN)) {
		e->want = EINVAL;
		return;
	}
	/* genl_header_check(): reserved byte, flags the core can't enforce */
	if (dump)
		f &= ~NLM_F_DUMP;
	if (gh->reserved || (f & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO))) {
		e->want = EINVAL;
		return;
	}
	e->cmd = gh->cmd;
	if (gh->cmd != PCIPASS_CMD_DEVICE_GET && gh->cmd != PCIPASS_CMD_GROUP_GET) {
		e->want = EOPNOTSUPP;
		return;
	}
	bad = v_parse(msg + NLMSG_LENGTH(GENL_HDRLEN), len - NLMSG_LENGTH(GENL_HDRLEN),
		      1, gh->cmd == PCIPASS_CMD_DEVICE_GET ? pol_dev : pol_group, tb);
	if (dump) {
		e->kind = EX_DUMP;
		e->want = bad ? WANT_POLICY : 0;
		if (!bad) {
			/* a second dump while the first still runs: -EBUSY */
			e->allow_busy = *dump_started ||
					gh->cmd == PCIPASS_CMD_DEVICE_GET;
			*dump_started = true;
		}
		return;
	}
	if (bad) {
		e->want = WANT_POLICY;
		return;
	}
	if (!tb[1]) {
		e->want = EINVAL;	/* missing device address / group id */
		e->miss_type = 1;
		return;
	}
	/* ENODEV / ENOENT point at the attribute the module used: the last */
	e->offs = tb[1] - msg;
	if (gh->cmd == PCIPASS_CMD_GROUP_GET) {
		uint32_t id;

		memcpy(&id, tb[1] + NLA_HDRLEN, 4);
		e->grp = gt_group(id);
		e->want = e->grp < 0 ? ENOENT : 0;
		return;
	}
	v_parse(tb[1] + NLA_HDRLEN, nla_len_at(tb[1]) - NLA_HDRLEN,
		PCIPASS_A_ADDR_MAX, pol_addr, itb);
	for (t = PCIPASS_A_ADDR_DOMAIN; t <= PCIPASS_A_ADDR_DEVFN; t++)
		if (!itb[t]) {
			e->want = EINVAL;
			e->offs = 0;
			e->miss_type = t;	/* the first one missing */
			e->miss_nest = tb[1] - msg;
			return;
		}
	memcpy(&e->addr.domain, itb[PCIPASS_A_ADDR_DOMAIN] + NLA_HDRLEN, 4);
	e->addr.bus = itb[PCIPASS_A_ADDR_BUS][NLA_HDRLEN];
	e->addr.devfn = itb[PCIPASS_A_ADDR_DEVFN][NLA_HDRLEN];
	e->dev = gt_find(&e->addr);
	e->want = e->dev < 0 ? ENODEV : 0;
	e->allow_busy = e->dev >= 0;	/* device_lock held by a probe */
}

/*
 * Walk the datagram as netlink_rcv_skb() does.  Messages of any other
 * family are turned into ours (the fuzzer talks to pcipass only), every
 * message gets its own sequence number.  Returns the new length of the
 * datagram (cut after MAX_EXP messages) and fills ex[] and *nexp.
 */
static size_t nl_model(uint8_t *dg, size_t dglen, uint16_t family,
		       uint32_t *seq, struct nlexp *ex, int *nexp)
{
	bool dump_started = false;
	size_t off = 0;
	int n = 0;

	while (dglen - off >= NLMSG_HDRLEN) {
		struct nlmsghdr *h = (struct nlmsghdr *)(dg + off);
		struct nlexp *e;
		size_t ml;

		if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > dglen - off)
			break;
		if (n == MAX_EXP) {
			dglen = off;
			break;
		}
		if (h->nlmsg_type >= NLMSG_MIN_TYPE && h->nlmsg_type != family)
			h->nlmsg_type = family;
		h->nlmsg_seq = ++*seq;
		e = &ex[n++];
		memset(e, 0, sizeof(*e));
		e->seq = h->nlmsg_seq;
		e->off = off;
		e->len = h->nlmsg_len;
		e->flags = h->nlmsg_flags;
		e->dev = -1;
		e->grp = -1;
		if (!(h->nlmsg_flags & NLM_F_REQUEST) ||
		    h->nlmsg_type < NLMSG_MIN_TYPE)
			e->kind = h->nlmsg_flags & NLM_F_ACK ? EX_ACK0 : EX_SILENT;
		else
			model_pcipass(dg + off, h->nlmsg_len, e, &dump_started);
		if (e->kind == EX_SILENT)
			e->done = true;
		ml = NLMSG_ALIGN(h->nlmsg_len);
		off += ml > dglen - off ? dglen - off : ml;
	}
	*nexp = n;
	return dglen;
}

static const char *want_str(const struct nlexp *e)
{
	static char buf[64];

	if (e->kind == EX_SILENT)
		return "no answer";
	if (e->kind == EX_ACK0)
		return "an ACK";
	if (e->want == WANT_POLICY)
		return "EINVAL or ERANGE (policy)";
	if (e->want) {
		snprintf(buf, sizeof(buf), "%s", errname(e->want));
		return buf;
	}
	return e->kind == EX_DUMP ? "a dump" : "a reply";
}

/* ------------------------------------------------------------------ */
/* Netlink: reading and checking the answers.                          */

struct nlsock {
	int fd;
	uint32_t portid;
	bool ext_ack, cap_ack;
	bool exact;		/* read each datagram with a buffer of its size */
};

#define NSOCKS 4

struct nlrun {
	struct fz c;
	uint16_t family;
	struct nlsock socks[NSOCKS];
	uint8_t *dg;
	uint8_t *rx;
	uint32_t seq;
	struct nlexp ex[MAX_EXP];
	int nexp;
};

static int nls_open(struct nlsock *s, bool ext_ack, bool cap_ack, bool exact)
{
	struct timeval tv = { .tv_sec = RCV_TIMEOUT_S };
	int on = ext_ack, cap = cap_ack;
	struct nl_sock ns;
	int ret;

	ret = nl_open(&ns, 0);
	if (ret)
		return ret;
	s->fd = ns.fd;
	s->portid = ns.portid;
	s->ext_ack = ext_ack;
	s->cap_ack = cap_ack;
	s->exact = exact;
	if (setsockopt(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, &on, sizeof(on)) ||
	    setsockopt(s->fd, SOL_NETLINK, NETLINK_CAP_ACK, &cap, sizeof(cap)) ||
	    setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		ret = -errno;
		close(s->fd);
		s->fd = -1;
		return ret;
	}
	return 0;
}

/*
 * Socket 3 never offers the kernel a big receive buffer, so dumps come in
 * the smallest parts the kernel makes and resume more often.
 */
static const bool sock_opts[NSOCKS][3] = {
	/* EXT_ACK, CAP_ACK, exact reads */
	{ true, true, false }, { true, false, false }, { false, false, false },
	{ true, true, true },
};

static int nlrun_reopen(struct nlrun *n, int i)
{
	if (n->socks[i].fd >= 0)
		close(n->socks[i].fd);
	n->socks[i].fd = -1;
	return nls_open(&n->socks[i], sock_opts[i][0], sock_opts[i][1], sock_opts[i][2]);
}

static int nlrun_open(struct nlrun *n)
{
	int i, ret;

	for (i = 0; i < NSOCKS; i++) {
		ret = nlrun_reopen(n, i);
		if (ret)
			return ret;
	}
	return 0;
}

struct tlvs {
	bool offs, miss_type, miss_nest;
	uint32_t v_offs, v_miss_type, v_miss_nest;
};

static int check_tlvs(struct nlrun *n, const uint8_t *p, int len,
		      const struct nlexp *e, struct tlvs *got)
{
	int rem = len;

	memset(got, 0, sizeof(*got));
	while (rem >= NLA_HDRLEN) {
		struct nlattr a;
		const uint8_t *d = p + NLA_HDRLEN;
		uint32_t v = 0;
		int pl;

		memcpy(&a, p, sizeof(a));
		if (a.nla_len < NLA_HDRLEN || a.nla_len > rem)
			break;
		pl = a.nla_len - NLA_HDRLEN;
		if (pl == 4)
			memcpy(&v, d, 4);
		switch (a.nla_type & NLA_TYPE_MASK) {
		case NLMSGERR_ATTR_MSG:
			if (pl < 1 || d[pl - 1] || (int)strlen((const char *)d) != pl - 1) {
				why_set(&n->c, "extack message is not one NUL-terminated string");
				return -1;
			}
			break;
		case NLMSGERR_ATTR_OFFS:
		case NLMSGERR_ATTR_MISS_NEST:
			if (pl != 4 || v < NLMSG_LENGTH(GENL_HDRLEN) ||
			    v + NLA_HDRLEN > e->len) {
				why_set(&n->c,
					"extack %s %u outside the request's attributes (length %u)",
					(a.nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_OFFS ?
					"offset" : "missing nest", v, e->len);
				return -1;
			}
			if ((a.nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_OFFS) {
				got->offs = true;
				got->v_offs = v;
			} else {
				got->miss_nest = true;
				got->v_miss_nest = v;
			}
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			if (pl != 4 || v < 1 || v > PCIPASS_A_ADDR_MAX) {
				why_set(&n->c, "extack missing type %u (length %d)", v, pl);
				return -1;
			}
			got->miss_type = true;
			got->v_miss_type = v;
			break;
		default:
			break;		/* POLICY and others: framing only */
		}
		rem -= NLA_ALIGN(a.nla_len);
		p += NLA_ALIGN(a.nla_len);
	}
	if (rem) {
		why_set(&n->c, "%d stray bytes after the extack TLVs", rem);
		return -1;
	}
	return 0;
}

/* The module's own errors say which attribute is wrong or missing. */
static int extack_mismatch(struct nlrun *n, const struct nlexp *e,
			   const struct tlvs *got)
{
	if (e->offs && (!got->offs || got->v_offs != e->offs)) {
		why_set(&n->c, "extack offset %s%u, want %u (the attribute used)",
			got->offs ? "" : "missing ", got->v_offs, e->offs);
		return -1;
	}
	if (got->miss_type != !!e->miss_type ||
	    (e->miss_type && got->v_miss_type != e->miss_type)) {
		why_set(&n->c, "extack missing type %s%u, want %u",
			got->miss_type ? "" : "absent ", got->v_miss_type, e->miss_type);
		return -1;
	}
	if (got->miss_nest != !!e->miss_nest ||
	    (e->miss_nest && got->v_miss_nest != e->miss_nest)) {
		why_set(&n->c, "extack missing nest %s%u, want %u",
			got->miss_nest ? "" : "absent ", got->v_miss_nest, e->miss_nest);
		return -1;
	}
	return 0;
}

static bool errno_ok(const struct nlexp *e, int err)
{
	if (err == EBUSY && e->allow_busy)
		return true;
	if (e->want == WANT_POLICY)
		return err == EINVAL || err == ERANGE;
	return e->want && err == e->want;
}

static int on_error(struct nlrun *n, struct nlsock *s, const struct nlmsghdr *nlh,
		    struct nlexp *e)
{
	const struct nlmsgerr *err = NLMSG_DATA(nlh);
	const uint8_t *req = n->dg + e->off;
	bool capped = nlh->nlmsg_flags & NLM_F_CAPPED;
	struct tlvs got = { 0 };
	size_t tlv_off, min_len;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*err))) {
		why_set(&n->c, "NLMSG_ERROR of %u bytes", nlh->nlmsg_len);
		return -1;
	}
	if (nlh->nlmsg_flags & ~(NLM_F_CAPPED | NLM_F_ACK_TLVS)) {
		why_set(&n->c, "NLMSG_ERROR flags %#x", nlh->nlmsg_flags);
		return -1;
	}
	if (err->error > 0 || err->error <= -4096) {
		why_set(&n->c, "NLMSG_ERROR with error %d", err->error);
		return -1;
	}
	if (memcmp(&err->msg, req, sizeof(err->msg))) {
		why_set(&n->c,
			"NLMSG_ERROR does not echo the request header (len %u type %u flags %#x seq %u)",
			err->msg.nlmsg_len, err->msg.nlmsg_type,
			err->msg.nlmsg_flags, err->msg.nlmsg_seq);
		return -1;
	}
	if (capped != (!err->error || s->cap_ack)) {
		why_set(&n->c, "NLMSG_ERROR %scapped (error %d, socket %s NETLINK_CAP_ACK)",
			capped ? "" : "not ", err->error, s->cap_ack ? "with" : "without");
		return -1;
	}
	if (capped) {
		tlv_off = NLMSG_ALIGN(sizeof(*err));
	} else {
		tlv_off = NLMSG_ALIGN(sizeof(err->error) + e->len);
		if (nlh->nlmsg_len < NLMSG_LENGTH(tlv_off) ||
		    memcmp((const uint8_t *)&err->msg + NLMSG_HDRLEN,
			   req + NLMSG_HDRLEN, e->len - NLMSG_HDRLEN)) {
			why_set(&n->c, "NLMSG_ERROR does not echo the request");
			return -1;
		}
	}
	min_len = NLMSG_LENGTH(tlv_off);
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (!s->ext_ack) {
			why_set(&n->c, "extack TLVs on a socket without NETLINK_EXT_ACK");
			return -1;
		}
		if (nlh->nlmsg_len < min_len) {
			why_set(&n->c, "NLMSG_ERROR of %u bytes, TLVs at %zu",
				nlh->nlmsg_len, min_len);
			return -1;
		}
		if (check_tlvs(n, (const uint8_t *)NLMSG_DATA(nlh) + tlv_off,
			       nlh->nlmsg_len - min_len, e, &got))
			return -1;
	} else if (nlh->nlmsg_len != min_len) {
		why_set(&n->c, "NLMSG_ERROR of %u bytes, want %zu", nlh->nlmsg_len, min_len);
		return -1;
	}

	if (!err->error) {
		n->c.stats->acks++;
		if (e->kind == EX_ACK0 ||
		    (e->kind == EX_DO && !e->want && e->ndata == 1 &&
		     (e->flags & NLM_F_ACK))) {
			e->done = true;
			return 0;
		}
		why_set(&n->c, "ACK, want %s%s", want_str(e),
			e->kind == EX_DO && !e->want ? " before the ACK" : "");
		return -1;
	}
	count_errno(&n->c, -err->error);
	if (e->ndata || !errno_ok(e, -err->error) ||
	    (e->kind != EX_DO && e->kind != EX_DUMP)) {
		why_set(&n->c, "error %s, want %s%s", errname(-err->error), want_str(e),
			e->ndata ? " (after a reply)" : "");
		return -1;
	}
	if (s->ext_ack && err->error != -EBUSY && extack_mismatch(n, e, &got))
		return -1;
	e->done = true;
	return 0;
}

static int check_dev_msg(struct nlrun *n, const struct nlmsghdr *nlh,
			 struct nlexp *e, bool dump)
{
	char why[1024] = "";
	struct pp_dev d;
	int idx;

	if (pp_parse_dev(nlh, &d, why, sizeof(why))) {
		why_set(&n->c, "device reply: %s", why);
		return -1;
	}
	if (!PP_HAS(&d, PCIPASS_A_DEV_ADDR)) {
		why_set(&n->c, "device reply without an address");
		return -1;
	}
	idx = gt_find(&d.addr);
	if (!dump && (idx != e->dev || pci_addr_cmp(&d.addr, &e->addr))) {
		char a[32], b[32];

		pci_addr_fmt(&d.addr, a, sizeof(a));
		pci_addr_fmt(&e->addr, b, sizeof(b));
		why_set(&n->c, "reply about %s, asked for %s", a, b);
		return -1;
	}
	if (idx < 0) {
		char a[32];

		pci_addr_fmt(&d.addr, a, sizeof(a));
		why_set(&n->c, "reply about %s, not in sysfs", a);
		return -1;
	}
	if (dump) {
		if (e->seen[idx]) {
			why_set(&n->c, "dump reports %s twice", gt.names[idx]);
			return -1;
		}
		e->seen[idx] = 1;
	}
	if (pp_cmp_nl(&gt.sd[idx], &d, n->c.priv, why, sizeof(why))) {
		why_set(&n->c, "%s: %s", gt.names[idx], why);
		return -1;
	}
	return 0;
}

static uint8_t *group_seen(struct nlexp *e, int g)
{
	int i, off = 0;

	for (i = 0; i < g; i++)
		off += gt.groups[i].nmembers;
	return e->seen + off;
}

static int check_group_msg(struct nlrun *n, const struct nlmsghdr *nlh,
			   struct nlexp *e, bool dump)
{
	static struct pp_group pg;
	char why[1024] = "";
	uint8_t *seen, local[256];
	int g, i;

	if (pp_parse_group(nlh, &pg, why, sizeof(why))) {
		why_set(&n->c, "group reply: %s", why);
		return -1;
	}
	g = gt_group(pg.id);
	if (g < 0 || (!dump && g != e->grp)) {
		why_set(&n->c, "reply about group %u, %s", pg.id,
			g < 0 ? "not in sysfs" : "not the one asked for");
		return -1;
	}
	if (dump) {
		seen = group_seen(e, g);
	} else {
		memset(local, 0, sizeof(local));
		seen = local;
		if (pg.nmembers != gt.groups[g].nmembers) {
			why_set(&n->c, "group %u: %d members, sysfs %d", pg.id,
				pg.nmembers, gt.groups[g].nmembers);
			return -1;
		}
	}
	for (i = 0; i < pg.nmembers; i++) {
		int m = gt_member(g, &pg.members[i]);
		char a[32];

		pci_addr_fmt(&pg.members[i], a, sizeof(a));
		if (m < 0 || seen[m]) {
			why_set(&n->c, "group %u: member %s %s", pg.id, a,
				m < 0 ? "not in sysfs" : "twice");
			return -1;
		}
		seen[m] = 1;
	}
	return 0;
}

static int on_data(struct nlrun *n, const struct nlmsghdr *nlh, struct nlexp *e,
		   int batch)
{
	bool multi = nlh->nlmsg_flags & NLM_F_MULTI;

	if (nlh->nlmsg_flags & ~(NLM_F_MULTI | NLM_F_DUMP_INTR)) {
		why_set(&n->c, "reply flags %#x", nlh->nlmsg_flags);
		return -1;
	}
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		e->intr = true;
	if (e->kind == EX_DUMP && !e->want) {
		if (!multi) {
			why_set(&n->c, "dump message without NLM_F_MULTI");
			return -1;
		}
		e->ndata++;
		if (e->last_batch != batch)
			e->batches++;
		e->last_batch = batch;
		return e->cmd == PCIPASS_CMD_DEVICE_GET ?
		       check_dev_msg(n, nlh, e, true) :
		       check_group_msg(n, nlh, e, true);
	}
	if (e->kind != EX_DO || e->want || e->ndata) {
		why_set(&n->c, "a reply, want %s%s", want_str(e),
			e->ndata ? " (second reply)" : "");
		return -1;
	}
	if (multi) {
		why_set(&n->c, "do reply with NLM_F_MULTI");
		return -1;
	}
	e->ndata++;
	if (!(e->flags & NLM_F_ACK))
		e->done = true;
	n->c.stats->replies++;
	return e->cmd == PCIPASS_CMD_DEVICE_GET ? check_dev_msg(n, nlh, e, false) :
	       check_group_msg(n, nlh, e, false);
}

static int on_done(struct nlrun *n, struct nlsock *s, const struct nlmsghdr *nlh,
		   struct nlexp *e)
{
	int err = 0, i, g;

	if (e->kind != EX_DUMP || e->want) {
		why_set(&n->c, "NLMSG_DONE, want %s", want_str(e));
		return -1;
	}
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(int)) ||
	    !(nlh->nlmsg_flags & NLM_F_MULTI) ||
	    (nlh->nlmsg_flags & ~(NLM_F_MULTI | NLM_F_DUMP_INTR | NLM_F_ACK_TLVS))) {
		why_set(&n->c, "NLMSG_DONE of %u bytes, flags %#x", nlh->nlmsg_len,
			nlh->nlmsg_flags);
		return -1;
	}
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		e->intr = true;
	memcpy(&err, NLMSG_DATA(nlh), sizeof(err));
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (!s->ext_ack) {
			why_set(&n->c, "extack TLVs on a socket without NETLINK_EXT_ACK");
			return -1;
		}
		struct tlvs got;

		if (check_tlvs(n, (const uint8_t *)NLMSG_DATA(nlh) + NLMSG_ALIGN(sizeof(int)),
			       nlh->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(int))),
			       e, &got))
			return -1;
	} else if (nlh->nlmsg_len != NLMSG_LENGTH(sizeof(int))) {
		why_set(&n->c, "NLMSG_DONE of %u bytes", nlh->nlmsg_len);
		return -1;
	}
	e->done = true;
	if (err) {
		count_errno(&n->c, -err);
		if (err == -EBUSY && e->cmd == PCIPASS_CMD_DEVICE_GET)
			return 0;
		why_set(&n->c, "dump ended with %s", err < 0 ? errname(-err) : "a positive error");
		return -1;
	}
	n->c.stats->dumps++;
	n->c.stats->replies++;
	if (e->batches > 1)
		n->c.stats->split_dumps++;
	if (e->intr)
		return 0;	/* devices came or went: the set may differ */
	if (e->cmd == PCIPASS_CMD_DEVICE_GET) {
		for (i = 0; i < gt.n; i++)
			if (!e->seen[i]) {
				why_set(&n->c, "dump misses %s", gt.names[i]);
				return -1;
			}
		return 0;
	}
	for (g = 0; g < gt.ngroups; g++) {
		uint8_t *seen = group_seen(e, g);

		for (i = 0; i < gt.groups[g].nmembers; i++)
			if (!seen[i]) {
				why_set(&n->c, "group dump misses a member of group %u",
					gt.groups[g].id);
				return -1;
			}
	}
	return 0;
}

static struct nlexp *find_exp(struct nlrun *n, uint32_t seq)
{
	int i;

	for (i = 0; i < n->nexp; i++)
		if (n->ex[i].seq == seq)
			return &n->ex[i];
	return NULL;
}

/* Send the datagram and read every answer; 0, or -1 with c.why set. */
static int nl_exchange(struct nlrun *n, struct nlsock *s, size_t len)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	int i, pending = 0, batch = 0;
	ssize_t r;

	for (i = 0; i < n->nexp; i++) {
		struct nlexp *e = &n->ex[i];

		n->c.stats->msgs++;
		if (e->kind == EX_SILENT)
			n->c.stats->silent++;
		else
			pending++;
	}
	r = sendto(s->fd, n->dg, len, 0, (struct sockaddr *)&kernel, sizeof(kernel));
	if (!len && r < 0 && errno == ENODATA)
		return 0;	/* 6.12 refuses empty datagrams; older ignore them */
	if (r != (ssize_t)len) {
		why_set(&n->c, "sendto: %s", r < 0 ? strerror(errno) : "short");
		return -1;
	}
	while (pending) {
		struct sockaddr_nl from;
		struct iovec iov = { n->rx, RX_MAX };
		struct msghdr mh = {
			.msg_name = &from, .msg_namelen = sizeof(from),
			.msg_iov = &iov, .msg_iovlen = 1,
		};
		struct nlmsghdr *nlh;
		int left;

		if (s->exact) {
			struct msghdr peek = { 0 };

			r = recvmsg(s->fd, &peek, MSG_PEEK | MSG_TRUNC);
			if (r > RX_MAX) {
				why_set(&n->c, "a datagram of %zd bytes", r);
				return -1;
			}
			if (r >= 0)
				iov.iov_len = r;
		}
		if (!s->exact || r >= 0)
			r = recvmsg(s->fd, &mh, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			for (i = 0; i < n->nexp && n->ex[i].done; i++)
				;
			why_set(&n->c, "%s waiting for %s to message %d of %d (seq %u)%s",
				errno == EAGAIN ? "no answer in 2 s" : strerror(errno),
				want_str(&n->ex[i]), i + 1, n->nexp, n->ex[i].seq,
				errno == EAGAIN ? ": the module hung?" : "");
			return -1;
		}
		if (mh.msg_flags & MSG_TRUNC) {
			why_set(&n->c, "answer truncated (%zd bytes)", r);
			return -1;
		}
		if (from.nl_pid) {
			why_set(&n->c, "datagram from port %u", from.nl_pid);
			return -1;
		}
		left = r;
		batch++;
		for (nlh = (struct nlmsghdr *)n->rx; NLMSG_OK(nlh, left);
		     nlh = NLMSG_NEXT(nlh, left)) {
			struct nlexp *e = find_exp(n, nlh->nlmsg_seq);
			int ret;

			if (nlh->nlmsg_pid != s->portid || !e || e->done) {
				why_set(&n->c, "message type %u flags %#x for port %u seq %u: %s",
					nlh->nlmsg_type, nlh->nlmsg_flags,
					nlh->nlmsg_pid, nlh->nlmsg_seq,
					nlh->nlmsg_pid != s->portid ? "not our port" :
					!e ? "no such request" :
					e->kind == EX_SILENT ? "want no answer" :
					"request already answered");
				return -1;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				ret = on_error(n, s, nlh, e);
			} else if (nlh->nlmsg_type == NLMSG_DONE) {
				ret = on_done(n, s, nlh, e);
			} else if (nlh->nlmsg_type == n->family) {
				ret = on_data(n, nlh, e, batch);
			} else {
				why_set(&n->c, "message of type %u", nlh->nlmsg_type);
				ret = -1;
			}
			if (ret)
				return -1;
			if (e->done)
				pending--;
		}
		if (left) {
			why_set(&n->c, "%d bytes of garbage after the messages", left);
			return -1;
		}
	}
	/* Nothing else: do answers are queued before sendto() returns. */
	r = recv(s->fd, n->rx, RX_MAX, MSG_DONTWAIT);
	if (r >= 0 || errno != EAGAIN) {
		why_set(&n->c, "answer after the last expected one (%zd bytes%s%s)", r,
			r < 0 ? ", " : "", r < 0 ? strerror(errno) : "");
		return -1;
	}
	return 0;
}

static void nlrun_free_exp(struct nlrun *n)
{
	int i;

	for (i = 0; i < n->nexp; i++) {
		free(n->ex[i].seen);
		n->ex[i].seen = NULL;
	}
	n->nexp = 0;
}

static int total_members(void)
{
	int g, t = 0;

	for (g = 0; g < gt.ngroups; g++)
		t += gt.groups[g].nmembers;
	return t;
}

static void nl_stream(struct __test_metadata *_metadata, int st, bool priv)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	uint64_t count = stream_count(st), i;
	struct genl_family_info fi;
	struct nl_sock ns;
	struct nlrun *n;
	bool abandon;
	double t0;
	int ret, j, k;

	n = calloc(1, sizeof(*n));
	ASSERT_NE(NULL, n);
	n->c.st = st;
	n->c.priv = priv;
	n->c.stats = &shared[st];
	n->dg = aligned_alloc(8, DG_MAX);
	n->rx = aligned_alloc(8, RX_MAX);
	ASSERT_NE(NULL, n->dg);
	ASSERT_NE(NULL, n->rx);
	for (j = 0; j < NSOCKS; j++)
		n->socks[j].fd = -1;
	ASSERT_EQ(0, nl_open(&ns, 0));
	ret = genl_resolve(&ns, PCIPASS_FAMILY_NAME, &fi);
	nl_close(&ns);
	ASSERT_EQ(0, ret) TH_LOG("resolving %s: %s", PCIPASS_FAMILY_NAME, strerror(-ret));
	n->family = fi.id;
	ret = nlrun_open(n);
	ASSERT_EQ(0, ret) TH_LOG("netlink socket: %s", strerror(-ret));

	diag("seed=0x%016" PRIx64 " stream=%s requests=%" PRIu64 " first=%" PRIu64
	     " uid=%d family=%u", cfg.seed, st_name[st], count, cfg.first, geteuid(),
	     n->family);
	n->c.stats->ran = true;
	t0 = now_s();
	for (i = cfg.first; i < count && n->c.stats->failures < MAX_FAILURES; i++) {
		struct gen g = { .buf = n->dg, .cap = DG_MAX };
		struct rng r;
		struct nlsock *s;
		size_t len;

		n->c.idx = i;
		req_rng(&r, st, i);
		g.r = &r;
		len = g_datagram(&g, n->family);
		k = below(&r, NSOCKS);
		if (!n->socks[k].cap_ack && len > NOCAP_MAX)
			k = 0;			/* full echoes would flood the queue */
		s = &n->socks[k];
		abandon = pm(&r, 20);
		len = nl_model(n->dg, len, n->family, &n->seq, n->ex, &n->nexp);
		for (j = 0; j < n->nexp; j++) {
			struct nlexp *e = &n->ex[j];

			if (e->kind == EX_DUMP && !e->want) {
				e->seen = calloc(1, gt.n + total_members() + 1);
				ASSERT_NE(NULL, e->seen);
				if (abandon) {
					/* close the socket in the middle of a dump */
					n->c.stats->sent++;
					n->c.stats->abandoned++;
					sendto(s->fd, n->dg, len, 0,
					       (struct sockaddr *)&kernel, sizeof(kernel));
					ASSERT_EQ(0, nlrun_reopen(n, k));
					goto next;
				}
			}
		}
		n->c.stats->sent++;
		if (nl_exchange(n, s, len)) {
			fz_report(&n->c);
			diag("socket %d (EXT_ACK %d, CAP_ACK %d, exact reads %d)", k,
			     s->ext_ack, s->cap_ack, s->exact);
			for (j = 0; j < n->nexp; j++)
				diag("  message %d at %u: len %u flags %#x seq %u: want %s%s",
				     j + 1, n->ex[j].off, n->ex[j].len, n->ex[j].flags,
				     n->ex[j].seq, want_str(&n->ex[j]),
				     n->ex[j].done ? " (answered)" : "");
			fz_report_end(&n->c, n->dg, len);
			/* the sockets may be out of step now: start afresh */
			ret = nlrun_open(n);
			ASSERT_EQ(0, ret);
		}
next:
		nlrun_free_exp(n);
	}
	n->c.stats->secs = now_s() - t0;
	for (j = 0; j < NSOCKS; j++)
		close(n->socks[j].fd);
	free(n->dg);
	free(n->rx);
	free(n);
}

/* ------------------------------------------------------------------ */
/* ioctl.                                                              */

enum { IK_UNKNOWN, IK_VERSION, IK_DEVICE };

enum {
	PC_RW, PC_END, PC_RO, PC_NULL, PC_ONE, PC_KERNEL, PC_NONCANON, PC_GONE,
	PC_MAX
};

static const char *const pc_name[PC_MAX] = {
	"rw", "before-hole", "read-only", "NULL", "1", "kernel", "non-canonical",
	"unmapped",
};

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

static int arena_setup(struct arena *a)
{
	int fd;

	a->page = sysconf(_SC_PAGESIZE);
	a->rw_len = 5 * a->page;
	a->ro_len = 5 * a->page;
	a->rw = mmap(NULL, a->rw_len + 2 * a->page, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a->rw == MAP_FAILED)
		return -errno;
	/* the page after the RW area goes; the one after it stays as a fence */
	if (munmap(a->rw + a->rw_len, a->page))
		return -errno;
	a->gone = mmap(NULL, a->page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a->gone == MAP_FAILED || munmap(a->gone, a->page))
		return -errno;
	fd = memfd_create("pcipass-fuzz", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, a->ro_len))
		return -errno;
	a->ro_w = mmap(NULL, a->ro_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	a->ro = mmap(NULL, a->ro_len, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (a->ro_w == MAP_FAILED || a->ro == MAP_FAILED)
		return -errno;
	a->save = malloc(a->rw_len + 2 * WIN_SLACK);
	a->img = calloc(1, IMG_MAX);
	if (!a->save || !a->img)
		return -ENOMEM;
	return 0;
}

struct ioreq {
	unsigned int cmd;
	int kind;
	size_t usize;		/* _IOC_SIZE(cmd) */
	size_t ilen;		/* bytes of img meant to be at ptr */
	int cls;
	uint8_t *ptr;
	size_t avail;		/* readable bytes at ptr */
	bool writable;
	uint8_t *view;		/* where we write/read what is at ptr */
	uint8_t *win_lo, *win_hi;	/* window (in view) we check */
};

/* Types whose numbers fs/ioctl.c handles itself for any file. */
static bool vfs_type(unsigned int type)
{
	return type == 0x00 || type == 0x15 || type == 'T' || type == 'X' ||
	       type == 'f' || type == 0x94;
}

static unsigned int pick_cmd(struct rng *r, int *kind)
{
	unsigned int dir, nr, size, type, cmd;
	uint32_t w = below(r, 1000);

	*kind = below(r, 10) < 3 ? IK_VERSION : IK_DEVICE;
	nr = *kind == IK_VERSION ? _IOC_NR(PCIPASS_IOC_VERSION) :
				   _IOC_NR(PCIPASS_IOC_DEVICE_GET);
	dir = _IOC_READ | _IOC_WRITE;
	size = *kind == IK_VERSION ? sizeof(struct pcipass_ioc_version) :
				     sizeof(struct pcipass_ioc_device);
	type = PCIPASS_IOC_MAGIC;
	if (w < 450) {
		/* the real number */
	} else if (w < 650) {		/* a size the caller made up */
		switch (below(r, 5)) {
		case 0:
			size = below(r, size);
			break;
		case 1:
			size += 1 + below(r, 16);
			break;
		case 2:
			size += 1 + below(r, 512);
			break;
		case 3:
			size = below(r, _IOC_SIZEMASK + 1);
			break;
		default:
			size = _IOC_SIZEMASK - below(r, 64);
			break;
		}
	} else if (w < 750) {		/* our magic, anything else */
		nr = below(r, 4) ? below(r, 256) : below(r, 4);
		dir = below(r, 4);
		size = pm(r, 500) ? size : below(r, _IOC_SIZEMASK + 1);
	} else if (w < 800) {		/* wrong direction */
		dir = below(r, 3);
	} else {			/* any number at all */
		cmd = rnd32(r);
		while (vfs_type(_IOC_TYPE(cmd)))
			cmd ^= (1 + below(r, 255)) << _IOC_TYPESHIFT;
		goto classify;
	}
	cmd = _IOC(dir, type, nr, size);
classify:
	if (_IOC_TYPE(cmd) != PCIPASS_IOC_MAGIC ||
	    _IOC_DIR(cmd) != (_IOC_READ | _IOC_WRITE))
		*kind = IK_UNKNOWN;
	else if (_IOC_NR(cmd) == _IOC_NR(PCIPASS_IOC_VERSION))
		*kind = IK_VERSION;
	else if (_IOC_NR(cmd) == _IOC_NR(PCIPASS_IOC_DEVICE_GET))
		*kind = IK_DEVICE;
	else
		*kind = IK_UNKNOWN;
	return cmd;
}

static void put32(uint8_t *img, size_t ilen, size_t off, uint32_t v)
{
	if (off + 4 <= ilen)
		memcpy(img + off, &v, 4);
}

static uint32_t get32(const uint8_t *img, size_t off)
{
	uint32_t v;

	memcpy(&v, img + off, 4);
	return v;
}

#define DOFF(field) offsetof(struct pcipass_ioc_device, field)
#define VOFF(field) offsetof(struct pcipass_ioc_version, field)

static void gen_ioc_img(struct rng *r, struct ioreq *q, uint8_t *img)
{
	size_t ksize = q->kind == IK_VERSION ? sizeof(struct pcipass_ioc_version) :
					       sizeof(struct pcipass_ioc_device);
	size_t i, n = q->ilen;

	memset(img, 0, n);
	if (q->kind == IK_UNKNOWN) {
		for (i = 0; i < n; i++)
			img[i] = rnd32(r);
		return;
	}
	/* size: usually what the number says */
	switch (below(r, 20)) {
	case 0:
		put32(img, n, 0, q->usize + 1 + below(r, 8));
		break;
	case 1:
		put32(img, n, 0, q->usize - 1 - below(r, 8));
		break;
	case 2:
		put32(img, n, 0, rnd32(r));
		break;
	case 3:
		put32(img, n, 0, ksize);
		break;
	default:
		put32(img, n, 0, q->usize);
		break;
	}
	if (pm(r, 200))
		put32(img, n, 4, pm(r, 500) ? 1u << below(r, 32) : rnd32(r));
	if (pm(r, 300))		/* output fields: callers may leave garbage */
		for (i = 8; i < n && i < ksize; i++)
			img[i] = rnd32(r);
	if (q->kind == IK_DEVICE) {
		struct pci_addr a;

		g_random_addr(r, &a);
		put32(img, n, DOFF(addr.domain), a.domain);
		put32(img, n, DOFF(addr.bus), pm(r, 900) ? a.bus : rnd32(r));
		put32(img, n, DOFF(addr.devfn), pm(r, 900) ? a.devfn :
			   pm(r, 500) ? 256 : rnd32(r));
		put32(img, n, DOFF(addr.reserved), pm(r, 900) ? 0 : rnd32(r));
	}
	if (n > ksize && pm(r, 400)) {	/* a tail this kernel does not know */
		if (pm(r, 500))
			img[ksize + below(r, n - ksize)] = 1 + below(r, 255);
		else
			for (i = ksize; i < n; i++)
				img[i] = rnd32(r);
	}
}

static void place(struct arena *ar, struct rng *r, struct ioreq *q)
{
	static const uintptr_t kern[] = {
		0xffff800000000000UL, 0xffffffffff600000UL, 0xffffffff81000000UL,
		0xfffffffffffff000UL,
	};
	size_t span = q->ilen + 2 * WIN_SLACK, off;
	uint32_t w = below(r, 1000);

	q->avail = 0;
	q->writable = false;
	q->view = NULL;
	if (w < 600)
		q->cls = PC_RW;
	else if (w < 700)
		q->cls = PC_END;
	else if (w < 780)
		q->cls = PC_RO;
	else if (w < 820)
		q->cls = PC_NULL;
	else if (w < 840)
		q->cls = PC_ONE;
	else if (w < 900)
		q->cls = PC_KERNEL;
	else if (w < 930)
		q->cls = PC_NONCANON;
	else
		q->cls = PC_GONE;

	switch (q->cls) {
	case PC_RW:
	case PC_RO:
		off = WIN_SLACK + below(r, ar->rw_len - span);
		if (pm(r, 700))
			off &= ~(size_t)7;
		q->ptr = (q->cls == PC_RW ? ar->rw : ar->ro) + off;
		q->view = (q->cls == PC_RW ? ar->rw : ar->ro_w) + off;
		q->avail = ar->rw_len - off;
		q->writable = q->cls == PC_RW;
		break;
	case PC_END:
		q->avail = 1 + below(r, q->ilen + 8);
		q->ptr = ar->rw + ar->rw_len - q->avail;
		q->view = q->ptr;
		q->writable = true;
		break;
	case PC_NULL:
		q->ptr = NULL;
		break;
	case PC_ONE:
		q->ptr = (uint8_t *)1;
		break;
	case PC_KERNEL:
		q->ptr = (uint8_t *)(kern[below(r, 4)] + below(r, 4096));
		break;
	case PC_NONCANON:
		q->ptr = (uint8_t *)((pm(r, 500) ? 0x0000800000000000UL :
				      0x8000000000000000UL) + below(r, 1 << 20));
		break;
	default:
		q->ptr = ar->gone + below(r, ar->page);
		break;
	}
}

/* A set of errnos; EOPNOTSUPP (95) takes bit 63 (ENOSR, never used here). */
static uint64_t eset(int e)
{
	if (e == EOPNOTSUPP)
		return 1ULL << 63;
	return e < 63 ? 1ULL << e : 0;
}

static uint64_t ioc_expect(const struct ioreq *q, const uint8_t *img)
{
	size_t ksize = q->kind == IK_VERSION ? sizeof(struct pcipass_ioc_version) :
					       sizeof(struct pcipass_ioc_device);
	size_t i, readable;
	uint64_t s = 0;

	if (q->kind == IK_UNKNOWN)
		return eset(ENOTTY);
	if (q->usize < ksize)		/* below *_SIZE_VER0 */
		return eset(EINVAL);
	if (q->avail < 4)
		return eset(EFAULT);
	readable = q->avail < q->usize ? q->avail : q->usize;
	if (get32(img, 0) != q->usize)
		s |= eset(EINVAL);
	if (readable < q->usize)
		s |= eset(EFAULT);
	for (i = ksize; i < readable; i++)
		if (img[i]) {
			s |= eset(E2BIG);
			break;
		}
	if (readable >= 8 && get32(img, 4))
		s |= eset(EOPNOTSUPP);
	if (q->kind == IK_DEVICE && readable >= DOFF(present)) {
		uint32_t bus = get32(img, DOFF(addr.bus)), devfn = get32(img, DOFF(addr.devfn));
		struct pci_addr a = {
			.domain = get32(img, DOFF(addr.domain)), .bus = bus, .devfn = devfn,
		};

		if (get32(img, DOFF(addr.reserved)) || bus > 255 || devfn > 255)
			s |= eset(EINVAL);
		else if (gt_find(&a) < 0)
			s |= eset(ENODEV);
	}
	if (!s && !q->writable)
		s |= eset(EFAULT);
	return s;
}

static void eset_str(uint64_t s, char *buf, size_t len)
{
	size_t used = 0;
	int e;

	buf[0] = 0;
	for (e = 1; e < 128; e++)
		if (e != 63 && (s & eset(e)))
			used += snprintf(buf + used, len - used, "%s%s",
					 used ? "|" : "", errname(e));
	if (!used)
		snprintf(buf, len, "success");
}

/* Check a successful call's output; 0 or -1 with c->why set. */
static int ioc_check_out(struct fz *c, const struct ioreq *q, const uint8_t *img)
{
	size_t ksize = q->kind == IK_VERSION ? sizeof(struct pcipass_ioc_version) :
					       sizeof(struct pcipass_ioc_device);

	if (q->kind == IK_VERSION) {
		struct pcipass_ioc_version v;

		memcpy(&v, q->view, sizeof(v));
		if (v.size != q->usize || v.flags || v.abi_version != PCIPASS_IOC_ABI_VERSION ||
		    v.genl_version != PCIPASS_FAMILY_VERSION ||
		    v.device_size != sizeof(struct pcipass_ioc_device) || v.reserved) {
			why_set(c,
				"version: size %u flags %#x abi %u genl %u device_size %u reserved %#x",
				v.size, v.flags, v.abi_version, v.genl_version,
				v.device_size, v.reserved);
			return -1;
		}
	} else {
		struct pcipass_ioc_device d;
		struct pci_addr a;
		char why[1024] = "";
		int idx;

		memcpy(&d, q->view, sizeof(d));
		a.domain = get32(img, DOFF(addr.domain));
		a.bus = get32(img, DOFF(addr.bus));
		a.devfn = get32(img, DOFF(addr.devfn));
		idx = gt_find(&a);
		if (d.size != q->usize || d.flags || idx < 0) {
			why_set(c, "device: size %u flags %#x for %x:%x:%x", d.size,
				d.flags, a.domain, a.bus, a.devfn);
			return -1;
		}
		if (pp_cmp_ioc(&gt.sd[idx], &d, c->priv, why, sizeof(why))) {
			why_set(c, "device %s: %s", gt.names[idx], why);
			return -1;
		}
	}
	/* beyond what this kernel knows: untouched (it was zero) */
	if (q->usize > ksize && memcmp(q->view + ksize, img + ksize, q->usize - ksize)) {
		why_set(c, "bytes %zu..%zu changed", ksize, q->usize);
		return -1;
	}
	return 0;
}

static void ioc_stream(struct __test_metadata *_metadata, int st, bool priv)
{
	uint64_t count = stream_count(st), i;
	struct arena ar = { 0 };
	struct fz c = { .st = st, .priv = priv, .stats = &shared[st] };
	double t0;
	int fd, ret;

	ret = arena_setup(&ar);
	ASSERT_EQ(0, ret) TH_LOG("arena: %s", strerror(-ret));
	fd = open(PCIPASS_DEV_PATH, (priv ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("open %s: %s", PCIPASS_DEV_PATH, strerror(errno));

	diag("seed=0x%016" PRIx64 " stream=%s requests=%" PRIu64 " first=%" PRIu64 " uid=%d",
	     cfg.seed, st_name[st], count, cfg.first, geteuid());
	c.stats->ran = true;
	t0 = now_s();
	for (i = cfg.first; i < count && c.stats->failures < MAX_FAILURES; i++) {
		struct ioreq q = { 0 };
		size_t wlen = 0;
		struct rng r;
		uint64_t want;
		char ws[128];
		int res, err;

		c.idx = i;
		req_rng(&r, st, i);
		q.cmd = pick_cmd(&r, &q.kind);
		q.usize = _IOC_SIZE(q.cmd);
		q.ilen = q.kind == IK_UNKNOWN ? below(&r, 65) : q.usize;
		gen_ioc_img(&r, &q, ar.img);
		place(&ar, &r, &q);
		if (q.view) {
			size_t put = q.ilen < q.avail ? q.ilen : q.avail;
			uint8_t *lo = q.view - (q.cls == PC_END ? 0 : WIN_SLACK);
			uint8_t *hi = q.view + q.avail;
			size_t k;

			if (hi > q.view + q.ilen + WIN_SLACK)
				hi = q.view + q.ilen + WIN_SLACK;
			/* a pattern around the struct, then the struct */
			for (k = 0; lo + k < hi; k++)
				lo[k] = 0xa5 ^ (uint8_t)(k * 7 + i);
			memcpy(q.view, ar.img, put);
			q.win_lo = lo;
			q.win_hi = hi;
			wlen = hi - lo;
			memcpy(ar.save, lo, wlen);
		}
		want = ioc_expect(&q, ar.img);
		if (pm(&r, 10)) {	/* now and then a fresh descriptor */
			close(fd);
			fd = open(PCIPASS_DEV_PATH, (priv ? O_RDWR : O_RDONLY) | O_CLOEXEC);
			ASSERT_LE(0, fd);
		}

		c.stats->sent++;
		res = ioctl(fd, q.cmd, q.ptr);
		err = res < 0 ? errno : 0;
		eset_str(want, ws, sizeof(ws));
		c.why[0] = 0;
		if (res > 0) {
			why_set(&c, "ioctl returned %d", res);
		} else if (!err) {
			c.stats->replies++;
			if (want) {
				why_set(&c, "success, want %s", ws);
			} else if (!ioc_check_out(&c, &q, ar.img)) {
				uint8_t *vlo = q.view, *vhi = q.view + q.usize;

				/* only [ptr, ptr + usize) may have changed */
				if (memcmp(q.win_lo, ar.save, vlo - q.win_lo) ||
				    memcmp(vhi, ar.save + (vhi - q.win_lo), q.win_hi - vhi))
					why_set(&c, "bytes around the struct changed");
			}
		} else {
			count_errno(&c, err);
			if (err == 63 || !(want & eset(err)))
				why_set(&c, "%s, want %s", errname(err), ws);
			else if (q.view && memcmp(q.win_lo, ar.save, wlen))
				why_set(&c, "%s, but user memory changed", errname(err));
		}
		if (c.why[0]) {
			char what[256];

			snprintf(what, sizeof(what),
				 "cmd %#010x (dir %u type %#x nr %u size %u) pointer %s %p, %zu bytes readable",
				 q.cmd, _IOC_DIR(q.cmd), _IOC_TYPE(q.cmd), _IOC_NR(q.cmd),
				 _IOC_SIZE(q.cmd), pc_name[q.cls], q.ptr, q.avail);
			fz_report(&c);
			diag("%s", what);
			fz_report_end(&c, ar.img, q.ilen);
		}
	}
	c.stats->secs = now_s() - t0;
	close(fd);
}

/* ------------------------------------------------------------------ */
/* Tests.                                                              */

static bool module_loaded(void)
{
	struct stat st;

	return stat("/sys/module/pcipass", &st) == 0;
}

static void print_stats(int st)
{
	const struct fz_stats *s = &shared[st];

	diag("sent=%" PRIu64 " errors=%" PRIu64 " replies=%" PRIu64 " acks=%" PRIu64
	     " silent=%" PRIu64 " dumps=%" PRIu64 " (%" PRIu64 " split) abandoned=%" PRIu64
	     " messages=%" PRIu64
	     " failures=%" PRIu64 " time=%.1fs rate=%.0f/s",
	     s->sent, s->errors, s->replies, s->acks, s->silent, s->dumps,
	     s->split_dumps, s->abandoned, s->msgs, s->failures, s->secs,
	     s->secs > 0 ? s->sent / s->secs : 0.0);
	print_hist(st_name[st], s->hist);
}

FIXTURE(fuzz) {
	char *state;		/* unprivileged streams: state at the start */
};

FIXTURE_SETUP(fuzz)
{
	self->state = NULL;
	ASSERT_EQ(0, gt.err) TH_LOG("reading sysfs: %s", strerror(-gt.err));
}

FIXTURE_TEARDOWN(fuzz)
{
	free(self->state);
}

#define NEED_MODULE() do {						\
	if (!module_loaded())						\
		SKIP(return, "pcipass module not loaded");		\
} while (0)

#define NEED_ROOT() do {						\
	if (geteuid() != 0)						\
		SKIP(return, "needs root (CAP_SYS_ADMIN)");		\
} while (0)

static void unprivileged(struct __test_metadata *_metadata, char **state)
{
	if (geteuid() == 0)
		ASSERT_EQ(0, pp_drop_privileges());
	*state = state_snapshot();
}

static void unprivileged_done(struct __test_metadata *_metadata, const char *state)
{
	char *now = state_snapshot();
	int diffs = state_diff(state, now);

	free(now);
	EXPECT_EQ(0, diffs) TH_LOG("uid %d changed PCI or IOMMU group state", geteuid());
}

/* Timeouts are set in main() from the request counts. */
TEST_F_TIMEOUT(fuzz, netlink_stream, 30)
{
	NEED_MODULE();
	NEED_ROOT();
	nl_stream(_metadata, ST_NL, true);
	print_stats(ST_NL);
	EXPECT_EQ(0U, shared[ST_NL].failures);
}

TEST_F_TIMEOUT(fuzz, netlink_stream_unprivileged, 30)
{
	NEED_MODULE();
	unprivileged(_metadata, &self->state);
	nl_stream(_metadata, ST_NL_UNPRIV, false);
	print_stats(ST_NL_UNPRIV);
	EXPECT_EQ(0U, shared[ST_NL_UNPRIV].failures);
	unprivileged_done(_metadata, self->state);
}

TEST_F_TIMEOUT(fuzz, ioctl_stream, 30)
{
	NEED_MODULE();
	NEED_ROOT();
	ioc_stream(_metadata, ST_IOC, true);
	print_stats(ST_IOC);
	EXPECT_EQ(0U, shared[ST_IOC].failures);
}

TEST_F_TIMEOUT(fuzz, ioctl_stream_unprivileged, 30)
{
	NEED_MODULE();
	unprivileged(_metadata, &self->state);
	ioc_stream(_metadata, ST_IOC_UNPRIV, false);
	print_stats(ST_IOC_UNPRIV);
	EXPECT_EQ(0U, shared[ST_IOC_UNPRIV].failures);
	unprivileged_done(_metadata, self->state);
}

/* After the streams: every answer still right, as root (or not). */
TEST_F_TIMEOUT(fuzz, module_still_correct, 120)
{
	bool priv = geteuid() == 0;
	struct sysfs_group *groups;
	int i, ret, fd, ngroups, nseen = 0;
	struct pci_addr *seen;
	struct nl_reply rep;
	struct nl_sock s;
	uint16_t family;
	char **names;
	struct nlb b;
	int n;

	NEED_MODULE();
	n = sysfs_pci_list(&names);
	ASSERT_LT(0, n);
	ASSERT_EQ(0, pp_nl_open(&s, &family, 0));
	fd = open(PCIPASS_DEV_PATH, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	for (i = 0; i < n; i++) {
		struct pcipass_ioc_device io;
		char why[4096] = "";
		struct sysfs_dev sd;
		struct pp_dev d;

		ret = sysfs_pci_read(names[i], &sd);
		ASSERT_EQ(0, ret) TH_LOG("sysfs %s: %s", names[i], strerror(-ret));
		pp_req_dev_get(&b, family, &sd.addr);
		ASSERT_EQ(0, nl_transact(&s, &b, &rep));
		EXPECT_EQ(0, rep.error) TH_LOG("%s: %s (%s)", names[i],
					       strerror(-rep.error), rep.ext_msg);
		EXPECT_FALSE(rep.malformed || rep.bad_seq || rep.truncated);
		EXPECT_EQ(1, rep.nmsgs) TH_LOG("%s", names[i]);
		if (rep.nmsgs == 1) {
			ret = pp_parse_dev(rep.msgs[0].nlh, &d, why, sizeof(why));
			EXPECT_EQ(0, ret) TH_LOG("%s: %s", names[i], why);
			if (!ret) {
				EXPECT_EQ(0, pp_cmp_nl(&sd, &d, priv, why, sizeof(why)))
					TH_LOG("netlink %s: %s", names[i], why);
			}
		}
		nl_reply_free(&rep);

		why[0] = 0;
		ret = pp_ioc_dev_get(fd, &sd.addr, &io);
		EXPECT_EQ(0, ret) TH_LOG("ioctl %s: %s", names[i], strerror(-ret));
		if (!ret) {
			EXPECT_EQ(0, pp_cmp_ioc(&sd, &io, priv, why, sizeof(why)))
				TH_LOG("ioctl %s: %s", names[i], why);
		}
	}
	close(fd);

	/* a full dump: the sysfs set, nothing twice */
	seen = calloc(n, sizeof(*seen));
	ASSERT_NE(NULL, seen);
	pp_req_dev_dump(&b, family);
	ASSERT_EQ(0, nl_transact(&s, &b, &rep));
	EXPECT_EQ(0, rep.error);
	EXPECT_TRUE(rep.got_done);
	EXPECT_FALSE(rep.malformed || rep.bad_seq || rep.truncated);
	EXPECT_EQ(n, rep.nmsgs);
	for (i = 0; i < rep.nmsgs; i++) {
		char why[1024] = "", name[32];
		struct pp_dev d;
		int k;

		ASSERT_EQ(0, pp_parse_dev(rep.msgs[i].nlh, &d, why, sizeof(why)))
			TH_LOG("dump message %d: %s", i, why);
		pci_addr_fmt(&d.addr, name, sizeof(name));
		for (k = 0; k < n && strcmp(names[k], name); k++)
			;
		EXPECT_LT(k, n) TH_LOG("dump reports %s, not in sysfs", name);
		for (k = 0; k < nseen; k++)
			EXPECT_NE(0, pci_addr_cmp(&seen[k], &d.addr)) TH_LOG("%s twice", name);
		if (nseen < n)
			seen[nseen++] = d.addr;
	}
	EXPECT_EQ(n, nseen);
	nl_reply_free(&rep);
	free(seen);

	/* every group with PCI functions, with its members */
	ngroups = sysfs_groups_read(&groups);
	ASSERT_LE(0, ngroups);
	for (i = 0; i < ngroups; i++) {
		char why[1024] = "";
		struct pp_group *pg = calloc(1, sizeof(*pg));
		int k;

		ASSERT_NE(NULL, pg);
		pp_req_group_get(&b, family, groups[i].id);
		ASSERT_EQ(0, nl_transact(&s, &b, &rep));
		EXPECT_EQ(0, rep.error) TH_LOG("group %u: %s", groups[i].id,
					       strerror(-rep.error));
		EXPECT_EQ(1, rep.nmsgs);
		if (rep.nmsgs == 1 && !pp_parse_group(rep.msgs[0].nlh, pg, why, sizeof(why))) {
			EXPECT_EQ(groups[i].id, pg->id);
			EXPECT_EQ(groups[i].nmembers, pg->nmembers);
			qsort(pg->members, pg->nmembers, sizeof(pg->members[0]),
			      cmp_pci_addr);
			for (k = 0; k < pg->nmembers && k < groups[i].nmembers; k++)
				EXPECT_EQ(0, pci_addr_cmp(&pg->members[k], &groups[i].members[k]))
					TH_LOG("group %u member %d", groups[i].id, k);
		} else {
			EXPECT_TRUE(false) TH_LOG("group %u: %s", groups[i].id, why);
		}
		nl_reply_free(&rep);
		free(pg);
	}
	TH_LOG("%d functions and %d groups answered as sysfs says", n, ngroups);
	sysfs_groups_free(groups, ngroups);
	sysfs_names_free(names, n);
	nl_close(&s);
}

/* Nothing the streams sent changed driver bindings or IOMMU groups. */
TEST_F_TIMEOUT(fuzz, nothing_changed, 60)
{
	uint64_t total = 0, fail = 0;
	char *now;
	int st, diffs;

	now = state_snapshot();
	diffs = state_diff(state_before, now);
	free(now);
	for (st = 0; st < ST_MAX; st++) {
		if (!shared[st].ran)
			continue;
		total += shared[st].sent;
		fail += shared[st].failures;
		diag("%s: sent=%" PRIu64 " failures=%" PRIu64 " rate=%.0f/s",
		     st_name[st], shared[st].sent, shared[st].failures,
		     shared[st].secs > 0 ? shared[st].sent / shared[st].secs : 0.0);
	}
	diag("seed=0x%016" PRIx64, cfg.seed);
	diag("fuzz requests sent: %" PRIu64 " (count %" PRIu64 " from %s, %" PRIu64 " failures)",
	     total, cfg.count, cfg.count_from, fail);
	EXPECT_EQ(0, diffs) TH_LOG("PCI or IOMMU group state changed during the run");
}

/* ------------------------------------------------------------------ */

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

int main(int argc, char **argv)
{
	const char *quick = getenv("PCIPASS_FUZZ_QUICK");
	uint64_t v;
	int ret;

	cfg.count = DEFAULT_COUNT;
	cfg.count_from = "the default";
	if (quick && *quick && strcmp(quick, "0")) {
		cfg.count = QUICK_COUNT;
		cfg.count_from = "PCIPASS_FUZZ_QUICK";
	}
	ret = env_u64("PCIPASS_FUZZ_COUNT", &v);
	if (ret < 0)
		return KSFT_FAIL;
	if (ret) {
		cfg.count = v;
		cfg.count_from = "PCIPASS_FUZZ_COUNT";
	}
	ret = env_u64("PCIPASS_FUZZ_SEED", &cfg.seed);
	if (ret < 0)
		return KSFT_FAIL;
	if (!ret && getrandom(&cfg.seed, sizeof(cfg.seed), 0) != sizeof(cfg.seed))
		cfg.seed = mix64(time(NULL) ^ ((uint64_t)getpid() << 32));
	if (env_u64("PCIPASS_FUZZ_FIRST", &cfg.first) < 0)
		return KSFT_FAIL;

	shared = mmap(NULL, ST_MAX * sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return KSFT_FAIL;
	gt.err = gt_read();
	state_before = state_snapshot();

	/*
	 * The harness kills a test after its timeout: allow 200 requests/s
	 * (about a tenth of the slowest rate seen on a KASAN kernel) plus a
	 * margin.
	 */
	_fuzz_netlink_stream_object->timeout = 120 + stream_count(ST_NL) / 200;
	_fuzz_netlink_stream_unprivileged_object->timeout =
		120 + stream_count(ST_NL_UNPRIV) / 200;
	_fuzz_ioctl_stream_object->timeout = 120 + stream_count(ST_IOC) / 200;
	_fuzz_ioctl_stream_unprivileged_object->timeout =
		120 + stream_count(ST_IOC_UNPRIV) / 200;

	return test_harness_run(argc, argv);
}
