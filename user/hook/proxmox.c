// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass hook proxmox VMID PHASE: Proxmox VE's hookscript (qemu-server
 * runs "SNIPPET VMID PHASE" as root; boot/proxmox/pcipass-hook is that
 * snippet).  Only pre-start can stop a start, and it runs before
 * qemu-server checks mappings and binds devices itself: there every IOMMU
 * group the VM's hostpciN lines need is claimed for it, all or none.
 * post-stop (also after a crash: qmeventd runs "qm cleanup") runs once
 * QEMU has exited: the groups recorded for the VM are given back.  Other
 * phases do nothing.  The config is read, never written (qemu-server
 * holds the VM's config lock while the hook runs).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "hook/hook.h"
#include "hook/pve_conf.h"
#include "hook/vmhold.h"
#include "lib/print.h"
#include "lib/syspath.h"
#include "lib/sysroot.h"
#include "lib/util.h"

#define PVE_VM_CONF	"/etc/pve/qemu-server/%s.conf"
#define PVE_NODE_VM_CONF "/etc/pve/nodes/%.64s/qemu-server/%s.conf"
#define PVE_PCI_MAPPING	"/etc/pve/mapping/pci.cfg"
#define PVE_MAX_FNS	256
#define PVE_STOP_WAIT_S	10	/* qm cleanup waits 60 s for the config lock */

/* A whole file (at most 1 MiB), or NULL with errno. */
static char *text_load(const char *path)
{
	char full[4096], *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f;

	if (!sysroot_path(path, full, sizeof(full)))
		return NULL;
	f = fopen(full, "re");
	if (!f)
		return NULL;
	for (;;) {
		size_t got;

		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			if (cap > (1u << 20)) {
				free(buf);
				fclose(f);
				errno = EFBIG;
				return NULL;
			}
			buf = xrealloc(buf, cap);
		}
		got = fread(buf + len, 1, cap - len - 1, f);
		len += got;
		if (got == 0)
			break;
	}
	buf[len] = '\0';
	fclose(f);
	return buf;
}

/* Proxmox's node name: the host name up to the first dot. */
static void node_name(char *buf, size_t size)
{
	struct utsname u;

	if (uname(&u))
		snprintf(u.nodename, sizeof(u.nodename), "localhost");
	u.nodename[strcspn(u.nodename, ".")] = '\0';
	snprintf(buf, size, "%s", u.nodename);
}

struct fn_list {
	struct hook_fn v[PVE_MAX_FNS];
	size_t n;
};

/* Every function an ID names (qemu-server's prefix match), sorted as
 * sysfs lists them.  How many.
 */
static size_t expand(const char *id, const char *from, struct fn_list *l)
{
	size_t n, found = 0;
	char **names = sysroot_list("/sys/bus/pci/devices", &n);

	for (size_t i = 0; i < n; i++) {
		if (!pve_id_matches(id, names[i]) || l->n >= PVE_MAX_FNS)
			continue;
		snprintf(l->v[l->n].addr, ADDR_STRLEN, "%s", names[i]);
		snprintf(l->v[l->n++].from, sizeof(l->v[0].from), "%s", from);
		found++;
	}
	sysroot_free_names(names, n);
	return found;
}

/* "a;b": each ID expanded; false (and why) when one names nothing. */
static bool expand_list(const char *ids, const char *from, struct fn_list *l,
			char *why, size_t size)
{
	char *copy = xstrdup(ids), *save = NULL, *id;
	bool ok = true;

	for (id = strtok_r(copy, ";", &save); id && ok;
	     id = strtok_r(NULL, ";", &save))
		if (!expand(id, from, l)) {
			snprintf(why, size, "%s: no PCI device found for '%s'",
				 from, id);
			ok = false;
		}
	free(copy);
	return ok;
}

static bool read_id(const char *addr, const char *file, unsigned long *v)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", addr, file);
	return syspath_read_ulong(path, v);
}

