// SPDX-License-Identifier: GPL-2.0
/*
 * Check 9: Secure Boot, lockdown and module signatures, and what they mean
 * for loading pcipass.ko.  Debian (like most distributions) locks the
 * kernel down under Secure Boot, and a locked-down kernel loads only
 * modules signed by a key it trusts: built in, or enrolled as a MOK.
 */
#include <stdlib.h>
#include <string.h>

#include "host/host.h"
#include "lib/print.h"
#include "lib/sysroot.h"
#include "lib/util.h"

/* EFI global variable GUID; efivarfs prefixes the value with 4 bytes of
 * attributes, then SecureBoot's single data byte (1 = enabled).
 */
#define SECUREBOOT_VAR "/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"

static enum tri secure_boot(bool uefi)
{
	char buf[16];
	ssize_t n;

	if (!uefi)
		return TRI_NO;
	n = sysroot_read(SECUREBOOT_VAR, buf, sizeof(buf));
	if (n < 5)
		return TRI_UNKNOWN;
	return buf[4] == 1 ? TRI_YES : TRI_NO;
}

/* "none [integrity] confidentiality" -> "integrity" */
static char *lockdown(void)
{
	char *line = sysroot_read_line("/sys/kernel/security/lockdown");
	char *open = line ? strchr(line, '[') : NULL;
	char *close = open ? strchr(open, ']') : NULL;
	char *word = NULL;

	if (close) {
		*close = '\0';
		word = xstrdup(open + 1);
	}
	free(line);
	return word;
}

static enum tri sig_enforce(void)
{
	char *v = sysroot_read_line("/sys/module/module/parameters/sig_enforce");
	enum tri t = TRI_UNKNOWN;

	/* absent without CONFIG_MODULE_SIG: nothing is checked then */
	if (v)
		t = v[0] == 'Y' ? TRI_YES : TRI_NO;
	free(v);
	return t;
}

void host_gather_boot(struct host_facts *f)
{
	struct boot_facts *b = &f->boot;

	b->uefi = sysroot_is_dir("/sys/firmware/efi");
	b->secure_boot = secure_boot(b->uefi);
	b->lockdown = lockdown();
	b->sig_enforce = sig_enforce();
}

/* Will the kernel refuse an unsigned module?  Secure Boot with lockdown
 * not visible counts as yes: that is what the distributions do.
 */
bool host_sig_enforced(const struct boot_facts *b)
{
	if (b->sig_enforce == TRI_YES)
		return true;
	if (b->lockdown)
		return strcmp(b->lockdown, "none") != 0;
	return b->secure_boot == TRI_YES;
}

static const char *tri_word(enum tri t, const char *yes, const char *no)
{
	return t == TRI_YES ? yes : t == TRI_NO ? no : "unknown";
}

static const char *module_signature(const struct mod_info *m)
{
	if (m->avail != MOD_FILE || m->sig == MOD_SIG_UNKNOWN)
		return NULL;
	return m->sig == MOD_SIG_SIGNED ? "signed" : "unsigned";
}

/* The module's part of the summary, and whether it will fail to load. */
static bool module_part(const struct host_facts *f, bool enforce,
			char *buf, size_t size)
{
	const struct pcipass_facts *p = &f->pcipass;
	const char *sig = module_signature(&p->mod);

	if (p->mod.loaded) {
		snprintf(buf, size, "pcipass.ko loaded%s",
			 p->taint && strchr(p->taint, 'E') ?
			 " without a valid signature (taint E)" : "");
	} else if (!sig) {
		snprintf(buf, size, "pcipass.ko %s",
			 p->mod.avail == MOD_FILE ? "signature unreadable" :
			 p->mod.avail == MOD_MISSING ? "not installed" :
			 "not found (no module index)");
	} else if (!strcmp(sig, "unsigned")) {
		snprintf(buf, size, "pcipass.ko is unsigned%s",
			 enforce ? " and will not load" : "");
		return enforce;
	} else {
		snprintf(buf, size, "pcipass.ko signed by \"%s\"",
			 p->mod.signer ? p->mod.signer : "(unnamed key)");
	}
	return false;
}

static void judge(const struct host_facts *f, struct host_verdict *v)
{
	const struct boot_facts *b = &f->boot;
	bool enforce = host_sig_enforced(b);
	char mod[256];
	bool blocked = module_part(f, enforce, mod, sizeof(mod));
	enum host_status st = blocked ? HOST_WARN :
			      b->uefi || enforce ? HOST_PASS : HOST_INFO;

	if (b->uefi)
		host_result(v, st, "UEFI, Secure Boot %s, lockdown %s, signatures %s; %s",
			    tri_word(b->secure_boot, "on", "off"),
			    b->lockdown ? b->lockdown : "unknown",
			    enforce ? "enforced" : "not enforced", mod);
	else
		host_result(v, st, "legacy BIOS boot (no Secure Boot), signatures %s; %s",
			    enforce ? "enforced" : "not enforced", mod);
	if (blocked)
		host_fix(v, false, "have DKMS sign it (sudo make dkms-install signs with /var/lib/dkms/mok.key), enroll that key once with sudo mokutil --import /var/lib/dkms/mok.pub, reboot and confirm in MokManager");
	else if (enforce && f->pcipass.mod.sig == MOD_SIG_SIGNED &&
		 !f->pcipass.mod.loaded)
		host_detail(v, "the kernel must trust that key: for the DKMS key check with mokutil --test-key /var/lib/dkms/mok.pub");
}

static void facts(const struct host_facts *f)
{
	const struct boot_facts *b = &f->boot;
	const struct pcipass_facts *p = &f->pcipass;

	print_bool(PRINT_JSON, "uefi", NULL, b->uefi);
	host_print_tri("secure_boot", b->secure_boot);
	print_opt_string(PRINT_JSON, "lockdown", NULL, b->lockdown, NULL);
	host_print_tri("sig_enforce", b->sig_enforce);
	print_bool(PRINT_JSON, "signatures_enforced", NULL,
		   host_sig_enforced(b));
	print_opt_string(PRINT_JSON, "module_signature", NULL,
			 module_signature(&p->mod), NULL);
	print_opt_string(PRINT_JSON, "module_signer", NULL, p->mod.signer,
			 NULL);
	print_opt_string(PRINT_JSON, "module_taint", NULL, p->taint, NULL);
}

const struct host_check host_check_secure_boot = {
	"secure_boot", "Secure Boot", judge, facts,
};
