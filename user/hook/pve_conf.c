// SPDX-License-Identifier: GPL-2.0
/*
 * Proxmox VE's VM configuration and PCI resource mappings, read as
 * qemu-server and pve-guest-common read them (hook/pve_conf.h).  Text in,
 * structures out: the hook (hook/proxmox.c) does the I/O.
 *
 * Proxmox rejects a config it cannot parse before the hook runs, so what
 * reaches us is well-formed; the checks here keep a hand-edited file from
 * making the hook claim something else than Proxmox will pass.  Keys this
 * version does not know (pcie, x-vga, rombar, romfile, legacy-igd, the
 * ID overrides, keys of later Proxmox releases) do not change what is
 * passed through, and are skipped.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hook/pve_conf.h"
#include "lib/util.h"

static size_t hex_run(const char *s)
{
	size_t n = 0;

	while (isdigit((unsigned char)s[n]) || (s[n] >= 'a' && s[n] <= 'f'))
		n++;
	return n;
}

bool pve_id_valid(const char *id)
{
	size_t n = hex_run(id);

	if (n >= 4 && id[n] == ':' && hex_run(id + n + 1) == 2 &&
	    id[n + 3] == ':')		/* a domain in front */
		id += n + 1;
	if (hex_run(id) != 2 || id[2] != ':' || hex_run(id + 3) != 2)
		return false;
	id += 5;
	return !*id || (id[0] == '.' && hex_run(id + 1) == 1 && !id[2]);
}

bool pve_id_matches(const char *id, const char *addr)
{
	size_t len = strlen(id);

	return !strncmp(addr, id, len) ||
	       (!strncmp(addr, "0000:", 5) && !strncmp(addr + 5, id, len));
}

/* "a;b;c": every one a valid ID (with a domain when need_domain). */
static bool id_list_valid(const char *list, bool need_domain)
{
	char *copy = xstrdup(list), *save = NULL, *id;
	bool ok = *list != '\0';

	for (id = strtok_r(copy, ";", &save); id && ok;
	     id = strtok_r(NULL, ";", &save))
		ok = pve_id_valid(id) &&
		     (!need_domain || hex_run(id) >= 4);
	free(copy);
	return ok;
}

/* A property string's "key=value" parts; the bare one is "host". */
static int hostpci_parse(char *value, struct pve_hostpci *h, char *why,
			 size_t size)
{
	char *save = NULL, *part;

	for (part = strtok_r(value, ",", &save); part;
	     part = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(part, '=');
		const char *key = eq ? part : "host";
		const char *val = eq ? eq + 1 : part;

		if (eq)
			*eq = '\0';
		if (!strcmp(key, "host") || !strcmp(key, "mapping")) {
			char **slot = key[0] == 'h' ? &h->host : &h->mapping;

			if (*slot)
				return fail_why(-EINVAL, why, size, "hostpci%u: '%s' given twice",
					   h->index, key);
			*slot = xstrdup(val);
		} else if (!strcmp(key, "driver")) {
			h->keep = !strcmp(val, "keep");
		} else if (!strcmp(key, "mdev")) {
			h->mdev = true;
		}
	}
	if (!h->host == !h->mapping)
		return fail_why(-EINVAL, why, size, "hostpci%u: %s", h->index,
			   h->host ? "both 'host' and 'mapping'" :
				     "neither 'host' nor 'mapping'");
	if (h->host && !id_list_valid(h->host, false))
		return fail_why(-EINVAL, why, size, "hostpci%u: '%s': expected [DDDD:]BB:DD[.F][;...] in lower-case hex",
			   h->index, h->host);
	return 0;
}

/* "hostpciN: VALUE" (N 0-15): 1 and *index; 0 another key. */
static int hostpci_key(const char *line, unsigned int *index, const char **value)
{
	char *end;
	unsigned long n;

	if (strncmp(line, "hostpci", 7) || !isdigit((unsigned char)line[7]))
		return 0;
	n = strtoul(line + 7, &end, 10);
	if (*end != ':' || n >= PVE_HOSTPCI_MAX)
		return 0;
	*index = (unsigned int)n;
	for (end++; *end == ' ' || *end == '\t'; end++)
		;
	*value = end;
	return 1;
}

/* hostpciN's entry: a key given again replaces the first (the last one
 * wins, as in qemu-server's parser); at most PVE_HOSTPCI_MAX.
 */
static struct pve_hostpci *hostpci_slot(struct pve_vm *vm, unsigned int index)
{
	struct pve_hostpci *h = NULL;

	for (size_t i = 0; i < vm->n && !h; i++)
		if (vm->hostpci[i].index == index)
			h = &vm->hostpci[i];
	if (h) {
		free(h->host);
		free(h->mapping);
	} else {
		h = &vm->hostpci[vm->n++];	/* index < PVE_HOSTPCI_MAX */
	}
	memset(h, 0, sizeof(*h));
	h->index = index;
	return h;
}