/*
 * One map line against the hardware, as qemu-server's assert_valid does
 * (it refuses the start on any mismatch): IDs, subsystem IDs and IOMMU
 * group of each path's function (function 0 of a whole slot).
 */
static bool map_valid(const char *name, const struct pve_map *m, char *why,
		      size_t size)
{
	char *copy = xstrdup(m->path), *save = NULL, *id;
	bool ok = true;

	for (id = strtok_r(copy, ";", &save); id && ok;
	     id = strtok_r(NULL, ";", &save)) {
		char addr[ADDR_STRLEN + 4], path[128], *grp;
		unsigned long v, d, sv = 0, sd = 0;

		snprintf(addr, sizeof(addr), "%s%s", id, strchr(id, '.') ? "" : ".0");
		if (!read_id(addr, "vendor", &v) || !read_id(addr, "device", &d)) {
			snprintf(why, size, "mapping '%s': %s: no such PCI function: the hardware changed; fix %s (Datacenter > Resource Mappings)",
				 name, addr, PVE_PCI_MAPPING);
			ok = false;
			break;
		}
		read_id(addr, "subsystem_vendor", &sv);
		read_id(addr, "subsystem_device", &sd);
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", addr);
		grp = syspath_target_name(path);
		if (v != m->vendor || d != m->device)
			snprintf(why, size, "mapping '%s': %s is %04lx:%04lx, the mapping says %04x:%04x",
				 name, addr, v, d, m->vendor, m->device);
		else if (m->has_sub && (sv != m->sub_vendor || sd != m->sub_device))
			snprintf(why, size, "mapping '%s': %s has subsystem %04lx:%04lx, the mapping says %04x:%04x",
				 name, addr, sv, sd, m->sub_vendor, m->sub_device);
		else if (m->has_group && id == copy &&
			 (!grp || strtoul(grp, NULL, 10) != m->group))
			snprintf(why, size, "mapping '%s': %s is in IOMMU group %s, the mapping says %u",
				 name, addr, grp ? grp : "(none)", m->group);
		else
			why[0] = '\0';
		ok = !why[0];
		free(grp);
	}
	free(copy);
	if (!ok && !strstr(why, "hardware changed"))
		snprintf(why + strlen(why), size - strlen(why),
			 ": the hardware changed; fix %s (Datacenter > Resource Mappings)",
			 PVE_PCI_MAPPING);
	return ok;
}

/* Is any function of fns[from..] in a group another VM holds? */
static bool held_by_other(const char *owner, const struct fn_list *l,
			  size_t from, const struct vmhold *recs, size_t nrecs)
{
	for (size_t i = from; i < l->n; i++) {
		const struct vmhold *r = vmhold_find(recs, nrecs, l->v[i].addr);

		if (r && strcmp(r->owner, owner))
			return true;
	}
	return false;
}

/*
 * mapping=NAME: this node's map lines, all valid (or qemu-server refuses
 * the start anyway), then the first alternative no other VM holds, as
 * qemu-server picks the first one free.
 */
static bool expand_mapping(const char *owner, const struct pve_hostpci *h,
			   struct fn_list *l, char *why, size_t size)
{
	char node[72], from[48], *cfg = text_load(PVE_PCI_MAPPING);
	struct pve_map *m = NULL;
	struct vmhold *recs;
	size_t nm = 0, nrecs, start = l->n;
	int err, pick = -1, first = -1;
	bool ok;

