// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_test: ioctl requests to /dev/pcipass, their predicted answers, and
 * the check of a successful call's output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_gt.h"
#include "fuzz_ioc.h"
#include "fuzz_nlmodel.h"
#include "ppcommon.h"
#include "ppiso.h"

const char *const pc_name[PC_MAX] = {
	"rw", "before-hole", "read-only", "NULL", "1", "kernel", "non-canonical",
	"unmapped",
};

/*
 * One reservation holds every area, so that the holes stay holes (a later
 * mmap() of ours would otherwise be placed in them):
 *
 *   RW | hole | fence | gone | fence | RO | RO writable view | fence
 *
 * The hole after the RW area is longer than any struct a number can
 * encode: a struct that runs past the RW area must not reach mapped memory
 * again (copy_struct_from_user() reads a bigger struct's tail before its
 * head).
 */
int arena_setup(struct arena *a)
{
	size_t hole, total;
	uint8_t *base, *p;
	int fd;

	a->page = sysconf(_SC_PAGESIZE);
	a->rw_len = 5 * a->page;
	a->ro_len = 5 * a->page;
	hole = (IMG_MAX + WIN_SLACK + a->page - 1) / a->page * a->page;
	total = a->rw_len + hole + 3 * a->page + 2 * a->ro_len + a->page;
	base = mmap(NULL, total, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return -errno;
	a->rw = base;
	p = base + a->rw_len;
	if (munmap(p, hole))
		return -errno;
	a->gone = p + hole + a->page;
	if (munmap(a->gone, a->page))
		return -errno;
	p = a->gone + 2 * a->page;
	fd = memfd_create("pcipass-fuzz", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, a->ro_len))
		return -errno;
	a->ro = mmap(p, a->ro_len, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);
	a->ro_w = mmap(p + a->ro_len, a->ro_len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_FIXED, fd, 0);
	close(fd);
	if (a->ro_w == MAP_FAILED || a->ro == MAP_FAILED)
		return -errno;
	a->save = malloc(a->rw_len + 2 * WIN_SLACK);
	a->img = calloc(1, IMG_MAX);
	if (!a->save || !a->img)
		return -ENOMEM;
	return 0;
}

/* Types whose numbers fs/ioctl.c handles itself for any file. */
static bool vfs_type(unsigned int type)
{
	return type == 0x00 || type == 0x15 || type == 'T' || type == 'X' ||
	       type == 'f' || type == 0x94;
}

size_t ioc_ksize(int kind)
{
	switch (kind) {
	case IK_VERSION:
		return sizeof(struct pcipass_ioc_version);
	case IK_DEVICE:
		return sizeof(struct pcipass_ioc_device);
	case IK_ISOLATION:
		return sizeof(struct pcipass_ioc_isolation);
	case IK_CLAIM:
	case IK_RELEASE:
		return sizeof(struct pcipass_ioc_claim);
	default:
		return 0;
	}
}

