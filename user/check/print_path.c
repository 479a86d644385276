// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass check: the path from the root complex down to the functions,
 * drawn as a tree in the order lspci -t uses, one line per port or
 * bridge with its ACS.  Separate from check/print.c because building
 * the tree from the fetched paths is a concern of its own; text and JSON
 * from one code path all the same (lib/print.h, README-json.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/pcipass.h>

#include "check/print_int.h"
#include "lib/print.h"
#include "lib/util.h"
#include "pci/acs.h"
#include "pci/pcie.h"

/* ---------------------------------------------------------------- path */

struct tree_node {
	const struct pp_hop *hop;
	const struct pp_hop *up;	/* NULL at the root bus */
	size_t depth;
	bool last;			/* last child of its parent */
	char prefix[64];
};

static bool node_known(const struct tree_node *v, size_t n,
		       const struct pp_addr *a)
{
	for (size_t i = 0; i < n; i++)
		if (addr_eq(&v[i].hop->addr, a))
			return true;
	return false;
}

/* Unique hops of every fetched path, each with the hop above it. */
static struct tree_node *collect_hops(const struct check *c, size_t *n)
{
	struct tree_node *v = NULL;

	*n = 0;
	for (size_t i = 0; i < c->nr_fns; i++) {
		const struct pp_iso *iso = &c->fns[i].iso;

		for (size_t j = 0; j < iso->nr_hops; j++) {
			if (node_known(v, *n, &iso->hops[j].addr))
				continue;
			v = xrealloc(v, (*n + 1) * sizeof(*v));
			memset(&v[*n], 0, sizeof(v[*n]));
			v[*n].hop = &iso->hops[j];
			v[*n].up = j + 1 < iso->nr_hops ? &iso->hops[j + 1] : NULL;
			(*n)++;
		}
	}
	return v;
}

static bool is_child(const struct tree_node *n, const struct pp_hop *parent)
{
	if (!parent)
		return !n->up;
	return n->up && addr_eq(&n->up->addr, &parent->addr);
}

/* Depth-first, children by address: the order lspci -t draws. */
static void tree_order(struct tree_node *in, size_t n, const struct pp_hop *parent,
		       const char *prefix, size_t depth, struct tree_node *out,
		       size_t *nout)
{
	for (;;) {
		struct tree_node *next = NULL;
		bool more = false;

		for (size_t i = 0; i < n; i++) {
			if (in[i].depth == SIZE_MAX || !is_child(&in[i], parent))
				continue;
			if (!next || addr_cmp(&in[i].hop->addr, &next->hop->addr) < 0)
				next = &in[i];
		}
		if (!next)
			return;
		for (size_t i = 0; i < n; i++)
			if (&in[i] != next && in[i].depth != SIZE_MAX &&
			    is_child(&in[i], parent))
				more = true;
		out[*nout] = *next;
		out[*nout].depth = depth;
		out[*nout].last = !more;
		snprintf(out[*nout].prefix, sizeof(out[*nout].prefix), "%s%s",
			 prefix, depth ? (more ? "|- " : "`- ") : "");
		(*nout)++;
		next->depth = SIZE_MAX;	/* placed */
		{
			char sub[64];

			snprintf(sub, sizeof(sub), "%s%s", prefix,
				 depth ? (more ? "|  " : "   ") : "");
			tree_order(in, n, next->hop, sub, depth + 1, out, nout);
		}
	}
}

static void acs_flags_compact(const struct pp_acs *acs, char *buf, size_t size)
{
	size_t len = 0;

	for (size_t i = 0; i < acs_nbits && len < size; i++) {
		const struct acs_bit *b = &acs_bits[i];
		char mark = !(acs->cap & b->mask) ? '.' :
			    (acs->ctrl & b->mask) ? '+' : '-';

		len += snprintf(buf + len, size - len, "%s%s%c", i ? " " : "",
				b->name, mark);
	}
}

static const char *acs_state_words(uint8_t state)
{
	switch (state) {
	case PCIPASS_ACS_STATE_NOT_APPLICABLE:
		return "ACS not needed";
	case PCIPASS_ACS_STATE_ENABLED:
		return "ACS on";
	case PCIPASS_ACS_STATE_DISABLED:
		return "ACS partly off";
	case PCIPASS_ACS_STATE_ABSENT:
		return "no ACS";
	case PCIPASS_ACS_STATE_NEVER:
		return "never isolates";
	}
	return "unknown ACS state";
}

static void print_hop(const struct check *c, const struct tree_node *t,
		      int width)
{
	const struct pp_hop *h = t->hop;
	char a[ADDR_STRLEN], left[160], line[400], flags[64], names[64];
	const char *role = check_role_key(check_role_of(c, &h->addr));
	const char *param = check_cmdline_acs_param(c, &h->addr);
	size_t len;

	open_json_object(NULL);
	print_string(PRINT_JSON, "address", NULL, addr_fmt(&h->addr, a));
	check_print_opt_addr("upstream", t->up, t->up ? &t->up->addr : NULL);
	if (h->has_pcie_type) {
		print_uint(PRINT_JSON, "pcie_type", NULL, h->pcie_type);
		print_opt_string(PRINT_JSON, "pcie_type_name", NULL,
				 pcie_type_key(h->pcie_type), NULL);
	} else {
		print_null(PRINT_JSON, "pcie_type", NULL, NULL);
		print_null(PRINT_JSON, "pcie_type_name", NULL, NULL);
	}
	print_opt_string(PRINT_JSON, "acs_state", NULL,
			 acs_state_key(h->acs_state), NULL);
	check_print_acs_missing(h->acs_missing);
	acs_print(PRINT_JSON, h->has_acs ? &h->acs : NULL, NULL);
	print_opt_string(PRINT_JSON, "cmdline", NULL, param, NULL);
	print_opt_string(PRINT_JSON, "role", NULL, role, NULL);
	close_json_object();

	/* Text: one line, built whole so that it carries no trailing blanks. */
	snprintf(left, sizeof(left), "%s%s %s", t->prefix,
		 addr_short(&h->addr, a), check_type_words(c, &h->addr));
	len = snprintf(line, sizeof(line), "  %-*s  %-14s", width, left,
		       acs_state_words(h->acs_state));
	if (h->has_acs && len < sizeof(line)) {
		acs_flags_compact(&h->acs, flags, sizeof(flags));
		len += snprintf(line + len, sizeof(line) - len,
				" %s (cap %04x ctl %04x)", flags, h->acs.cap,
				h->acs.ctrl);
	}
	if ((h->acs_state == PCIPASS_ACS_STATE_ABSENT ||
	     h->acs_state == PCIPASS_ACS_STATE_DISABLED) && len < sizeof(line))
		len += snprintf(line + len, sizeof(line) - len, " lacks %s",
				acs_flag_names(h->acs_missing, names,
					       sizeof(names)));
	if (param && len < sizeof(line))
		len += snprintf(line + len, sizeof(line) - len, ", set by %s",
				param);
	if (role && len < sizeof(line))
		snprintf(line + len, sizeof(line) - len, "  <- %s", role);
	len = strlen(line);
	while (len && line[len - 1] == ' ')
		line[--len] = '\0';
	print_text("%s\n", line);
}

void check_print_path(const struct check *c)
{
	struct tree_node *in, *out;
	size_t n, nout = 0;
	int width = 0;

	in = collect_hops(c, &n);
	out = xrealloc(NULL, (n + 1) * sizeof(*out));
	tree_order(in, n, NULL, "", 0, out, &nout);
	for (size_t i = 0; i < nout; i++) {
		char a[ADDR_STRLEN];
		int w = (int)(strlen(out[i].prefix) +
			      strlen(addr_short(&out[i].hop->addr, a)) + 1 +
			      strlen(check_type_words(c, &out[i].hop->addr)));

		if (w > width)
			width = w;
	}
	print_text("\npath from the root complex (ACS flags: + on, - off, . not implemented):\n");
	open_json_array("path");
	for (size_t i = 0; i < nout; i++)
		print_hop(c, &out[i], width);
	close_json_array();
	free(in);
	free(out);
}
