/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_LIBVIRT_XML_H
#define PCIPASS_LIBVIRT_XML_H

#include <stddef.h>

#include "hook/hook.h"

/*
 * The PCI functions a libvirt domain passes through unmanaged, from the
 * domain XML libvirt gives its hooks on stdin:
 *
 *   <hostdev mode='subsystem' type='pci' managed='no'>
 *     <source><address domain='0x0000' bus='0x06' slot='0x00'
 *                      function='0x1'/></source>
 *   </hostdev>
 *
 * managed='yes' hostdevs are libvirt's to bind (it detaches them itself);
 * a missing managed attribute is libvirt's default, no.  Each function
 * found goes into v (at most max), labelled "hostdev N" in document order.
 * Return: 0, or -EINVAL with why (not XML, not a domain, a bad address).
 */
int libvirt_unmanaged_pci(const char *xml, size_t len, struct hook_fn *v,
			  size_t max, size_t *n, char *why, size_t size);

#endif