unsigned int pick_cmd(struct rng *r, int *kind)
{
	static const unsigned int nrs[] = {
		[IK_VERSION] = _IOC_NR(PCIPASS_IOC_VERSION),
		[IK_DEVICE] = _IOC_NR(PCIPASS_IOC_DEVICE_GET),
		[IK_ISOLATION] = _IOC_NR(PCIPASS_IOC_ISOLATION_GET),
		[IK_CLAIM] = _IOC_NR(PCIPASS_IOC_CLAIM),
		[IK_RELEASE] = _IOC_NR(PCIPASS_IOC_RELEASE),
	};
	unsigned int dir, nr, size, type, cmd, k = below(r, 50);
	uint32_t w = below(r, 1000);

	/* claims are few: a dry run that gets through takes the claim lock */
	*kind = k < 10 ? IK_VERSION : k < 29 ? IK_DEVICE : k < 47 ? IK_ISOLATION :
		k < 49 ? IK_CLAIM : IK_RELEASE;
	nr = nrs[*kind];
	dir = _IOC_READ | _IOC_WRITE;
	size = ioc_ksize(*kind);
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
	else if (_IOC_NR(cmd) == _IOC_NR(PCIPASS_IOC_ISOLATION_GET))
		*kind = IK_ISOLATION;
	else if (_IOC_NR(cmd) == _IOC_NR(PCIPASS_IOC_CLAIM))
		*kind = IK_CLAIM;
	else if (_IOC_NR(cmd) == _IOC_NR(PCIPASS_IOC_RELEASE))
		*kind = IK_RELEASE;
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
#define IOFF(field) offsetof(struct pcipass_ioc_isolation, field)
#define COFF(field) offsetof(struct pcipass_ioc_claim, field)

_Static_assert(DOFF(addr) == COFF(addr), "claim requests share the layout");


/* The input fields of a claim or release; always a dry run. */
static void gen_claim_img(struct rng *r, struct ioreq *q, uint8_t *img)
{
	size_t n = q->ilen;
	uint32_t flags = n >= 8 ? get32(img, 4) : 0;
	const char *drv;

	if (pm(r, 400)) {			/* by group */
		uint32_t id = pm(r, 800) && gt.n ? gt.sd[below(r, gt.n)].group :
			      rnd32(r);

		flags |= PCIPASS_IOC_CLAIM_F_GROUP;
		if (pm(r, 950))
			memset(img + COFF(addr), 0,
			       n > COFF(group) ? sizeof(struct pcipass_ioc_addr) : 0);
		put32(img, n, COFF(group), id);
	} else if (pm(r, 950)) {
		flags &= ~PCIPASS_IOC_CLAIM_F_GROUP;
		put32(img, n, COFF(group), pm(r, 950) ? 0 : rnd32(r));
	}
	if (pm(r, 300))
		flags |= PCIPASS_IOC_CLAIM_F_FORCE;
	flags |= PCIPASS_IOC_CLAIM_F_DRY_RUN;	/* never anything else */
	put32(img, n, 4, flags);
	drv = q->kind == IK_CLAIM || pm(r, 100) ?
	      fz_claim_drivers[below(r, FZ_CLAIM_DRIVERS)] : "";
	if (n >= COFF(message)) {
		memset(img + COFF(driver), 0, PCIPASS_NAME_LEN);
		if (pm(r, 20))			/* no NUL */
			memset(img + COFF(driver), 'x', PCIPASS_NAME_LEN);
		else
			strcpy((char *)img + COFF(driver), drv);
	}
}

/* The request part of both queries: size, flags, addr, in the same place. */
_Static_assert(DOFF(addr) == IOFF(addr) && DOFF(present) == IOFF(present),
	       "device and isolation requests share their layout");

void gen_ioc_img(struct rng *r, struct ioreq *q, uint8_t *img)
{
	size_t ksize = ioc_ksize(q->kind);
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
	if (q->kind == IK_DEVICE || q->kind == IK_ISOLATION || ik_claims(q->kind)) {
		struct pci_addr a;

		g_random_addr(r, &a);
		put32(img, n, DOFF(addr.domain), a.domain);
		put32(img, n, DOFF(addr.bus), pm(r, 900) ? a.bus : rnd32(r));
		put32(img, n, DOFF(addr.devfn), pm(r, 900) ? a.devfn :
			   pm(r, 500) ? 256 : rnd32(r));
		put32(img, n, DOFF(addr.reserved), pm(r, 900) ? 0 : rnd32(r));
	}
	if (ik_claims(q->kind)) {
		/* output fields must come in zero: mostly they do */
		if (pm(r, 700))
			memset(img + 8 + sizeof(struct pcipass_ioc_addr) + 4, 0,
			       (n < ksize ? n : ksize) > COFF(present) ?
			       (n < ksize ? n : ksize) - COFF(present) : 0);
		gen_claim_img(r, q, img);
	}
	if (n > ksize && pm(r, 400)) {	/* a tail this kernel does not know */
		if (pm(r, 500))
			img[ksize + below(r, n - ksize)] = 1 + below(r, 255);
		else
			for (i = ksize; i < n; i++)
				img[i] = rnd32(r);
	}
}

void place(struct arena *ar, struct rng *r, struct ioreq *q)
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
uint64_t eset(int e)
{
	if (e == EOPNOTSUPP)
		return 1ULL << 63;
	return e < 63 ? 1ULL << e : 0;
}

static bool img_zero(const uint8_t *img, size_t from, size_t to)
{
	for (; from < to; from++)
		if (img[from])
			return false;
	return true;
}

/*
 * A claim or release whose struct passed the common rules (size, flags,
 * tail): the output fields and the target (pcipass_ioc_claim_req()), the
 * target driver, then the group's dry-run transaction, predicted from
 * sysfs: one errno, or success.  pcipass_ioc_claim_req() looks at the
 * first member's state only.
 */
static uint64_t claim_expect(struct ioreq *q, const uint8_t *img)
{
	const size_t m0state = COFF(members) +
		offsetof(struct pcipass_ioc_claim_member, state);
	uint32_t flags = get32(img, 4), bus, devfn;
	bool claim = q->kind == IK_CLAIM, report;
	const char *target = FZ_CLAIM_DEFAULT;
	struct pci_addr a;
	int idx, g, err;

	if (get32(img, COFF(present)) || get32(img, COFF(outcome)) ||
	    get32(img, COFF(nr_members)) || get32(img, COFF(nr_blockers)) ||
	    get32(img, COFF(txid)) || img[COFF(message)] ||
	    get32(img, m0state) || (!claim && img[COFF(driver)]) ||
	    !memchr(img + COFF(driver), 0, PCIPASS_NAME_LEN))
		return eset(EINVAL);
	bus = get32(img, COFF(addr.bus));
	devfn = get32(img, COFF(addr.devfn));
	a.domain = get32(img, COFF(addr.domain));
	a.bus = bus;
	a.devfn = devfn;
	if (flags & PCIPASS_IOC_CLAIM_F_GROUP) {
		if (!img_zero(img, COFF(addr), COFF(group)))
			return eset(EINVAL);
	} else if (get32(img, COFF(group)) || get32(img, COFF(addr.reserved)) ||
		   bus > 255 || devfn > 255) {
		return eset(EINVAL);
	}
	/* pcipass_claim(): the driver before the group (gen_claim_img()'s names are valid) */
	if (claim && img[COFF(driver)])
		target = (const char *)img + COFF(driver);
	if (claim && !gt_driver_registered(target)) {
		snprintf(q->note, sizeof(q->note), "no driver %s", target);
		return eset(ENOENT);
	}
	if (flags & PCIPASS_IOC_CLAIM_F_GROUP) {
		g = gt_group(get32(img, COFF(group)));
		if (g < 0)
			return eset(ENOENT);
	} else {
		idx = gt_find(&a);
		if (idx < 0)
			return eset(ENODEV);
		if (!gt.sd[idx].has_group)
			return eset(ENXIO);
		g = gt_group(gt.sd[idx].group);
	}
	err = gt_claim_answer(g, claim, flags & PCIPASS_IOC_CLAIM_F_FORCE, target,
			      &report, q->note, sizeof(q->note));
	/*
	 * The report is copied back also with an error, which wins over
	 * EFAULT; a success that cannot be copied back is EFAULT.
	 */
	if (!err)
		return q->writable ? 0 : eset(EFAULT);
	/* a member's device lock another client held (PCIPASS_FUZZ_BUSY_OK) */
	if (cfg.busy_ok && report)
		return eset(err) | eset(EBUSY);
	return eset(err);
}

uint64_t ioc_expect(struct ioreq *q, const uint8_t *img)
{
	size_t ksize = ioc_ksize(q->kind);
	size_t i, readable;
	bool busy = false;
	uint64_t s = 0;

	q->note[0] = 0;
	if (q->kind == IK_UNKNOWN)
		return eset(ENOTTY);
	/* decided on the opener's privilege before the struct is looked at */
	if (q->kind == IK_ISOLATION && !q->priv)
		return eset(EPERM);
	/* the opener's and the caller's: the same process in these streams */
	if (ik_claims(q->kind) && !q->priv)
		return eset(EPERM);
	if (ik_claims(q->kind) && q->ilen >= 8 &&
	    !(get32(img, 4) & PCIPASS_IOC_CLAIM_F_DRY_RUN))
		abort();	/* the generator must never ask for a real claim */
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
	if (readable >= 8 && (get32(img, 4) & ~(ik_claims(q->kind) ?
			(uint32_t)(PCIPASS_IOC_CLAIM_F_DRY_RUN |
				   PCIPASS_IOC_CLAIM_F_FORCE |
				   PCIPASS_IOC_CLAIM_F_GROUP) : 0U)))
		s |= eset(EOPNOTSUPP);
	if (ik_claims(q->kind))
		return s ? s : claim_expect(q, img);
	if ((q->kind == IK_DEVICE || q->kind == IK_ISOLATION) &&
	    readable >= DOFF(present)) {
		uint32_t bus = get32(img, DOFF(addr.bus)), devfn = get32(img, DOFF(addr.devfn));
		struct pci_addr a = {
			.domain = get32(img, DOFF(addr.domain)), .bus = bus, .devfn = devfn,
		};

		if (get32(img, DOFF(addr.reserved)) || bus > 255 || devfn > 255)
			s |= eset(EINVAL);
		else if (gt_find(&a) < 0)
			s |= eset(ENODEV);
		else	/* a device lock another client held */
			busy = cfg.busy_ok;
	}
	if (!s)
		s = (q->writable ? 0 : eset(EFAULT)) |
		    (busy ? eset(EBUSY) | (q->writable ? ES_OK : 0) : 0);
	return s;
}

void eset_str(uint64_t s, char *buf, size_t len)
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
	else if (s & ES_OK)
		snprintf(buf + used, len - used, "|success");
}