int pve_vm_parse(const char *text, struct pve_vm *vm, char *why, size_t size)
{
	char *copy = xstrdup(text), *save = NULL, *line;
	int err = 0;

	memset(vm, 0, sizeof(*vm));
	for (line = strtok_r(copy, "\n", &save); line && !err;
	     line = strtok_r(NULL, "\n", &save)) {
		struct pve_hostpci *h;
		const char *value;
		unsigned int index;
		char *val, *end;

		if (line[0] == '[')	/* snapshots, [PENDING]: not this run */
			break;
		if (!strncmp(line, "template:", 9)) {
			vm->template = strtol(line + 9, NULL, 10) == 1;
			continue;
		}
		if (!hostpci_key(line, &index, &value))
			continue;
		val = xstrdup(value);
		for (end = val + strlen(val); end > val && isspace((unsigned char)end[-1]);)
			*--end = '\0';
		h = hostpci_slot(vm, index);
		err = hostpci_parse(val, h, why, size);
		free(val);
	}
	free(copy);
	if (err)
		pve_vm_free(vm);
	return err;
}

void pve_vm_free(struct pve_vm *vm)
{
	for (size_t i = 0; i < vm->n; i++) {
		free(vm->hostpci[i].host);
		free(vm->hostpci[i].mapping);
	}
	memset(vm, 0, sizeof(*vm));
}

static bool parse_ids(const char *s, uint16_t *v, uint16_t *d)
{
	unsigned int a, b;
	int used = 0;

	if (strlen(s) != 9 || sscanf(s, "%4x:%4x%n", &a, &b, &used) != 2 ||
	    used != 9)
		return false;
	*v = (uint16_t)a;
	*d = (uint16_t)b;
	return true;
}

/* One "map" property string; 1 when it is for node (in *m), 0 another
 * node's, -EINVAL.
 */
static int map_parse(char *value, const char *name, const char *node,
		     struct pve_map *m, char *why, size_t size)
{
	char *save = NULL, *part, *end;
	const char *mnode = NULL;
	bool has_id = false;

	memset(m, 0, sizeof(*m));
	for (part = strtok_r(value, ",", &save); part;
	     part = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(part, '=');

		if (!eq)
			return fail_why(-EINVAL, why, size, "mapping '%s': map '%s': expected key=value",
				   name, part);
		*eq++ = '\0';
		if (!strcmp(part, "node")) {
			mnode = eq;
		} else if (!strcmp(part, "path")) {
			free(m->path);
			m->path = xstrdup(eq);
		} else if (!strcmp(part, "id")) {
			has_id = parse_ids(eq, &m->vendor, &m->device);
		} else if (!strcmp(part, "subsystem-id")) {
			m->has_sub = parse_ids(eq, &m->sub_vendor, &m->sub_device);
			if (!m->has_sub)
				return fail_why(-EINVAL, why, size, "mapping '%s': subsystem-id '%s': expected VVVV:DDDD",
					   name, eq);
		} else if (!strcmp(part, "iommugroup")) {
			m->group = (uint32_t)strtoul(eq, &end, 10);
			m->has_group = *eq && !*end;
		}
	}
	if (!mnode || strcmp(mnode, node)) {
		free(m->path);
		m->path = NULL;
		return 0;
	}
	if (!has_id || !m->path || !id_list_valid(m->path, true)) {
		free(m->path);
		m->path = NULL;
		return fail_why(-EINVAL, why, size, "mapping '%s' for node %s: needs id=VVVV:DDDD and path=DDDD:BB:DD[.F][;...]",
			   name, node);
	}
	return 1;
}

int pve_mapping_find(const char *text, const char *name, const char *node,
		     struct pve_map **v, size_t *n, char *why, size_t size)
{
	char *copy = xstrdup(text), *save = NULL, *line;
	bool in = false, found = false;
	int err = 0;

	*v = NULL;
	*n = 0;
	for (line = strtok_r(copy, "\n", &save); line && !err;
	     line = strtok_r(NULL, "\n", &save)) {
		char *p = line, *key, *val;
		struct pve_map m;

		while (isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			continue;
		if (p == line) {	/* a section header: its name alone */
			p[strcspn(p, " \t")] = '\0';
			in = !strcmp(p, name);
			found |= in;
			continue;
		}
		if (!in)
			continue;
		key = p;
		val = p + strcspn(p, " \t");
		if (*val)
			*val++ = '\0';
		while (isspace((unsigned char)*val))
			val++;
		if (strcmp(key, "map"))
			continue;
		err = map_parse(val, name, node, &m, why, size);
		if (err == 1) {
			*v = xrealloc(*v, (*n + 1) * sizeof(**v));
			(*v)[(*n)++] = m;
			err = 0;
		}
	}
	free(copy);
	if (!err && !found)
		err = -ENOENT;
	if (err) {
		pve_maps_free(*v, *n);
		*v = NULL;
		*n = 0;
	}
	return err;
}

void pve_maps_free(struct pve_map *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}