	snprintf(from, sizeof(from), "hostpci%u (mapping %s)", h->index, h->mapping);
	node_name(node, sizeof(node));
	if (!cfg) {
		snprintf(why, size, "%s: cannot read %s: %s", from, PVE_PCI_MAPPING,
			 strerror(errno));
		return false;
	}
	err = pve_mapping_find(cfg, h->mapping, node, &m, &nm, why, size);
	free(cfg);
	if (err == -ENOENT || (!err && !nm)) {
		snprintf(why, size, "%s: no mapping '%s' for node %s in %s", from,
			 h->mapping, node, PVE_PCI_MAPPING);
		return false;
	}
	if (err)
		return false;
	ok = true;
	for (size_t i = 0; i < nm && ok; i++)
		ok = map_valid(h->mapping, &m[i], why, size);
	nrecs = vmhold_load(&recs);
	for (size_t i = 0; i < nm && ok && pick < 0; i++) {
		l->n = start;
		if (!expand_list(m[i].path, from, l, why, size))
			continue;
		if (first < 0)
			first = (int)i;
		if (!held_by_other(owner, l, start, recs, nrecs))
			pick = (int)i;
	}
	if (pick < 0)
		pick = first;	/* all held: the claim says by whom */
	l->n = start;
	if (ok)
		ok = pick >= 0 && expand_list(m[pick].path, from, l, why, size);
	free(recs);
	pve_maps_free(m, nm);
	return ok;
}

static int proxmox_start(const char *vmid, const char *owner)
{
	const char *migrated_from = getenv("PVE_MIGRATED_FROM");
	char conf[192], why[512] = "", words[VMHOLD_OWNER_MAX + 32];
	struct fn_list *l = xrealloc(NULL, sizeof(*l));
	struct pve_vm vm;
	char *text;
	bool ok = true;
	int status;

	/* a migration's target: the config is still the source node's */
	if (migrated_from && *migrated_from && !strchr(migrated_from, '/'))
		snprintf(conf, sizeof(conf), PVE_NODE_VM_CONF, migrated_from, vmid);
	else
		snprintf(conf, sizeof(conf), PVE_VM_CONF, vmid);
	vmhold_owner_words(owner, words, sizeof(words));
	text = text_load(conf);
	if (!text) {
		pp_err("%s not started: cannot read %s: %s", words, conf, strerror(errno));
		free(l);
		return EXIT_RUNTIME;
	}
	if (pve_vm_parse(text, &vm, why, sizeof(why))) {
		pp_err("%s not started: %s: %s", words, conf, why);
		free(text);
		free(l);
		return EXIT_RUNTIME;
	}
	free(text);
	l->n = 0;
	for (size_t i = 0; i < vm.n && ok && !vm.template; i++) {
		const struct pve_hostpci *h = &vm.hostpci[i];
		char from[16];

		snprintf(from, sizeof(from), "hostpci%u", h->index);
		if (h->keep || h->mdev) {
			print_text("%s: %s: left to Proxmox\n", from,
				   h->keep ? "driver=keep" : "a mediated device (mdev)");
			continue;
		}
		ok = h->mapping ? expand_mapping(owner, h, l, why, sizeof(why)) :
				  expand_list(h->host, from, l, why, sizeof(why));
	}
	pve_vm_free(&vm);
	if (!ok) {
		pp_err("%s not started: %s", words, why);
		free(l);
		return EXIT_REFUSED;
	}
	if (!l->n) {
		print_text("%s passes no PCI device through\n", words);
		free(l);
		return EXIT_OK;
	}
	status = hook_claim_all(owner, l->v, l->n);
	free(l);
	return status;
}

int hook_proxmox(const char *vmid, const char *phase)
{
	char owner[VMHOLD_OWNER_MAX];
	size_t len = strlen(vmid);

	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)vmid[i]))
			len = 0;
	if (!len || len > 9) {
		pp_err("hook proxmox: '%s' is not a VMID", vmid);
		return EXIT_USAGE;
	}
	snprintf(owner, sizeof(owner), "proxmox:%s", vmid);
	if (!strcmp(phase, "pre-start"))
		return proxmox_start(vmid, owner);
	if (!strcmp(phase, "post-stop"))
		return hook_release_all(owner, PVE_STOP_WAIT_S);
	return EXIT_OK;		/* post-start, pre-stop, later phases */
}
