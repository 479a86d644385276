// SPDX-License-Identifier: GPL-2.0
/*
 * /etc/pcipass/claims.conf: one persisted PCI function per line,
 *
 *   PATH VVVV:DDDD [sub=SVVV:SDDD] [dsn=HEX] [driver=NAME] [force] [# note]
 *
 * PATH is where the function sits, counted from its root bus so that it
 * survives bus renumbering: "0000:00:1c.0/00.0" is function 00.0 below the
 * bridge at 00:1c.0 of segment 0000, root bus 00; an SR-IOV VF is its PF's
 * path plus "/vfN".  Lines the CLI does not write (comments, blank lines)
 * are kept as they are.  The module gets the entries as its claims=
 * option (kmod/persist_parse.c reads it), written next to this file into
 * /etc/modprobe.d/pcipass.conf.
 *
 * /etc/pcipass/sriov.conf: one SR-IOV PF per line, its VF count,
 *
 *   PF_PATH VVVV:DDDD [sub=SVVV:SDDD] [dsn=HEX] vfs=N [# note]
 *
 * the PF's identity as claims.conf spells a function's; read at boot by
 * persist wait (persist/vfs.c), never by the module or the initramfs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util.h"
#include "persist/persist.h"

static const char conf_header[] =
	"# pcipass persisted claims: claimed at boot, before host drivers probe.\n"
	"# Written by 'pcipass claim --persist'; edit by hand if you like, then\n"
	"# run 'pcipass persist apply' (checks the file, updates the module option).\n"
	"#\n"
	"# PATH VENDOR:DEVICE [sub=SVENDOR:SDEVICE] [dsn=SERIAL] [driver=NAME] [force]\n"
	"#   PATH    where the function sits, from its root bus: DDDD:BB:dd.f, then\n"
	"#           dd.f per bridge below it, /vfN for an SR-IOV VF (stable when\n"
	"#           bus numbers change)\n"
	"#   dsn     PCIe Device Serial Number: the card is followed when it moves\n"
	"#   driver  default vfio-pci;  force: even the boot VGA device\n"
	"# Every function of an IOMMU group must be listed, or the group is left\n"
	"# to its host drivers.\n";

static const char sriov_header[] =
	"# pcipass persisted SR-IOV VF counts: VFs created at boot, before network\n"
	"# and VM services, with host VF drivers kept off them.\n"
	"# Written by 'pcipass sriov ADDR --vfs N --persist'; edit by hand if you like\n"
	"# ('pcipass persist list' checks it and says whether each PF is present).\n"
	"#\n"
	"# PF_PATH VENDOR:DEVICE [sub=SVENDOR:SDEVICE] [dsn=SERIAL] vfs=N\n"
	"#   PF_PATH  where the PF sits, from its root bus, as in claims.conf\n"
	"#   vfs      the number of VFs to create (1 or more)\n"
	"# A PF that does not match (other IDs or serial) is not touched.  The VFs'\n"
	"# claims, if any, are claims.conf entries (PF_PATH/vfN).\n";

/* "DDDD:BB:" then "dd.f" hops separated by '/', then an optional "/vfN". */
bool persist_path_valid(const char *p)
{
	unsigned int dom, bus, slot, fn, vf;
	int n = 0, hops = 0;

	/* sscanf alone would take blanks and "0x": one spelling per path */
	if (strlen(p) >= PERSIST_PATH_MAX ||
	    strspn(p, "0123456789abcdefABCDEF:./v") != strlen(p) ||
	    sscanf(p, "%4x:%2x:%n", &dom, &bus, &n) != 2 || n != 8)
		return false;
	for (p += n;; p++) {
		n = 0;
		if (sscanf(p, "%2x.%1u%n", &slot, &fn, &n) != 2 || n != 4 ||
		    slot > 0x1f || fn > 7 || ++hops > 8)
			return false;
		p += n;
		if (!*p)
			return true;
		if (*p != '/')
			return false;
		n = 0;
		if (sscanf(p + 1, "vf%5u%n", &vf, &n) == 1 && !p[1 + n] &&
		    n > 2 && vf <= 32767)
			return true;
	}
}

static bool parse_ids(const char *s, uint16_t *a, uint16_t *b)
{
	unsigned int x, y;
	int n = 0;

	if (strlen(s) != 9 || sscanf(s, "%4x:%4x%n", &x, &y, &n) != 2 ||
	    n != 9 || strspn(s, "0123456789abcdefABCDEF:") != 9)
		return false;
	*a = (uint16_t)x;
	*b = (uint16_t)y;
	return true;
}

