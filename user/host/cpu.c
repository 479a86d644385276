// SPDX-License-Identifier: GPL-2.0
/*
 * Check 1: can the CPU run KVM guests at all.  The kernel clears vmx/svm
 * from the flags when firmware has the feature disabled, so the flags
 * alone answer "enabled", not just "present".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"
#include "lib/print.h"
#include "lib/sysroot.h"
#include "lib/util.h"

/* "key\t\t: value" -> value, when the line is that key */
static const char *field(const char *line, const char *key)
{
	size_t n = strlen(key);

	if (strncmp(line, key, n) || (line[n] != ' ' && line[n] != '\t' &&
				      line[n] != ':'))
		return NULL;
	line = strchr(line + n, ':');
	return line ? line + 1 + strspn(line + 1, " \t") : NULL;
}

static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') &&
		    (p[n] == ' ' || p[n] == '\n' || !p[n]))
			return true;
	return false;
}

/* Every CPU repeats the same lines; the first of each is enough. */
void host_gather_cpu(struct host_facts *f)
{
	struct cpu_facts *c = &f->cpu;
	FILE *in = sysroot_fopen("/proc/cpuinfo");
	char *line = NULL;
	size_t cap = 0;
	const char *v;

	if (!in)
		return;
	c->readable = true;
	while (!(c->vendor && c->has_flags) && getline(&line, &cap, in) > 0) {
		if (!c->vendor && (v = field(line, "vendor_id"))) {
			c->vendor = xstrdup(v);
			c->vendor[strcspn(c->vendor, "\n")] = '\0';
		} else if (!c->has_flags && (v = field(line, "flags"))) {
			c->has_flags = true;
			c->vmx = has_word(v, "vmx");
			c->svm = has_word(v, "svm");
			c->hypervisor = has_word(v, "hypervisor");
		}
	}
	free(line);
	fclose(in);
}

static const char *firmware_fix(const char *vendor)
{
	if (vendor && !strcmp(vendor, "GenuineIntel"))
		return "enable Intel VT-x (\"Intel Virtualization Technology\") in the firmware setup";
	if (vendor && (!strcmp(vendor, "AuthenticAMD") ||
		       !strcmp(vendor, "HygonGenuine")))
		return "enable AMD-V (\"SVM Mode\") in the firmware setup";
	return "enable VT-x (Intel) or AMD-V/SVM (AMD) in the firmware setup";
}

static void judge(const struct host_facts *f, struct host_verdict *v)
{
	const struct cpu_facts *c = &f->cpu;
	const char *vm = c->hypervisor ? ", inside a virtual machine (nested)" : "";

	if (!c->readable) {
		host_result(v, HOST_WARN, "cannot read /proc/cpuinfo");
	} else if (!c->has_flags) {
		host_result(v, HOST_INFO, "no x86 CPU flags in /proc/cpuinfo: this checklist is for Intel and AMD hosts");
	} else if (c->vmx) {
		host_result(v, HOST_PASS, "Intel VT-x (vmx)%s", vm);
	} else if (c->svm) {
		host_result(v, HOST_PASS, "AMD-V (svm)%s", vm);
	} else {
		host_result(v, HOST_FAIL, "neither vmx (VT-x) nor svm (AMD-V) in the CPU flags%s: KVM cannot run guests",
			    c->hypervisor ? ", inside a virtual machine" : "");
		if (c->hypervisor)
			host_fix(v, false, "enable nested virtualization on the hypervisor running this machine (e.g. kvm_intel nested=1 and CPU model host)");
		else
			host_fix(v, false, "%s", firmware_fix(c->vendor));
	}
}

static void facts(const struct host_facts *f)
{
	const struct cpu_facts *c = &f->cpu;

	print_opt_string(PRINT_JSON, "vendor", NULL, c->vendor, NULL);
	if (!c->has_flags) {
		print_null(PRINT_JSON, "vmx", NULL, NULL);
		print_null(PRINT_JSON, "svm", NULL, NULL);
		print_null(PRINT_JSON, "hypervisor", NULL, NULL);
		return;
	}
	print_bool(PRINT_JSON, "vmx", NULL, c->vmx);
	print_bool(PRINT_JSON, "svm", NULL, c->svm);
	print_bool(PRINT_JSON, "hypervisor", NULL, c->hypervisor);
}

const struct host_check host_check_cpu = {
	"cpu_virt", "CPU virtualization", judge, facts,
};
