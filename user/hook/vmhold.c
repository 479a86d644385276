// SPDX-License-Identifier: GPL-2.0
/*
 * The records of which VM holds which IOMMU group (hook/vmhold.h): plain files
 * under /run/pcipass/vm, written by the hooks as root, read by anybody
 * (list and show say "for VM 101" without root).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "claim/claim.h"
#include "hook/vmhold.h"
#include "lib/print.h"
#include "lib/syspath.h"
#include "lib/sysroot.h"
#include "lib/util.h"

static bool valid_name(const char *name)
{
	char canon[ADDR_STRLEN];
	struct pp_addr a;
	enum addr_scope scope;

	/* the canonical spelling only: the file names are ours */
	return !addr_parse(name, &a, &scope) && scope == ADDR_FUNCTION &&
	       !strcmp(addr_fmt(&a, canon), name);
}

static int mkdirs(void)
{
	if (mkdir("/run/pcipass", 0755) && errno != EEXIST)
		return -errno;
	if (mkdir(VMHOLD_DIR, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

int vmhold_save(const struct vmhold *h)
{
	char path[128], *text = NULL;
	size_t len = 0;
	FILE *f;
	int err = mkdirs();

	if (err)
		return err;
	if (!h->n || !valid_name(h->members[0]) || strchr(h->owner, '\n'))
		return -EINVAL;
	f = xopen_memstream(&text, &len);
	fprintf(f, "owner %s\ngroup %u\ndriver %s\nrelease %s\n", h->owner,
		h->group, h->driver, h->release ? "yes" : "no");
	for (size_t i = 0; i < h->n; i++)
		fprintf(f, "member %s\n", h->members[i]);
	for (size_t i = 0; i < h->nvtcon; i++)
		fprintf(f, "vtcon %s\n", h->vtcon[i]);
	for (size_t i = 0; i < h->nfb; i++)
		fprintf(f, "fbdev %s %s\n", h->fbdev[i], h->fbdrv[i]);
	if (fclose(f))
		die_oom();
	snprintf(path, sizeof(path), "%s/%s", VMHOLD_DIR, h->members[0]);
	err = file_write_atomic(path, text);
	free(text);
	return err;
}

/* "KEY VALUE" lines; VALUE is the rest of the line (a libvirt domain's
 * name may have blanks).
 */
static bool parse(const char *text, struct vmhold *h)
{
	const char *p = text;

	memset(h, 0, sizeof(*h));
	while (*p) {
		const char *nl = strchr(p, '\n'), *val;
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[VMHOLD_OWNER_MAX + 16];

		if (len >= sizeof(line))
			return false;
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (nl ? 1 : 0);
		val = strchr(line, ' ');
		if (!val)
			return false;
		line[val++ - line] = '\0';
		if (!strcmp(line, "owner"))
			snprintf(h->owner, sizeof(h->owner), "%s", val);
		else if (!strcmp(line, "group"))
			h->group = (uint32_t)strtoul(val, NULL, 10);
		else if (!strcmp(line, "driver"))
			snprintf(h->driver, sizeof(h->driver), "%s", val);
		else if (!strcmp(line, "release"))
			h->release = !strcmp(val, "yes");
		else if (!strcmp(line, "member") && h->n < VMHOLD_MEMBERS_MAX &&
			 valid_name(val))
			snprintf(h->members[h->n++], ADDR_STRLEN, "%s", val);
		else if (!strcmp(line, "vtcon") && h->nvtcon < VMHOLD_CONSOLE_MAX)
			snprintf(h->vtcon[h->nvtcon++], sizeof(h->vtcon[0]), "%s", val);
		else if (!strcmp(line, "fbdev") && h->nfb < VMHOLD_CONSOLE_MAX &&
			 sscanf(val, "%47s %31s", h->fbdev[h->nfb], h->fbdrv[h->nfb]) == 2)
			h->nfb++;
	}
	return h->owner[0] && h->driver[0] && h->n;
}

/* Every member still on the record's driver. */
static bool believed(const struct vmhold *h)
{
	for (size_t i = 0; i < h->n; i++) {
		char path[128], *drv;
		bool ok;

		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver",
			 h->members[i]);
		drv = syspath_target_name(path);
		ok = drv && !strcmp(drv, h->driver);
		free(drv);
		if (!ok)
			return false;
	}
	return true;
}

/*
 * The record file names[i] into *h: 1 parsed, 0 not a record's name or
 * unreadable, -1 a record file that does not parse.  Its path in path.
 */
static int read_record(const char *name, struct vmhold *h, char *path,
		       size_t size)
{
	/* a line per member ("member 0000:01:00.0") and a few others */
	size_t len = VMHOLD_MEMBERS_MAX * 32 + 4096;
	char *text;
	int rc;

	if (!valid_name(name))
		return 0;
	snprintf(path, size, "%s/%s", VMHOLD_DIR, name);
	text = xrealloc(NULL, len);
	if (sysroot_read(path, text, len) <= 0)
		rc = 0;
	else
		rc = parse(text, h) ? 1 : -1;
	free(text);
	return rc;
}

size_t vmhold_load(struct vmhold **v)
{
	size_t n, out = 0;
	char **names = sysroot_list(VMHOLD_DIR, &n), path[128];

	*v = n ? xrealloc(NULL, n * sizeof(**v)) : NULL;
	for (size_t i = 0; i < n; i++)
		if (read_record(names[i], &(*v)[out], path, sizeof(path)) == 1 &&
		    believed(&(*v)[out]))
			out++;
	sysroot_free_names(names, n);
	return out;
}

const struct vmhold *vmhold_find(const struct vmhold *v, size_t n,
				 const char *addr)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < v[i].n; j++)
			if (!strcmp(v[i].members[j], addr))
				return &v[i];
	return NULL;
}