static int parse_option(const char *t, struct persist_entry *e, char *why,
			size_t size, bool sriov)
{
	char *end;

	if (sriov && !strncmp(t, "vfs=", 4)) {
		errno = 0;
		e->vfs = strtoul(t + 4, &end, 10);
		if (!t[4] || *end || errno || strlen(t + 4) > 5 || !e->vfs ||
		    e->vfs > 65535 || strspn(t + 4, "0123456789") != strlen(t + 4))
			return fail_why(-1, why, size, "'%s': expected vfs=N, a number of VFs from 1 to 65535", t);
	} else if (sriov && (!strcmp(t, "force") || !strncmp(t, "driver=", 7))) {
		return fail_why(-1, why, size, "'%s': not for a VF count (a VF's claim goes into claims.conf)", t);
	} else if (!strcmp(t, "force")) {
		e->force = true;
	} else if (!strncmp(t, "sub=", 4)) {
		if (!parse_ids(t + 4, &e->sub_vendor, &e->sub_device))
			return fail_why(-1, why, size, "'%s': expected sub=SVENDOR:SDEVICE in hex, e.g. sub=8086:0000", t);
		e->has_sub = true;
	} else if (!strncmp(t, "dsn=", 4)) {
		errno = 0;
		e->dsn = strtoull(t + 4, &end, 16);
		if (!t[4] || *end || errno || strlen(t + 4) > 16 || !e->dsn ||
		    strspn(t + 4, "0123456789abcdefABCDEF") != strlen(t + 4))
			return fail_why(-1, why, size, "'%s': expected dsn= and up to 16 hex digits, not 0", t);
	} else if (!strncmp(t, "driver=", 7)) {
		if (!t[7] || strlen(t + 7) >= sizeof(e->driver) ||
		    strpbrk(t + 7, "/,;\\\""))
			return fail_why(-1, why, size, "'%s': expected driver=NAME (a PCI driver, e.g. vfio-pci)", t);
		strcpy(e->driver, t + 7);
	} else {
		return fail_why(-1, why, size, sriov ?
				"'%s': unknown; expected sub=, dsn= or vfs=" :
				"'%s': unknown; expected sub=, dsn=, driver= or force", t);
	}
	return 0;
}

static int parse_line(const char *text, struct persist_entry *e, char *why,
		      size_t size, bool sriov)
{
	char *copy = xstrdup(text), *hash = strchr(copy, '#'), *save = NULL;
	char *tok;
	int rc = 1, i = 0;

	memset(e, 0, sizeof(*e));
	strcpy(e->driver, "vfio-pci");
	if (hash) {
		*hash = '\0';
		e->note = xstrdup(hash + 1 + strspn(hash + 1, " \t"));
	}
	for (tok = strtok_r(copy, " \t\r", &save); tok && rc > 0;
	     tok = strtok_r(NULL, " \t\r", &save), i++) {
		if (i == 0 && !persist_path_valid(tok))
			rc = fail_why(-1, why, size, "'%s': expected a path like 0000:00:1c.0/00.0 (segment:root bus:device.function, then device.function per bridge, /vfN for a VF)", tok);
		else if (i == 0)
			strcpy(e->path, tok);
		else if (i == 1 && !parse_ids(tok, &e->vendor, &e->device))
			rc = fail_why(-1, why, size, "'%s': expected VENDOR:DEVICE in hex, e.g. 8086:10d3", tok);
		else if (i > 1 && parse_option(tok, e, why, size, sriov))
			rc = -1;
	}
	if (rc > 0 && i == 0)
		rc = 0;			/* blank or comment */
	else if (rc > 0 && i == 1)
		rc = fail_why(-1, why, size, "'%s' without VENDOR:DEVICE", e->path);
	else if (rc > 0 && sriov && strstr(e->path, "/vf"))
		rc = fail_why(-1, why, size, "'%s': a VF has no VFs; expected its PF's path", e->path);
	else if (rc > 0 && sriov && !e->vfs)
		rc = fail_why(-1, why, size, "'%s' without vfs=N", e->path);
	free(copy);
	if (rc <= 0) {
		free(e->note);
		e->note = NULL;
	}
	return rc;
}

int persist_parse_line(const char *text, struct persist_entry *e, char *why,
		       size_t size)
{
	return parse_line(text, e, why, size, false);
}

int persist_sriov_parse_line(const char *text, struct persist_entry *e,
			     char *why, size_t size)
{
	int rc = parse_line(text, e, why, size, true);

	if (rc > 0)
		e->driver[0] = '\0';
	return rc;
}

