// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass hook libvirt NAME OPERATION SUB-OPERATION [EXTRA]
 *
 * libvirt's qemu hook (hooks/libvirt/pcipass, installed into
 * /etc/libvirt/hooks/qemu.d/), run by the daemon with the domain XML on
 * stdin.  "prepare begin" comes before libvirt looks at the hostdevs: the
 * IOMMU groups of the unmanaged PCI hostdevs (managed='no') are claimed
 * for the domain there, all or none, and a refusal fails the start with
 * our stderr in virsh's error.  "release end" comes after QEMU is gone,
 * also after a crash or a failed start: the domain's groups go back.
 * Everything else exits 0 and prints nothing: libvirt reads a hook's
 * stdout back as the domain XML for migrate and restore, and a failed
 * reconnect kills the running domain.  Never calls back into libvirt
 * (its documentation: a deadlock).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hook/hook.h"
#include "hook/libvirt_xml.h"
#include "hook/vmhold.h"
#include "lib/print.h"
#include "lib/util.h"

#define LIBVIRT_XML_MAX		(16u << 20)
#define LIBVIRT_HOSTDEVS_MAX	64
#define LIBVIRT_STOP_WAIT_S	10	/* QEMU is already reaped by then */

static char *read_stdin(size_t *len)
{
	size_t cap = 65536;
	char *buf = xrealloc(NULL, cap);
	ssize_t got;

	*len = 0;
	while ((got = read(STDIN_FILENO, buf + *len, cap - *len)) > 0) {
		*len += (size_t)got;
		if (*len == cap) {
			if (cap >= LIBVIRT_XML_MAX)
				break;
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
	}
	return buf;
}

static int libvirt_start(const char *owner)
{
	struct hook_fn fns[LIBVIRT_HOSTDEVS_MAX];
	char why[256], words[VMHOLD_OWNER_MAX + 32];
	size_t len, n;
	char *xml = read_stdin(&len);
	int err = libvirt_unmanaged_pci(xml, len, fns, LIBVIRT_HOSTDEVS_MAX, &n,
					why, sizeof(why));

	free(xml);
	if (err) {
		pp_err("%s not started: %s",
		       vmhold_owner_words(owner, words, sizeof(words)), why);
		return EXIT_RUNTIME;
	}
	return n ? hook_claim_all(owner, fns, n) : EXIT_OK;
}

int hook_libvirt(const char *name, const char *op, const char *sub)
{
	bool start = !strcmp(op, "prepare") && !strcmp(sub, "begin");
	bool stop = !strcmp(op, "release") && !strcmp(sub, "end");
	char owner[VMHOLD_OWNER_MAX];

	/* not ours, judged before anything else: no output, exit 0 */
	if (!start && !stop)
		return EXIT_OK;
	if (!*name || strlen(name) > 100 || strchr(name, '\n')) {
		pp_err("hook libvirt: '%s' is not a domain name pcipass records", name);
		return start ? EXIT_USAGE : EXIT_OK;
	}
	snprintf(owner, sizeof(owner), "libvirt:%s", name);
	return start ? libvirt_start(owner) :
		       hook_release_all(owner, LIBVIRT_STOP_WAIT_S);
}
