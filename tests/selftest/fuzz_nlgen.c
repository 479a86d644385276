// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_test: building netlink datagrams (attributes, messages, several
 * messages in one datagram, lying lengths, garbage).
 */
#include <string.h>

#include "fuzz_gt.h"
#include "fuzz_nlgen.h"
#include "fuzz_nlmodel.h"
#include "ppcommon.h"

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

/* device-get and isolation-get: an address nest, attribute 1 of both. */
static void g_addr_body(struct gen *g, const struct pci_addr *a, unsigned int m)
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

/*
 * claim / release: a target (address or group), a driver (claim), the
 * flags -- the model sets the dry-run bit in them and turns a privileged
 * request without them into an unknown command (fuzz_nlmodel.c).
 */
static void g_claim_body(struct gen *g, uint8_t cmd, unsigned int m)
{
	struct rng *r = g->r;
	struct pci_addr a;
	uint32_t flags = PCIPASS_CLAIM_F_DRY_RUN;

	if (pm(r, 600)) {
		g_random_addr(r, &a);
		g_addr_body(g, &a, m);		/* attribute 1 = claim's addr */
	}
	if (pm(r, 450) || pm(r, m / 3)) {
		uint16_t type = PCIPASS_A_CLAIM_GROUP;

		if (pm(r, m / 4))
			type |= NLA_F_NESTED;
		g_scalar(g, type, pick_group(r), pm(r, m / 4) ? below(r, 9) : 4);
	}
	if ((cmd == PCIPASS_CMD_CLAIM && pm(r, 500)) || pm(r, m / 4)) {
		const char *d = fz_claim_drivers[below(r, FZ_CLAIM_DRIVERS)];
		size_t off = g_attr_begin(g, PCIPASS_A_CLAIM_DRIVER);

		if (pm(r, m / 3))
			g_rand(g, below(r, 100), below(r, 4));
		else
			g_raw(g, d, strlen(d) + !pm(r, m / 4));
		g_attr_end(g, off);
	}
	if (pm(r, 300))
		flags |= PCIPASS_CLAIM_F_FORCE;
	if (pm(r, m / 4))
		flags |= 1u << below(r, 32);
	if (!pm(r, m / 8))
		g_scalar(g, PCIPASS_A_CLAIM_FLAGS, flags,
			 pm(r, m / 6) ? below(r, 9) : 4);
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
		} else if (cmd != PCIPASS_CMD_GROUP_GET) {
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
	static const uint8_t cmds[] = {
		PCIPASS_CMD_DEVICE_GET, PCIPASS_CMD_GROUP_GET,
		PCIPASS_CMD_ISOLATION_GET, PCIPASS_CMD_CLAIM, PCIPASS_CMD_RELEASE,
	};
	uint32_t w = below(r, 1000);
	uint8_t cmd = cmds[below(r, sizeof(cmds))];
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
		if (cmd == PCIPASS_CMD_CLAIM || cmd == PCIPASS_CMD_RELEASE) {
			g_claim_body(g, cmd, 0);
		} else if (cmd != PCIPASS_CMD_GROUP_GET) {
			g_random_addr(r, &a);
			g_addr_body(g, &a, 0);
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
			if (cmd != PCIPASS_CMD_GROUP_GET) {
				g_random_addr(r, &a);
				g_addr_body(g, &a, below(r, 400));
			} else {
				g_groupget_body(g, pick_group(r), below(r, 400));
			}
		} else {
			g_soup(g, 0, 1 + below(r, 4));
		}
	} else if (w < 360) {		/* unknown command */
		cmd = below(r, 4) ? PCIPASS_CMD_MAX + 1 +
				    below(r, 255 - PCIPASS_CMD_MAX) : 0;
		off = g_msg_begin(g, family, pick_flags(r, pm(r, 100)), cmd, GENL_HDRLEN);
		if (pm(r, 500))
			g_soup(g, 0, below(r, 6));
		else
			g_addr_body(g, &(struct pci_addr){ 0 }, below(r, 300));
	} else if (w < 680) {		/* a valid request, mutated */
		off = g_msg_begin(g, family, pick_flags(r, false), cmd, GENL_HDRLEN);
		if (cmd == PCIPASS_CMD_CLAIM || cmd == PCIPASS_CMD_RELEASE) {
			g_claim_body(g, cmd, 100 + below(r, 500));
		} else if (cmd != PCIPASS_CMD_GROUP_GET) {
			g_random_addr(r, &a);
			g_addr_body(g, &a, 100 + below(r, 500));
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
			g_addr_body(g, &gt.sd[0].addr, 0);
	} else if (w < 960) {		/* truncated genl header */
		off = g_msg_begin(g, family, pick_flags(r, false), cmd, below(r, GENL_HDRLEN));
	} else {			/* random flags and header fields */
		flags = rnd32(r);
		dump = (flags & NLM_F_DUMP) == NLM_F_DUMP;
		if (dump && g->have_dump)
			flags &= ~NLM_F_ROOT;
		off = g_msg_begin(g, family, flags, pm(r, 500) ? cmd : rnd32(r), GENL_HDRLEN);
		if (pm(r, 500))
			g_addr_body(g, &gt.sd[0].addr, below(r, 300));
	}
	g_msg_end(g, off);
	if (dump)
		g->have_dump = true;
	if (pm(r, 40))
		g_msg_lie(g, off);
}

/* A whole datagram; returns its length. */
size_t g_datagram(struct gen *g, uint16_t family)
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
