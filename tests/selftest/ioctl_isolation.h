/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ioctl_test's ioc.isolation_*: PCIPASS_IOC_ISOLATION_GET for a
 * privileged opener under the struct rules of pcipass_ioctl.h: a basic
 * answer that parses, outputs overwritten, bigger structs with a zero or
 * non-zero tail, bad pointers, the same answer when asked again.  Its
 * rejections are in ioctl_rejected.h; the answer against ground truth in
 * isolation_test.c.
 *
 * A file of its own: another ioctl and its own request helpers, tests on
 * the shared ioc fixture (ioctl_common.h).
 *
 * Part of ioctl_test.c's one translation unit (the harness keeps its
 * test list per file): included there once, where its tests run.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ioctl_common.h"
#include "ppiso.h"

/* ------------------------------------------------------------------ */
/* PCIPASS_IOC_ISOLATION_GET: the struct rules, for a privileged opener. */

static void iso_req(void *buf, size_t size, const struct pci_addr *a)
{
	struct pcipass_ioc_isolation *io = buf;

	memset(buf, 0, size);
	io->size = size;
	io->addr.domain = a->domain;
	io->addr.bus = a->bus;
	io->addr.devfn = a->devfn;
}

static bool zero_from(const uint8_t *p, size_t from, size_t to)
{
	for (; from < to; from++)
		if (p[from])
			return false;
	return true;
}

TEST_F(ioc, isolation_basic)
{
	struct pcipass_ioc_isolation *io = calloc(1, ISO_SIZE);
	struct pp_iso *iso = calloc(1, sizeof(*iso));
	char why[2048] = "";

	NEED_ROOT();
	ASSERT_NE(NULL, io);
	ASSERT_NE(NULL, iso);
	iso_req(io, ISO_SIZE, &self->valid);
	ASSERT_EQ(0, pp_ioctl(self->fd, PCIPASS_IOC_ISOLATION_GET, io));
	EXPECT_EQ(ISO_SIZE, io->size);
	EXPECT_EQ(0U, io->flags);
	EXPECT_EQ(self->valid.domain, io->addr.domain);
	EXPECT_EQ(self->valid.bus, io->addr.bus);
	EXPECT_EQ(self->valid.devfn, io->addr.devfn);
	EXPECT_EQ(0U, io->addr.reserved);
	EXPECT_EQ(0, pp_iso_from_ioc(io, iso, why, sizeof(why))) TH_LOG("%s", why);
	ASSERT_LE(1U, io->nr_hops);
	EXPECT_EQ(self->valid.bus, io->hops[0].addr.bus);
	EXPECT_EQ(self->valid.devfn, io->hops[0].addr.devfn);
	EXPECT_LE(1U, io->nr_reasons);
	free(io);
	free(iso);
}

/* Garbage in every output field is replaced: the answer does not depend on it. */
TEST_F(ioc, isolation_outputs_overwritten)
{
	struct pcipass_ioc_isolation *io = malloc(ISO_SIZE), *ref = malloc(ISO_SIZE);

	NEED_ROOT();
	ASSERT_NE(NULL, io);
	ASSERT_NE(NULL, ref);
	iso_req(ref, ISO_SIZE, &self->valid);
	ASSERT_EQ(0, pp_ioctl(self->fd, PCIPASS_IOC_ISOLATION_GET, ref));
	memset(io, 0xa5, ISO_SIZE);
	io->size = ISO_SIZE;
	io->flags = 0;
	io->addr = ref->addr;
	ASSERT_EQ(0, pp_ioctl(self->fd, PCIPASS_IOC_ISOLATION_GET, io));
	EXPECT_EQ(0, memcmp(ref, io, ISO_SIZE))
		TH_LOG("answer depends on the old contents of output fields");
	free(io);
	free(ref);
}

