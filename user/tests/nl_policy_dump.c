// SPDX-License-Identifier: GPL-2.0
/*
 * Prints the CLI's netlink attribute policies (nl/policy.c) for
 * tests/nl_policy.py, which holds them to the spec:
 *
 *   set NAME MAXTYPE          one per attribute set
 *   attr NAME ID TYPE         one per attribute the policy types
 *
 * TYPE is the spec's word for the libnl type (u32, string, nest, ...).
 */
#include <stdio.h>

#include "nl/policy.h"

static const char *type_word(int type)
{
	switch (type) {
	case NLA_U8:
		return "u8";
	case NLA_U16:
		return "u16";
	case NLA_U32:
		return "u32";
	case NLA_U64:
		return "u64";
	case NLA_STRING:
		return "string";
	case NLA_FLAG:
		return "flag";
	case NLA_NESTED:
		return "nest";
	case NLA_BINARY:
		return "binary";
	default:
		return NULL;
	}
}

int main(void)
{
	for (size_t i = 0; i < pnl_policy_nsets; i++) {
		const struct pnl_policy_set *s = &pnl_policy_sets[i];

		printf("set %s %d\n", s->name, s->maxtype);
		for (int id = 0; id <= s->maxtype; id++) {
			int t = s->policy[id].type;
			const char *w = type_word(t);

			if (t == NLA_UNSPEC)
				continue;
			if (w)
				printf("attr %s %d %s\n", s->name, id, w);
			else
				printf("attr %s %d type-%d\n", s->name, id, t);
		}
	}
	return ferror(stdout) ? 1 : 0;
}
