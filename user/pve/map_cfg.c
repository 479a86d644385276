// SPDX-License-Identifier: GPL-2.0
/*
 * /etc/pve/mapping/pci.cfg, read as Proxmox reads it (pve-guest-common's
 * PVE/Mapping/PCI.pm on PVE/SectionConfig.pm): a header line is the bare
 * mapping name at column 0; the section's "KEY VALUE" lines start with
 * white space; a blank line ends the section; '#' lines are comments.
 * Only the "map" lines matter here: the other section keys (description,
 * mdev, live-migration-capable, and whatever later versions add) are
 * skipped, so a newer Proxmox's file is not an error.  A map that
 * Proxmox itself would reject (an unknown key, a bad ID or path) is one.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "lib/util.h"
#include "pve/mapping.h"

/* pve-configid: a letter, then letters, digits, '-' and '_'; 2 or more. */
bool pve_configid_valid(const char *s)
{
	if (!isalpha((unsigned char)s[0]) || !s[1])
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return false;
	return true;
}

/* pve-node: a DNS label (letters, digits, inner '-'). */
bool pve_node_valid(const char *s)
{
	size_t len = strlen(s);

	if (!len || len >= PVE_NODE_MAX || s[0] == '-' || s[len - 1] == '-')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-')
			return false;
	return true;
}

/* PVE::INotify::nodename: uname's nodename, its domain cut off. */
void pve_nodename(char buf[PVE_NODE_MAX])
{
	struct utsname u;

	if (uname(&u)) {
		buf[0] = '\0';
		return;
	}
	snprintf(buf, PVE_NODE_MAX, "%.*s", (int)strcspn(u.nodename, "."),
		 u.nodename);
}

static int parse_id(const char *v, uint16_t *a, uint16_t *b)
{
	for (int i = 0; i < 9; i++)
		if (i == 4 ? v[i] != ':' : !isxdigit((unsigned char)v[i]))
			return -1;
	if (v[9])
		return -1;
	*a = (uint16_t)strtoul(v, NULL, 16);
	*b = (uint16_t)strtoul(v + 5, NULL, 16);
	return 0;
}

/* Proxmox's pattern: lower-case hex, a domain of 4 digits or more. */
static int parse_paths(char *v, struct pve_map *m, char *why, size_t size)
{
	for (char *save, *p = strtok_r(v, ";", &save); p;
	     p = strtok_r(NULL, ";", &save)) {
		struct pve_map_path *x = &m->path[m->npaths];
		enum addr_scope scope;

		if (m->npaths == PVE_MAP_PATHS)
			return fail_why(-1, why, size, "more than %d paths",
					PVE_MAP_PATHS);
		for (const char *c = p; *c; c++)
			if (isupper((unsigned char)*c))
				return fail_why(-1, why, size,
						"path '%s': Proxmox wants lower-case hex", p);
		if (strchr(p, ':') == strrchr(p, ':') ||
		    strchr(p, ':') - p < 4 || addr_parse(p, &x->addr, &scope))
			return fail_why(-1, why, size,
					"path '%s': not DDDD:BB:SS[.F]", p);
		x->slot = scope == ADDR_SLOT;
		m->npaths++;
	}
	return m->npaths ? 0 : fail_why(-1, why, size, "empty path");
}

