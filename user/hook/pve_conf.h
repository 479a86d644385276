/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_PVE_CONF_H
#define PCIPASS_PVE_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * What a Proxmox VE VM passes through, read from its configuration the
 * way qemu-server reads it (hook/pve_conf.c, text in, no I/O):
 *
 *   /etc/pve/qemu-server/VMID.conf   "hostpciN: [host=]ID[;ID...][,opt=..]"
 *                                    or "hostpciN: mapping=NAME[,...]";
 *                                    only the lines before the first
 *                                    "[section]" (snapshots, [PENDING])
 *   /etc/pve/mapping/pci.cfg         "NAME" then tab-indented
 *                                    "map node=N,path=P[;P],id=V:D[,...]"
 *                                    lines, one per alternative
 *
 * An ID is [DDDD:]BB:DD[.F] in lower-case hex; without the function it is
 * every function of the slot (qemu-server matches it as a prefix of the
 * function's address).
 */

#define PVE_HOSTPCI_MAX	16

struct pve_hostpci {
	unsigned int index;	/* N of hostpciN */
	char *host;		/* "01:00;02:00.0", or NULL */
	char *mapping;		/* the mapping's name, or NULL */
	bool keep;		/* driver=keep: Proxmox binds nothing */
	bool mdev;		/* mdev=TYPE: a mediated device, not ours */
};

struct pve_vm {
	bool template;		/* template: 1 */
	struct pve_hostpci hostpci[PVE_HOSTPCI_MAX];
	size_t n;
};

/* One "map" line of a mapping, for this node. */
struct pve_map {
	char *path;		/* "0000:01:00;0000:02:00.0" */
	uint16_t vendor, device;
	bool has_sub;
	uint16_t sub_vendor, sub_device;
	bool has_group;
	uint32_t group;
};

/* A VM's config text: 0, or -EINVAL with why ("hostpci0: ..."). */
int pve_vm_parse(const char *text, struct pve_vm *vm, char *why, size_t size);
void pve_vm_free(struct pve_vm *vm);

/* The "map" lines of mapping name for node in pci.cfg's text: 0 (*n may
 * be 0: none for this node), -ENOENT (no such mapping) or -EINVAL (why).
 */
int pve_mapping_find(const char *text, const char *name, const char *node,
		     struct pve_map **v, size_t *n, char *why, size_t size);
void pve_maps_free(struct pve_map *v, size_t n);

/* Is id a valid hostpci ID ([DDDD:]BB:DD[.F], lower-case hex)? */
bool pve_id_valid(const char *id);
/* Does the function address addr ("0000:01:00.1") match id as
 * qemu-server's prefix match does?
 */
bool pve_id_matches(const char *id, const char *addr);

#endif