/* A struct from newer userspace: accepted when the unknown tail is zero. */
TEST_F(ioc, isolation_bigger_struct_zero_tail)
{
	static const size_t extra[] = { 8, 64, 4096 };
	uint8_t *ref = malloc(ISO_SIZE), *buf = malloc(ISO_SIZE + 4096 + 64);
	unsigned int i;

	NEED_ROOT();
	ASSERT_NE(NULL, ref);
	ASSERT_NE(NULL, buf);
	iso_req(ref, ISO_SIZE, &self->valid);
	ASSERT_EQ(0, pp_ioctl(self->fd, PCIPASS_IOC_ISOLATION_GET, ref));
	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		size_t size = ISO_SIZE + extra[i];

		iso_req(buf, ISO_SIZE + 4096 + 64, &self->valid);
		((struct pcipass_ioc_isolation *)buf)->size = size;
		ASSERT_EQ(0, pp_ioctl(self->fd, IOC_RW(ISO_NR, size), buf))
			TH_LOG("size %zu", size);
		EXPECT_EQ(size, ((struct pcipass_ioc_isolation *)buf)->size);
		EXPECT_EQ(0, memcmp(ref + 4, buf + 4, ISO_SIZE - 4))
			TH_LOG("size %zu: the known part differs", size);
		EXPECT_TRUE(zero_from(buf, ISO_SIZE, ISO_SIZE + 4096 + 64))
			TH_LOG("size %zu: bytes past the known struct written", size);
	}
	free(ref);
	free(buf);
}

TEST_F(ioc, isolation_bigger_struct_nonzero_tail)
{
	static const size_t pos[] = { 0, 7, 63 };
	uint8_t *buf = malloc(ISO_SIZE + 64);
	unsigned int i;

	NEED_ROOT();
	ASSERT_NE(NULL, buf);
	for (i = 0; i < sizeof(pos) / sizeof(pos[0]); i++) {
		iso_req(buf, ISO_SIZE + 64, &self->valid);
		buf[ISO_SIZE + pos[i]] = 0x01;
		EXPECT_EQ(-E2BIG, pp_ioctl(self->fd, IOC_RW(ISO_NR, ISO_SIZE + 64), buf))
			TH_LOG("non-zero byte at %zu", ISO_SIZE + pos[i]);
		/* nothing written back on failure */
		EXPECT_TRUE(zero_from(buf, 24, ISO_SIZE));
	}
	free(buf);
}

TEST_F(ioc, isolation_efault)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t span = (ISO_SIZE + pg - 1) / pg * pg;
	struct pcipass_ioc_isolation *io;
	char *p;

	NEED_ROOT();
	EXPECT_EQ(-EFAULT, pp_ioctl(self->fd, PCIPASS_IOC_ISOLATION_GET, NULL));
	EXPECT_EQ(-EFAULT, pp_ioctl(self->fd, PCIPASS_IOC_ISOLATION_GET, (void *)1));
	EXPECT_EQ(-EFAULT, pp_ioctl(self->fd, PCIPASS_IOC_ISOLATION_GET,
				    (void *)0xffffffff81000000UL));

	/* runs into an unmapped page */
	p = mmap(NULL, span + pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p + span, pg));
	io = (void *)(p + span - ISO_SIZE + 8);
	iso_req(io, ISO_SIZE - 8, &self->valid);
	io->size = ISO_SIZE;
	EXPECT_EQ(-EFAULT, pp_ioctl(self->fd, PCIPASS_IOC_ISOLATION_GET, io));

	/* a valid request in read-only memory: the answer cannot be written */
	io = (void *)p;
	iso_req(io, ISO_SIZE, &self->valid);
	ASSERT_EQ(0, mprotect(p, span, PROT_READ));
	EXPECT_EQ(-EFAULT, pp_ioctl(self->fd, PCIPASS_IOC_ISOLATION_GET, io));
	EXPECT_EQ(0U, io->present);
	EXPECT_EQ(0U, io->nr_hops);
	munmap(p, span);
}

/* Asking again and again gives the same answer. */
TEST_F(ioc, isolation_repeated_queries_stable)
{
	struct pcipass_ioc_isolation *a = malloc(ISO_SIZE), *b = malloc(ISO_SIZE);
	int i;

	NEED_ROOT();
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	iso_req(a, ISO_SIZE, &self->valid);
	ASSERT_EQ(0, pp_ioctl(self->fd, PCIPASS_IOC_ISOLATION_GET, a));
	for (i = 0; i < 20; i++) {
		iso_req(b, ISO_SIZE, &self->valid);
		ASSERT_EQ(0, pp_ioctl(self->fd, PCIPASS_IOC_ISOLATION_GET, b));
		ASSERT_EQ(0, memcmp(a, b, ISO_SIZE)) TH_LOG("query %d differs", i);
	}
	free(a);
	free(b);
}
