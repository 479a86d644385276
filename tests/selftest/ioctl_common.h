/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ioctl_test only: what its parts share.  The command numbers and struct
 * sizes the requests are built from, the ioc fixture (/dev/pcipass open,
 * the first PCI function and its sysfs view) that ioctl_test.c and
 * ioctl_efault.h, ioctl_isolation.h and ioctl_claim.h run their tests on,
 * and OPEN_DEV/NEED_ROOT.
 *
 * A header, not a .c file: the fixture and the macros use
 * ASSERT/SKIP/TH_LOG, and kselftest_harness.h may be included by only one
 * file of a program.  Included first by ioctl_test.c, so the ioc fixture
 * is registered before iocerr as it always was.
 */
#ifndef PCIPASS_SELFTEST_IOCTL_COMMON_H
#define PCIPASS_SELFTEST_IOCTL_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "harness.h"

#include "ppcommon.h"

#define IOC_RW(nr, size)	_IOC(_IOC_READ | _IOC_WRITE, PCIPASS_IOC_MAGIC, (nr), (size))
#define DEV_NR			_IOC_NR(PCIPASS_IOC_DEVICE_GET)
#define VER_NR			_IOC_NR(PCIPASS_IOC_VERSION)
#define DEV_SIZE		sizeof(struct pcipass_ioc_device)
#define VER_SIZE		sizeof(struct pcipass_ioc_version)
#define ISO_NR			_IOC_NR(PCIPASS_IOC_ISOLATION_GET)
#define ISO_SIZE		sizeof(struct pcipass_ioc_isolation)
#define CLAIM_NR		_IOC_NR(PCIPASS_IOC_CLAIM)
#define RELEASE_NR		_IOC_NR(PCIPASS_IOC_RELEASE)
#define CLAIM_SIZE		sizeof(struct pcipass_ioc_claim)
#define UNUSED_NR		0x05	/* the first number no ioctl has */
#define DRY_RUN			PCIPASS_IOC_CLAIM_F_DRY_RUN

#define OPEN_DEV(fdp) do {						\
	*(fdp) = open(PCIPASS_DEV_PATH, O_RDONLY | O_CLOEXEC);		\
	if (*(fdp) < 0 && errno == ENOENT && !pp_module_loaded())		\
		SKIP(return, "pcipass module not loaded");		\
	ASSERT_LE(0, *(fdp)) TH_LOG("open %s: %s", PCIPASS_DEV_PATH,	\
				    strerror(errno));			\
} while (0)

#define NEED_ROOT() do {						\
	if (geteuid() != 0)						\
		SKIP(return, "needs root (CAP_SYS_ADMIN)");		\
} while (0)

FIXTURE(ioc) {
	int fd;
	struct pci_addr valid;
	struct sysfs_dev sd;
};

FIXTURE_SETUP(ioc)
{
	char name[32];

	self->fd = -1;
	OPEN_DEV(&self->fd);
	ASSERT_EQ(0, pp_first_pci_addr(&self->valid));
	pci_addr_fmt(&self->valid, name, sizeof(name));
	ASSERT_EQ(0, sysfs_pci_read(name, &self->sd));
}

FIXTURE_TEARDOWN(ioc)
{
	if (self->fd >= 0)
		close(self->fd);
}

#endif