/* Check a successful call's output; 0 or -1 with c->why set. */
/* A successful isolation answer: the layout rules, then the ground truth. */
static int iso_check_out(struct fz *c, const struct ioreq *q, const uint8_t *img)
{
	static struct pcipass_ioc_isolation io;
	static struct pp_iso iso;
	char why[4096] = "";
	struct pp_world w;
	struct pci_addr a;
	int idx;

	memcpy(&io, q->view, sizeof(io));
	a.domain = get32(img, IOFF(addr.domain));
	a.bus = get32(img, IOFF(addr.bus));
	a.devfn = get32(img, IOFF(addr.devfn));
	idx = gt_find(&a);
	if (io.size != q->usize || io.flags || idx < 0) {
		why_set(c, "isolation: size %u flags %#x for %x:%x:%x", io.size,
			io.flags, a.domain, a.bus, a.devfn);
		return -1;
	}
	if (pp_iso_from_ioc(&io, &iso, why, sizeof(why))) {
		why_set(c, "isolation %s: %s", gt.names[idx], why);
		return -1;
	}
	gt_world(&w);
	if (pp_iso_check(&w, idx, &iso, why, sizeof(why))) {
		why_set(c, "isolation %s: %s", gt.names[idx], why);
		return -1;
	}
	return 0;
}