static int set_key(struct pve_map *m, const char *k, char *v, char *why,
		   size_t size)
{
	char *end;

	if (!strcmp(k, "node")) {
		if (!pve_node_valid(v))
			return fail_why(-1, why, size, "node '%s': not a node name", v);
		snprintf(m->node, sizeof(m->node), "%s", v);
	} else if (!strcmp(k, "path")) {
		return parse_paths(v, m, why, size);
	} else if (!strcmp(k, "id")) {
		if (parse_id(v, &m->vendor, &m->device))
			return fail_why(-1, why, size, "id '%s': not VVVV:DDDD", v);
	} else if (!strcmp(k, "subsystem-id")) {
		if (parse_id(v, &m->sub_vendor, &m->sub_device))
			return fail_why(-1, why, size,
					"subsystem-id '%s': not VVVV:DDDD", v);
		m->has_sub = true;
	} else if (!strcmp(k, "iommugroup")) {
		unsigned long g = strtoul(v, &end, 10);

		if (!isdigit((unsigned char)*v) || *end || g > UINT32_MAX)
			return fail_why(-1, why, size,
					"iommugroup '%s': not a number", v);
		m->group = (uint32_t)g;
		m->has_group = true;
	} else if (!strcmp(k, "description")) {
		free(m->description);
		m->description = xstrdup(v);
	} else {
		/* Proxmox's parser refuses the whole map for it */
		return fail_why(-1, why, size, "unknown key '%s'", k);
	}
	return 0;
}

/* The next "key=value" of s (a value may be "quoted, with \" escapes");
 * returns the position after it, or NULL with why set.
 */
static char *next_pair(char *s, char **k, char **v, char *why, size_t size)
{
	char *eq = strchr(s, '='), *w, *r;

	if (!eq || eq == s || memchr(s, ',', (size_t)(eq - s))) {
		fail_why(-1, why, size, "'%.*s': not key=value",
			 (int)strcspn(s, ","), s);
		return NULL;
	}
	*eq = '\0';
	*k = s;
	*v = eq + 1;
	if (**v != '"') {
		r = *v + strcspn(*v, ",");
		if (*r)
			*r++ = '\0';
		return r;
	}
	for (w = *v, r = *v + 1; *r && *r != '"'; r++) {
		if (*r == '\\' && r[1])
			r++;
		*w++ = *r;
	}
	if (*r != '"' || (r[1] && r[1] != ',')) {
		fail_why(-1, why, size, "%s: unterminated quote", *k);
		return NULL;
	}
	*w = '\0';
	return r[1] ? r + 2 : r + 1;
}

int pve_map_parse(const char *value, struct pve_map *m, char *why,
		  size_t size)
{
	char *copy = xstrdup(value), *s = copy, *k, *v;
	int err = 0;

	while (!err && *s) {
		s = next_pair(s, &k, &v, why, size);
		err = s ? set_key(m, k, v, why, size) : -1;
	}
	free(copy);
	if (err)
		return err;
	if (!m->node[0] || !m->npaths || !m->vendor)
		return fail_why(-1, why, size, "a map needs node, path and id");
	m->raw = xstrdup(value);
	return 0;
}

static void add_map(struct pve_mapcfg *c, const char *section, size_t line,
		    const struct pve_map *m)
{
	c->m = xrealloc(c->m, (c->n + 1) * sizeof(*c->m));
	c->m[c->n] = *m;
	c->m[c->n].mapping = xstrdup(section);
	c->m[c->n].line = line;
	c->n++;
}

/* The section after a bad header: its lines are not errors of their own. */
#define BAD_SECTION '\x01'

static int parse_header(struct pve_mapcfg *c, char *section, size_t size_s,
			char *text, char *why, size_t size)
{
	size_t len = strcspn(text, " \t");

	section[0] = BAD_SECTION;
	section[1] = '\0';
	if (text[len + strspn(text + len, " \t")] || len >= size_s)
		return fail_why(-1, why, size, "a header is one word: '%s'", text);
	text[len] = '\0';
	if (!pve_configid_valid(text))
		return fail_why(-1, why, size, "'%s': not a mapping name", text);
	snprintf(section, size_s, "%s", text);
	c->sections++;
	return 0;
}

/* One line of the file; section is the current one ("" outside).
 * 0 fine, -1 an error (why).
 */