/* Removes every record file for which drop() says so, believed or not
 * (and those that do not parse).
 */
static void forget_if(bool (*drop)(const struct vmhold *h, const char *key),
		      const char *key)
{
	size_t n;
	char **names = sysroot_list(VMHOLD_DIR, &n), path[128];

	for (size_t i = 0; i < n; i++) {
		struct vmhold h;
		int r = read_record(names[i], &h, path, sizeof(path));

		if (r < 0 || (r > 0 && drop(&h, key)))
			unlink(path);
	}
	sysroot_free_names(names, n);
}

static bool has_member(const struct vmhold *h, const char *addr)
{
	return vmhold_find(h, 1, addr) != NULL;
}

static bool stale_of(const struct vmhold *h, const char *owner)
{
	return !strcmp(h->owner, owner) && !believed(h);
}

/* A release ends every record naming the function. */
void vmhold_forget(const char *addr)
{
	forget_if(has_member, addr);
}

void vmhold_forget_stale(const char *owner)
{
	forget_if(stale_of, owner);
}

int vmhold_lock(void)
{
	int fd, err = mkdirs();
	unsigned int waited_ms = 0;

	if (err)
		return err;
	fd = open(VMHOLD_DIR "/.lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK || waited_ms >= VMHOLD_LOCK_WAIT_S * 1000) {
			err = errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
			close(fd);
			return err;
		}
		usleep(100000);
		waited_ms += 100;
	}
	return fd;
}

void vmhold_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* and the lock with it */
}

void vmhold_forget_report(const struct claim_report *rep)
{
	for (size_t i = 0; i < rep->nr_members; i++) {
		char a[ADDR_STRLEN];

		vmhold_forget(addr_fmt(&rep->members[i].addr, a));
	}
}

const char *vmhold_owner_words(const char *owner, char *buf, size_t size)
{
	if (!strncmp(owner, "proxmox:", 8))
		snprintf(buf, size, "VM %s (Proxmox)", owner + 8);
	else if (!strncmp(owner, "libvirt:", 8))
		snprintf(buf, size, "libvirt domain %s", owner + 8);
	else
		snprintf(buf, size, "%s", owner);
	return buf;
}

void vmhold_print_claimed_for(const struct vmhold *rec)
{
	char words[VMHOLD_OWNER_MAX + 32];

	print_opt_string(PRINT_JSON, "claimed_for", NULL,
			 rec ? rec->owner : NULL, NULL);
	if (rec)
		print_text(" for %s",
			   vmhold_owner_words(rec->owner, words, sizeof(words)));
}
