// SPDX-License-Identifier: GPL-2.0
/*
 * Checks 6 and 8: what the kernel command line asks for.  6 lists the
 * passthrough-related parameters; 8 judges the ones that change how
 * IOMMU groups are formed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"
#include "lib/print.h"
#include "lib/util.h"

/* Keys in the kernel's '_' form; see Documentation/admin-guide/
 * kernel-parameters.txt and the passthrough guides that use them.
 */
static const char *const relevant[] = {
	"intel_iommu", "amd_iommu", "amd_iommu_intr", "iommu",
	"iommu.passthrough", "iommu.strict", "intremap", "nointremap",
	"pcie_acs_override", "pci", "vfio_pci.ids", "vfio_pci.disable_vga",
	"vfio_iommu_type1.allow_unsafe_interrupts", "video",
	"initcall_blacklist", "modprobe.blacklist", "module_blacklist",
	"nomodeset", "kvm.ignore_msrs",
};

/* video= also sets display modes; only the "efifb:off"-style words,
 * which keep a framebuffer off the GPU being passed through, matter.
 */
static bool is_relevant(const struct cmdline_param *p)
{
	size_t n;

	if (!strcmp(p->key, "video")) {
		n = p->value ? strlen(p->value) : 0;
		return n > 4 && !strcmp(p->value + n - 4, ":off");
	}
	for (size_t i = 0; i < ARRAY_SIZE(relevant); i++)
		if (!strcmp(p->key, relevant[i]))
			return true;
	return false;
}

static void judge_cmdline(const struct host_facts *f, struct host_verdict *v)
{
	const struct cmdline *c = &f->cmdline;
	bool first = true;
	char *s = NULL;
	size_t len = 0;
	FILE *m;

	if (!f->cmdline_readable) {
		host_result(v, HOST_WARN, "cannot read /proc/cmdline");
		return;
	}
	m = xopen_memstream(&s, &len);
	for (size_t i = 0; i < c->n; i++) {
		if (!is_relevant(&c->v[i]))
			continue;
		fprintf(m, "%s%s", first ? "" : " ", c->v[i].name);
		first = false;
		if (c->v[i].value)
			fprintf(m, "=%s", c->v[i].value);
	}
	fclose(m);
	if (*s)
		host_result(v, HOST_INFO, "%s", s);
	else
		host_result(v, HOST_INFO, "none of the passthrough-related parameters");
	free(s);
}

static void facts_cmdline(const struct host_facts *f)
{
	const struct cmdline *c = &f->cmdline;

	open_json_array("parameters");
	for (size_t i = 0; i < c->n; i++) {
		if (!is_relevant(&c->v[i]))
			continue;
		open_json_object(NULL);
		print_string(PRINT_JSON, "name", NULL, c->v[i].name);
		print_opt_string(PRINT_JSON, "value", NULL, c->v[i].value, NULL);
		close_json_object();
	}
	close_json_array();
}

const struct host_check host_check_cmdline = {
	"cmdline", "Kernel parameters", judge_cmdline, facts_cmdline,
};

/* --- 8: ACS override --- */

struct acs_params {
	const char *override;	/* pcie_acs_override value ("" bare) */
	char *config_acs;	/* pci=config_acs= */
	char *disable_redir;	/* pci=disable_acs_redir= */
};

static void replace(char **dst, char *src)
{
	if (!src)
		return;
	free(*dst);
	*dst = src;
}

/* pci= may appear more than once; a later one only replaces the options
 * it names, as the kernel keeps the last value of each.
 */
static void acs_params(const struct cmdline *c, struct acs_params *a)
{
	const struct cmdline_param *p = cmdline_find(c, "pcie_acs_override");

	memset(a, 0, sizeof(*a));
	if (p)
		a->override = p->value ? p->value : "";
	for (size_t i = 0; i < c->n; i++) {
		const char *v = c->v[i].value;

		if (strcmp(c->v[i].key, "pci"))
			continue;
		replace(&a->config_acs, cmdline_opt_value(v, "config_acs"));
		replace(&a->disable_redir,
			cmdline_opt_value(v, "disable_acs_redir"));
	}
}

static void acs_params_free(struct acs_params *a)
{
	free(a->config_acs);
	free(a->disable_redir);
}

/* "config_acs=...,disable_acs_redir=..." as on the command line */
static char *pci_acs_words(const struct acs_params *a)
{
	char *s = NULL;
	size_t len = 0;
	FILE *m = xopen_memstream(&s, &len);

	if (a->config_acs)
		fprintf(m, "config_acs=%s", a->config_acs);
	if (a->disable_redir)
		fprintf(m, "%sdisable_acs_redir=%s", a->config_acs ? "," : "",
			a->disable_redir);
	fclose(m);
	return s;
}

static void judge_acs(const struct host_facts *f, struct host_verdict *v)
{
	struct acs_params a;
	char *pci;

	acs_params(&f->cmdline, &a);
	pci = pci_acs_words(&a);
	if (a.override) {
		host_result(v, HOST_WARN, "pcie_acs_override=%s: IOMMU groups are split by the out-of-tree ACS override patch, not by hardware isolation",
			    a.override);
		host_fix(v, true, "remove pcie_acs_override unless you accept that devices in \"separate\" groups can still reach each other by peer-to-peer DMA; prefer a slot whose group holds only the device (pcipass list)");
		if (*pci)
			host_detail(v, "pci=%s also changes ACS controls",
				    pci);
	} else if (a.config_acs || a.disable_redir) {
		host_result(v, HOST_INFO, "pci=%s: ACS controls changed on the named devices",
			    pci);
		host_detail(v, "the kernel forms IOMMU groups from the resulting ACS state, so groups stay truthful; turning ACS bits off (disable_acs_redir, '0' in config_acs) allows peer-to-peer DMA and may merge groups");
	} else {
		host_result(v, HOST_PASS, "none: IOMMU groups follow the hardware's ACS");
	}
	free(pci);
	acs_params_free(&a);
}

static void facts_acs(const struct host_facts *f)
{
	struct acs_params a;

	acs_params(&f->cmdline, &a);
	print_opt_string(PRINT_JSON, "pcie_acs_override", NULL, a.override,
			 NULL);
	print_opt_string(PRINT_JSON, "config_acs", NULL, a.config_acs, NULL);
	print_opt_string(PRINT_JSON, "disable_acs_redir", NULL,
			 a.disable_redir, NULL);
	acs_params_free(&a);
}

const struct host_check host_check_acs_override = {
	"acs_override", "ACS override", judge_acs, facts_acs,
};