static int parse_line(struct pve_mapcfg *c, char *section, size_t size_s,
		      char *text, size_t line, char *why, size_t size)
{
	char *key = text + strspn(text, " \t"), *value;
	struct pve_map m = { 0 };

	text[strcspn(text, "\r\n")] = '\0';
	if (!*key) {			/* blank: the section ends */
		section[0] = '\0';
		return 0;
	}
	if (*key == '#')
		return 0;
	if (key == text)		/* column 0: a header */
		return parse_header(c, section, size_s, text, why, size);
	if (section[0] == BAD_SECTION)
		return 0;		/* its header was reported */
	if (!section[0])
		return fail_why(-1, why, size, "'%s' outside a mapping", key);
	value = key + strcspn(key, " \t");
	if (*value)
		*value++ = '\0';
	value += strspn(value, " \t");
	if (strcmp(key, "map"))
		return 0;		/* description, mdev, ...: not ours */
	if (pve_map_parse(value, &m, why, size)) {
		pve_map_free(&m);
		return -1;
	}
	add_map(c, section, line, &m);
	return 0;
}

int pve_mapcfg_load(const char *file, struct pve_mapcfg *c, FILE *errs)
{
	char section[128] = "", why[256], *text = NULL;
	size_t cap = 0, line = 0;
	int bad = 0;
	FILE *f;

	memset(c, 0, sizeof(*c));
	f = fopen(file, "re");
	if (!f)
		return -errno;
	while (getline(&text, &cap, f) >= 0) {
		line++;
		if (!parse_line(c, section, sizeof(section), text, line, why,
				sizeof(why)))
			continue;
		bad++;
		if (errs)
			fprintf(errs, "%s:%zu: %s\n", file, line, why);
	}
	free(text);
	if (ferror(f))
		bad = -EIO;
	fclose(f);
	return bad;
}

void pve_map_free(struct pve_map *m)
{
	free(m->mapping);
	free(m->raw);
	free(m->description);
}

void pve_mapcfg_free(struct pve_mapcfg *c)
{
	for (size_t i = 0; i < c->n; i++)
		pve_map_free(&c->m[i]);
	free(c->m);
	memset(c, 0, sizeof(*c));
}

const char *pve_path_fmt(const struct pve_map_path *p, char buf[ADDR_STRLEN])
{
	addr_fmt(&p->addr, buf);
	if (p->slot)
		buf[strlen(buf) - 2] = '\0';	/* drop ".F" */
	return buf;
}

/* Appends ",key=value" (no comma first), the value quoted if it must be. */
static void append(char **out, size_t *len, const char *key, const char *v)
{
	bool quote = strpbrk(v, ",\"") != NULL;
	size_t need = *len + strlen(key) + 2 * strlen(v) + 8;

	*out = xrealloc(*out, need);
	*len += (size_t)sprintf(*out + *len, "%s%s=%s", *len ? "," : "", key,
				quote ? "\"" : "");
	for (; *v; v++) {
		if (quote && (*v == '"' || *v == '\\'))
			(*out)[(*len)++] = '\\';
		(*out)[(*len)++] = *v;
	}
	*len += (size_t)sprintf(*out + *len, "%s", quote ? "\"" : "");
}

char *pve_map_format(const struct pve_map *m)
{
	char *out = NULL, paths[PVE_MAP_PATHS * ADDR_STRLEN] = "", buf[32];
	size_t len = 0;

	for (size_t i = 0; i < m->npaths; i++)
		snprintf(paths + strlen(paths), sizeof(paths) - strlen(paths),
			 "%s%s", i ? ";" : "", pve_path_fmt(&m->path[i], buf));
	if (m->description)
		append(&out, &len, "description", m->description);
	snprintf(buf, sizeof(buf), "%04x:%04x", m->vendor, m->device);
	append(&out, &len, "id", buf);
	if (m->has_group) {
		snprintf(buf, sizeof(buf), "%u", m->group);
		append(&out, &len, "iommugroup", buf);
	}
	append(&out, &len, "node", m->node);
	append(&out, &len, "path", paths);
	if (m->has_sub) {
		snprintf(buf, sizeof(buf), "%04x:%04x", m->sub_vendor,
			 m->sub_device);
		append(&out, &len, "subsystem-id", buf);
	}
	return out;
}
