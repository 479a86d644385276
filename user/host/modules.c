// SPDX-License-Identifier: GPL-2.0
/*
 * Checks 7 and 10: the VFIO modules and pcipass.ko, as modprobe would
 * find them (libkmod) and as the running kernel has them (/sys/module).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"
#include "lib/print.h"
#include "lib/sysroot.h"
#include "lib/util.h"

/* vfio_pci_core exists since 5.16; vfio_iommu_type1 may be absent where
 * iommufd provides the container.  Only the first two are required.
 */
const char *const host_vfio_mods[VFIO_NMODS] = {
	"vfio", "vfio_pci", "vfio_pci_core", "vfio_iommu_type1",
};
#define VFIO_NREQUIRED 2

void host_gather_vfio(struct host_facts *f)
{
	for (size_t i = 0; i < VFIO_NMODS; i++)
		modlookup_get(f->mods, host_vfio_mods[i], false,
			      &f->vfio.mods[i]);
}

void host_gather_pcipass(struct host_facts *f)
{
	modlookup_get(f->mods, "pcipass", true, &f->pcipass.mod);
	if (!f->pcipass.mod.loaded)
		return;
	f->pcipass.taint = sysroot_read_line("/sys/module/pcipass/taint");
	f->pcipass.version = sysroot_read_line("/sys/module/pcipass/version");
}

/* One word per module for the text line. */
static const char *state_word(const struct mod_info *m)
{
	if (m->avail == MOD_BUILTIN)
		return "built-in";
	if (m->loaded)
		return "loaded";
	switch (m->avail) {
	case MOD_FILE:
		return "available";
	case MOD_MISSING:
		return "missing";
	default:
		return "unknown";
	}
}

static char *module_states(const struct vfio_facts *vf)
{
	char *s = NULL;
	size_t len = 0;
	FILE *m = xopen_memstream(&s, &len);

	for (size_t i = 0; i < VFIO_NMODS; i++)
		fprintf(m, "%s%s %s", i ? ", " : "", host_vfio_mods[i],
			state_word(&vf->mods[i]));
	fclose(m);
	return s;
}

/* Returns the worst state among the required modules. */
static const char *required_gap(const struct vfio_facts *vf)
{
	const char *gap = NULL;

	for (size_t i = 0; i < VFIO_NREQUIRED; i++) {
		const char *w = state_word(&vf->mods[i]);

		if (!strcmp(w, "missing"))
			return w;
		if (!strcmp(w, "unknown"))
			gap = w;
	}
	return gap;
}

static void judge_vfio(const struct host_facts *f, struct host_verdict *v)
{
	const struct vfio_facts *vf = &f->vfio;
	const char *gap = required_gap(vf);
	char *states = module_states(vf);

	if (gap && !strcmp(gap, "missing")) {
		host_result(v, HOST_FAIL, "%s", states);
		host_fix(v, false, "this kernel is built without VFIO (CONFIG_VFIO, CONFIG_VFIO_PCI): boot your distribution's standard kernel");
	} else if (gap) {
		host_result(v, HOST_WARN, "%s: no module index %s/modules.dep.bin to look in",
			    states, modlookup_dir(f->mods) ?
			    modlookup_dir(f->mods) : "/lib/modules/RELEASE");
		host_fix(v, false, "install the modules of the running kernel (its linux-image package), or run depmod");
	} else {
		host_result(v, HOST_PASS, "%s", states);
		if (!vf->mods[1].loaded && vf->mods[1].avail == MOD_FILE)
			host_detail(v, "vfio-pci loads when a device is bound to it (vfio-pci.ids=, driverctl, or the VM manager); to load it at boot, list vfio_pci in /etc/modules");
	}
	free(states);
}

static void print_mod(const char *name, const struct mod_info *m)
{
	print_string(PRINT_JSON, "name", NULL, name);
	print_opt_string(PRINT_JSON, "available", NULL,
			 modlookup_avail_name(m->avail), NULL);
	print_bool(PRINT_JSON, "loaded", NULL,
		   m->loaded || m->avail == MOD_BUILTIN);
	print_opt_string(PRINT_JSON, "path", NULL, m->path, NULL);
}

static void facts_vfio(const struct host_facts *f)
{
	open_json_array("modules");
	for (size_t i = 0; i < VFIO_NMODS; i++) {
		open_json_object(NULL);
		print_mod(host_vfio_mods[i], &f->vfio.mods[i]);
		close_json_object();
	}
	close_json_array();
}

const struct host_check host_check_vfio_modules = {
	"vfio_modules", "VFIO modules", judge_vfio, facts_vfio,
};

/* --- 10: pcipass.ko --- */

#define INSTALL_FIX "build and install it from the pcipass source: sudo make install, or sudo make dkms-install"

static void judge_pcipass(const struct host_facts *f, struct host_verdict *v)
{
	const struct pcipass_facts *p = &f->pcipass;
	const char *rel = f->release ? f->release : "(unknown)";

	if (p->mod.loaded || p->mod.avail == MOD_BUILTIN) {
		host_result(v, HOST_PASS, "loaded%s%s%s",
			    p->version ? " (version " : "",
			    p->version ? p->version : "",
			    p->version ? ")" : "");
	} else if (p->mod.avail == MOD_FILE && p->mod.sig == MOD_SIG_NONE &&
		   host_sig_enforced(&f->boot)) {
		host_result(v, HOST_WARN, "not loaded; installed as %s, unsigned, which this kernel refuses",
			    p->mod.path);
		host_fix(v, false, "sign it first (see \"Secure Boot\"), then run modprobe pcipass");
	} else if (p->mod.avail == MOD_FILE) {
		host_result(v, HOST_INFO, "not loaded; installed as %s",
			    p->mod.path);
		host_fix(v, false, "run modprobe pcipass (pcipass list and show also load it on first use)");
	} else if (p->mod.avail == MOD_MISSING) {
		host_result(v, HOST_WARN, "not loaded, and not installed for kernel %s",
			    rel);
		host_fix(v, false, INSTALL_FIX);
	} else {
		host_result(v, HOST_WARN, "not loaded; no module index to look for it (kernel %s)",
			    rel);
		host_fix(v, false, INSTALL_FIX);
	}
}

static void facts_pcipass(const struct host_facts *f)
{
	print_mod("pcipass", &f->pcipass.mod);
	print_opt_string(PRINT_JSON, "version", NULL, f->pcipass.version,
			 NULL);
}

const struct host_check host_check_pcipass_module = {
	"pcipass_module", "pcipass module", judge_pcipass, facts_pcipass,
};