static void add_line(struct persist_conf *c, char *text)
{
	c->lines = xrealloc(c->lines, (c->nlines + 1) * sizeof(*c->lines));
	c->lines[c->nlines++] = text;
}

static void add_entry(struct persist_conf *c, const struct persist_entry *e)
{
	c->e = xrealloc(c->e, (c->n + 1) * sizeof(*c->e));
	c->e[c->n++] = *e;
}

static void add_bad(struct persist_conf *c, const char *why)
{
	c->bad = xrealloc(c->bad, (c->nbad + 1) * sizeof(*c->bad));
	c->bad[c->nbad].line = c->nlines;
	c->bad[c->nbad++].why = xstrdup(why);
}

static int conf_load(const char *file, struct persist_conf *c, FILE *errs,
		     bool sriov)
{
	FILE *f = fopen(file, "re");
	char *line = NULL, why[256];
	size_t cap = 0;
	ssize_t len;
	int nbad = 0;

	memset(c, 0, sizeof(*c));
	c->sriov = sriov;
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while ((len = getline(&line, &cap, f)) >= 0) {
		struct persist_entry e;
		int rc;

		if (len && line[len - 1] == '\n')
			line[len - 1] = '\0';
		add_line(c, xstrdup(line));
		rc = sriov ? persist_sriov_parse_line(line, &e, why, sizeof(why)) :
			     persist_parse_line(line, &e, why, sizeof(why));
		if (rc < 0)
			add_bad(c, why);
		if (rc < 0 && ++nbad && errs)
			fprintf(errs, "%s:%zu: %s\n", file, c->nlines, why);
		if (rc <= 0)
			continue;
		for (size_t i = 0; i < c->n; i++) {
			if (strcmp(c->e[i].path, e.path))
				continue;
			snprintf(why, sizeof(why), "%s is already persisted on line %zu",
				 e.path, c->e[i].line);
			add_bad(c, why);
			if (errs)
				fprintf(errs, "%s:%zu: %s\n", file, c->nlines, why);
			nbad++;
			rc = 0;
		}
		e.line = c->nlines;
		if (rc > 0)
			add_entry(c, &e);
		else
			free(e.note);
	}
	free(line);
	fclose(f);
	return nbad;
}

int persist_conf_load(const char *file, struct persist_conf *c, FILE *errs)
{
	return conf_load(file, c, errs, false);
}

int persist_sriov_load(const char *file, struct persist_conf *c, FILE *errs)
{
	return conf_load(file, c, errs, true);
}

void persist_conf_free(struct persist_conf *c)
{
	for (size_t i = 0; i < c->nlines; i++)
		free(c->lines[i]);
	for (size_t i = 0; i < c->n; i++) {
		free(c->e[i].note);
		free(c->e[i].off_why);
	}
	for (size_t i = 0; i < c->nbad; i++)
		free(c->bad[i].why);
	free(c->lines);
	free(c->e);
	free(c->bad);
	memset(c, 0, sizeof(*c));
}

const char *persist_entry_text(const struct persist_entry *e, char *buf,
			       size_t size)
{
	int n = snprintf(buf, size, "%s %04x:%04x", e->path, e->vendor,
			 e->device);

	if (e->has_sub && n > 0 && (size_t)n < size)
		n += snprintf(buf + n, size - n, " sub=%04x:%04x",
			      e->sub_vendor, e->sub_device);
	if (e->dsn && n > 0 && (size_t)n < size)
		n += snprintf(buf + n, size - n, " dsn=%016llx",
			      (unsigned long long)e->dsn);
	if (e->vfs && n > 0 && (size_t)n < size)
		n += snprintf(buf + n, size - n, " vfs=%lu", e->vfs);
	else if (n > 0 && (size_t)n < size)
		n += snprintf(buf + n, size - n, " driver=%s%s", e->driver,
			      e->force ? " force" : "");
	return buf;
}

/* Drops line idx and renumbers the entries after it. */
static void remove_line(struct persist_conf *c, size_t idx)
{
	free(c->lines[idx]);
	memmove(c->lines + idx, c->lines + idx + 1,
		(c->nlines - idx - 1) * sizeof(*c->lines));
	c->nlines--;
	for (size_t i = 0; i < c->n; i++)
		if (c->e[i].line > idx + 1)
			c->e[i].line--;
}

size_t persist_conf_drop(struct persist_conf *c, const bool *keep)
{
	size_t out = 0, dropped = 0;

	for (size_t i = 0; i < c->n; i++) {
		if (keep[i]) {
			c->e[out++] = c->e[i];
			continue;
		}
		remove_line(c, c->e[i].line - 1);
		free(c->e[i].note);
		free(c->e[i].off_why);
		dropped++;
	}
	c->n = out;
	return dropped;
}

