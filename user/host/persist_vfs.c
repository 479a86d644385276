// SPDX-License-Identifier: GPL-2.0
/*
 * Check 12: persisted VF counts (pcipass sriov PF --vfs N --persist), as
 * persist list reads /etc/pcipass/sriov.conf: the lines it refuses, by
 * number, and each PF entry against the PFs present.  persist wait
 * (pcipass-persist.service) loads the file strictly at boot: one bad line
 * and no count is applied; an entry whose path holds another function is
 * left alone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"
#include "lib/print.h"
#include "lib/sysroot.h"
#include "lib/util.h"

void host_gather_persist_vfs(struct host_facts *f)
{
	struct persist_vfs_facts *p = &f->persist_vfs;
	struct persist_hw hw;
	char full[4096];
	size_t n, idx;

	if (!sysroot_path(PERSIST_SRIOV_CONF, full, sizeof(full))) {
		p->err = -ENAMETOOLONG;
		return;
	}
	p->err = persist_sriov_load(full, &p->conf, NULL);
	if (p->err > 0)
		p->err = 0;
	n = p->conf.n;
	if (p->err || !n)
		return;
	p->match = xrealloc(NULL, n * sizeof(*p->match));
	p->addr = xrealloc(NULL, n * sizeof(*p->addr));
	p->numvfs = xrealloc(NULL, n * sizeof(*p->numvfs));
	persist_hw_scan(&hw);
	for (size_t i = 0; i < n; i++) {
		idx = 0;
		p->match[i] = persist_hw_match(&hw, &p->conf.e[i], &idx);
		p->addr[i][0] = '\0';
		p->numvfs[i] = -1;
		if (p->match[i] == PERSIST_MATCH_ABSENT)
			continue;
		snprintf(p->addr[i], sizeof(p->addr[i]), "%s", hw.addr[idx]);
		if (p->match[i] != PERSIST_MATCH_OTHER)
			p->numvfs[i] = persist_numvfs(hw.addr[idx]);
	}
	persist_hw_free(&hw);
}

void host_persist_vfs_free(struct persist_vfs_facts *p)
{
	persist_conf_free(&p->conf);
	free(p->match);
	free(p->addr);
	free(p->numvfs);
}

/* One entry, as persist list words it: "line 3 PATH vfs=2: present at ADDR
 * (2 VFs now)".
 */
static void entry_words(FILE *out, const struct persist_vfs_facts *p, size_t i)
{
	const struct persist_entry *e = &p->conf.e[i];

	fprintf(out, "line %zu %s vfs=%lu: ", e->line, e->path, e->vfs);
	switch (p->match[i]) {
	case PERSIST_MATCH_HERE:
		fprintf(out, "present at %s", p->addr[i]);
		break;
	case PERSIST_MATCH_MOVED:
		fprintf(out, "MOVED: now %s", p->addr[i]);
		break;
	case PERSIST_MATCH_OTHER:
		fprintf(out, "NOT MATCHING: another function at %s", p->addr[i]);
		break;
	case PERSIST_MATCH_ABSENT:
		fprintf(out, "absent");
		break;
	}
	if (p->numvfs[i] >= 0)
		fprintf(out, " (%ld VFs now)", p->numvfs[i]);
	else if (p->match[i] == PERSIST_MATCH_HERE ||
		 p->match[i] == PERSIST_MATCH_MOVED)
		fprintf(out, " (not an SR-IOV PF)");
}

/* The entries, then the refused lines, "; " between them. */
static void detail(const struct persist_vfs_facts *p, struct host_verdict *v)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	if (!out)
		return;
	for (size_t i = 0; i < p->conf.n; i++) {
		fputs(i ? "; " : "", out);
		entry_words(out, p, i);
	}
	for (size_t i = 0; i < p->conf.nbad; i++)
		fprintf(out, "%sline %zu: %s", i || p->conf.n ? "; " : "",
			p->conf.bad[i].line, p->conf.bad[i].why);
	fclose(out);
	if (size)
		host_detail(v, "%s", text);
	free(text);
}

static void judge_persist_vfs(const struct host_facts *f,
			      struct host_verdict *v)
{
	const struct persist_vfs_facts *p = &f->persist_vfs;
	size_t n = p->conf.n, nbad = p->conf.nbad, other = 0;

	for (size_t i = 0; i < n; i++)
		other += p->match[i] == PERSIST_MATCH_OTHER;
	if (p->err) {
		host_result(v, HOST_WARN, "cannot read %s: %s",
			    PERSIST_SRIOV_CONF, strerror(-p->err));
		return;
	}
	detail(p, v);
	if (nbad) {
		host_result(v, HOST_WARN, "%zu bad line%s in %s: persist wait refuses the file at boot, no VF count is applied",
			    nbad, nbad == 1 ? "" : "s", PERSIST_SRIOV_CONF);
		host_fix(v, false, "correct or delete the line%s named in the note; pcipass persist list checks the file",
			 nbad == 1 ? "" : "s");
	} else if (other) {
		host_result(v, HOST_WARN, "%zu of %zu persisted VF counts do not match the PF at their path: not touched at boot",
			    other, n);
		host_fix(v, false, "see pcipass persist list; drop stale entries with pcipass persist remove PATH");
	} else if (!n) {
		host_result(v, HOST_INFO, "none (sriov PF --vfs N --persist keeps a VF count across reboots)");
	} else {
		host_result(v, HOST_PASS, "%zu persisted VF count%s, none refused or at another function; persist wait applies them at boot",
			    n, n == 1 ? "" : "s");
	}
}

static void facts_persist_vfs(const struct host_facts *f)
{
	const struct persist_vfs_facts *p = &f->persist_vfs;
	char ids[16];

	print_opt_string(PRINT_JSON, "error", NULL,
			 p->err ? strerror(-p->err) : NULL, NULL);
	/* each as persist list's "sriov" array has it */
	open_json_array("entries");
	for (size_t i = 0; i < p->conf.n; i++) {
		const struct persist_entry *e = &p->conf.e[i];

		snprintf(ids, sizeof(ids), "%04x:%04x", e->vendor, e->device);
		open_json_object(NULL);
		print_uint(PRINT_JSON, "line", NULL, (unsigned int)e->line);
		print_string(PRINT_JSON, "path", NULL, e->path);
		print_string(PRINT_JSON, "ids", NULL, ids);
		print_uint(PRINT_JSON, "vfs", NULL, (unsigned int)e->vfs);
		print_string(PRINT_JSON, "match", NULL,
			     persist_match_key(p->match[i]));
		print_opt_string(PRINT_JSON, "address", NULL,
				 p->addr[i][0] ? p->addr[i] : NULL, NULL);
		if (p->numvfs[i] >= 0)
			print_uint(PRINT_JSON, "numvfs", NULL,
				   (unsigned int)p->numvfs[i]);
		else
			print_null(PRINT_JSON, "numvfs", NULL, NULL);
		close_json_object();
	}
	close_json_array();
	open_json_array("bad_lines");
	for (size_t i = 0; i < p->conf.nbad; i++) {
		open_json_object(NULL);
		print_uint(PRINT_JSON, "line", NULL,
			   (unsigned int)p->conf.bad[i].line);
		print_string(PRINT_JSON, "error", NULL, p->conf.bad[i].why);
		close_json_object();
	}
	close_json_array();
}

const struct host_check host_check_persist_vfs = {
	"persisted_vfs", "Persisted VF counts", judge_persist_vfs,
	facts_persist_vfs,
};