/*
 * A successful dry run: the request echoed, a group, a planned (or
 * already claimed) outcome with members in a plan's states, and the
 * message NUL-terminated.
 */
static int claim_check_out(struct fz *c, const struct ioreq *q, const uint8_t *img)
{
	static struct pcipass_ioc_claim cl;
	unsigned int i, n;

	memcpy(&cl, q->view, sizeof(cl));
	if (cl.size != q->usize || cl.flags != get32(img, 4)) {
		why_set(c, "claim: size %u flags %#x", cl.size, cl.flags);
		return -1;
	}
	if (!(cl.present & PCIPASS_CLAIM_P_GROUP) || gt_group(cl.group) < 0 ||
	    !cl.nr_members || cl.txid ||
	    !memchr(cl.message, 0, sizeof(cl.message)) ||
	    !memchr(cl.driver, 0, sizeof(cl.driver))) {
		why_set(c, "claim: present %#x group %u members %u txid %#x",
			cl.present, cl.group, cl.nr_members, cl.txid);
		return -1;
	}
	/* nothing is claimed during the run: never already-claimed */
	if (cl.outcome != PCIPASS_OUTCOME_PLANNED ||
	    cl.nr_members != (unsigned int)gt.groups[gt_group(cl.group)].nmembers) {
		why_set(c, "claim: a dry run's outcome %u, %u members", cl.outcome,
			cl.nr_members);
		return -1;
	}
	n = cl.nr_members < PCIPASS_IOC_CLAIM_MEMBERS ? cl.nr_members :
	    PCIPASS_IOC_CLAIM_MEMBERS;
	for (i = 0; i < n; i++) {
		const struct pcipass_ioc_claim_member *m = &cl.members[i];
		struct pci_addr a = {
			.domain = m->addr.domain, .bus = m->addr.bus,
			.devfn = m->addr.devfn,
		};
		int idx = gt_find(&a);

		if (idx < 0 || !gt.sd[idx].has_group ||
		    gt.sd[idx].group != cl.group || m->error || m->step) {
			why_set(c, "claim: member %u %x:%x:%x not of group %u or error %d",
				i, a.domain, a.bus, a.devfn, cl.group, m->error);
			return -1;
		}
		if (m->state != PCIPASS_MEMBER_PLANNED &&
		    m->state != PCIPASS_MEMBER_ALREADY &&
		    m->state != PCIPASS_MEMBER_SKIPPED_BRIDGE) {
			why_set(c, "claim: member %u state %u in a dry run", i,
				m->state);
			return -1;
		}
	}
	return 0;
}

int ioc_check_out(struct fz *c, const struct ioreq *q, const uint8_t *img)
{
	size_t ksize = ioc_ksize(q->kind);

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
	} else if (q->kind == IK_ISOLATION) {
		if (iso_check_out(c, q, img))
			return -1;
	} else if (ik_claims(q->kind)) {
		if (claim_check_out(c, q, img))
			return -1;
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