void persist_conf_add(struct persist_conf *c, const struct persist_entry *e)
{
	char text[256], *line;
	struct persist_entry copy = *e;
	bool *keep = calloc(c->n ? c->n : 1, sizeof(*keep));

	if (!keep)
		die_oom();
	for (size_t i = 0; i < c->n; i++)
		keep[i] = strcmp(c->e[i].path, e->path) != 0;
	persist_conf_drop(c, keep);
	free(keep);
	persist_entry_text(e, text, sizeof(text));
	if (e->note && asprintf(&line, "%s  # %s", text, e->note) < 0)
		die_oom();
	else if (!e->note)
		line = xstrdup(text);
	add_line(c, line);
	copy.note = e->note ? xstrdup(e->note) : NULL;
	copy.off = false;
	copy.off_why = NULL;
	copy.line = c->nlines;
	add_entry(c, &copy);
}

const char *persist_entry_option(const struct persist_entry *e, char *buf,
				 size_t size)
{
	int n = snprintf(buf, size, "%s,%04x:%04x", e->path, e->vendor,
			 e->device);

	if (e->has_sub)
		n += snprintf(buf + n, size - n, ",sub=%04x:%04x",
			      e->sub_vendor, e->sub_device);
	if (e->dsn)
		n += snprintf(buf + n, size - n, ",dsn=%016llx",
			      (unsigned long long)e->dsn);
	if (strcmp(e->driver, "vfio-pci"))
		n += snprintf(buf + n, size - n, ",driver=%s", e->driver);
	if (e->force)
		snprintf(buf + n, size - n, ",force");
	return buf;
}

char *persist_conf_option(const struct persist_conf *c)
{
	char *out = xstrdup(""), one[256];
	size_t len = 0;

	for (size_t i = 0; i < c->n; i++) {
		size_t n;

		if (c->e[i].off)
			continue;
		persist_entry_option(&c->e[i], one, sizeof(one));
		n = strlen(one) + (len ? 1 : 0);
		out = xrealloc(out, len + n + 1);
		snprintf(out + len, n + 1, "%s%s", len ? ";" : "", one);
		len += n;
	}
	return out;
}

/* file.tmp written in full and synced, then renamed over file. */
/* mkdir -p of file's directory (mode 0755). */
static int make_parent(const char *file)
{
	char dir[4096], *slash;

	snprintf(dir, sizeof(dir), "%s", file);
	for (slash = strchr(dir + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST)
			return -errno;
		*slash = '/';
	}
	return 0;
}

static char *conf_text(const struct persist_conf *c)
{
	size_t len = 0;
	char *out;
	bool header = !c->nlines || strncmp(c->lines[0], "# pcipass", 9);
	const char *head = c->sriov ? sriov_header : conf_header;

	len = header ? strlen(head) : 0;
	for (size_t i = 0; i < c->nlines; i++)
		len += strlen(c->lines[i]) + 1;
	out = xrealloc(NULL, len + 1);
	out[0] = '\0';
	if (header)
		strcat(out, head);
	for (size_t i = 0; i < c->nlines; i++) {
		strcat(out, c->lines[i]);
		strcat(out, "\n");
	}
	return out;
}

char *persist_conf_modprobe_text(const struct persist_conf *c, const char *file)
{
	char *opt = persist_conf_option(c), *out;

	if (asprintf(&out,
		     "# Generated by pcipass from %s: edit that file, then run\n"
		     "# 'pcipass persist apply'.  Boot with pcipass.persist=0 to apply none.\n"
		     "%s%s\n",
		     file, *opt ? "options pcipass claims=" : "# no persisted claims",
		     opt) < 0)
		die_oom();
	free(opt);
	return out;
}

int persist_conf_save(const struct persist_conf *c, const char *file,
		      const char *modprobe_file)
{
	char *text = conf_text(c), *mp = persist_conf_modprobe_text(c, file);
	int err = make_parent(file);

	if (!err)
		err = file_write_atomic(file, text);
	if (!err)
		err = make_parent(modprobe_file);
	if (!err)
		err = file_write_atomic(modprobe_file, mp);
	free(text);
	free(mp);
	return err;
}

int persist_sriov_save(const struct persist_conf *c, const char *file)
{
	char *text = conf_text(c);
	int err = make_parent(file);

	if (!err)
		err = file_write_atomic(file, text);
	free(text);
	return err;
}
