/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ioctl_test's ioc.efault_* and ioc.repeated_queries_stable: what
 * PCIPASS_IOC_DEVICE_GET (and the version query) do with the caller's
 * memory: EFAULT for a NULL, tiny or kernel pointer, an unmapped page, a
 * struct running into one, read-only memory (nothing written back); and
 * the same bytes when asked a hundred times.
 *
 * A file of its own: user memory rather than the struct rules, tests on
 * the shared ioc fixture (ioctl_common.h).
 *
 * Part of ioctl_test.c's one translation unit (the harness keeps its
 * test list per file): included there once, where its tests run.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ioctl_common.h"

/* ------------------------------------------------------------------ */
/* Bad user pointers.                                                  */

TEST_F(ioc, efault_null)
{
	EXPECT_EQ(-EFAULT, pp_ioctl(self->fd, PCIPASS_IOC_DEVICE_GET, NULL));
}

TEST_F(ioc, efault_one)
{
	EXPECT_EQ(-EFAULT, pp_ioctl(self->fd, PCIPASS_IOC_DEVICE_GET, (void *)1));
	EXPECT_EQ(-EFAULT, pp_ioctl(self->fd, PCIPASS_IOC_VERSION, (void *)1));
}

TEST_F(ioc, efault_kernel_address)
{
	void *kaddr = (void *)0xffffffff81000000UL;

	EXPECT_EQ(-EFAULT, pp_ioctl(self->fd, PCIPASS_IOC_DEVICE_GET, kaddr));
}

TEST_F(ioc, efault_unmapped_page)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct pcipass_ioc_device *d;
	void *p;

	p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	d = p;
	d->size = DEV_SIZE;
	ASSERT_EQ(0, munmap(p, pg));
	EXPECT_EQ(-EFAULT, pp_ioctl(self->fd, PCIPASS_IOC_DEVICE_GET, d));
}

/* The struct starts in a mapped page and runs into an unmapped one. */
TEST_F(ioc, efault_straddles_unmapped)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct pcipass_ioc_device *d;
	char *p;

	p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p + pg, pg));
	d = (void *)(p + pg - 64);
	memset(d, 0, 64);
	d->size = DEV_SIZE;
	d->addr.domain = self->valid.domain;
	d->addr.bus = self->valid.bus;
	d->addr.devfn = self->valid.devfn;
	EXPECT_EQ(-EFAULT, pp_ioctl(self->fd, PCIPASS_IOC_DEVICE_GET, d));
	munmap(p, pg);
}

/* A valid request in read-only memory: the answer cannot be written back. */
TEST_F(ioc, efault_read_only)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct pcipass_ioc_device *d;
	void *p;

	p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	d = p;
	d->size = DEV_SIZE;
	d->addr.domain = self->valid.domain;
	d->addr.bus = self->valid.bus;
	d->addr.devfn = self->valid.devfn;
	ASSERT_EQ(0, mprotect(p, pg, PROT_READ));
	EXPECT_EQ(-EFAULT, pp_ioctl(self->fd, PCIPASS_IOC_DEVICE_GET, d));
	EXPECT_EQ(0U, d->present);
	munmap(p, pg);
}

/* Asking again and again gives the same answer. */
TEST_F(ioc, repeated_queries_stable)
{
	struct pcipass_ioc_device a, b;
	int i;

	ASSERT_EQ(0, pp_ioc_dev_get(self->fd, &self->valid, &a));
	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, pp_ioc_dev_get(self->fd, &self->valid, &b));
		ASSERT_EQ(0, memcmp(&a, &b, sizeof(a))) TH_LOG("query %d differs", i);
	}
}
