// SPDX-License-Identifier: GPL-2.0
/*
 * The ACS object that show and check both print (pci/acs.c), pinned whole:
 * README-json.md describes check's hop "acs" as show's, and show's text
 * lines come from the same calls.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/print.h"
#include "pci/acs.h"
#include "unit.h"

struct acs_case {
	enum output_type t;
	const struct pp_acs *acs;
	const char *absent;
};

/* Inside an object, as show's device and check's hop hold it. */
static void print_case(const void *arg)
{
	const struct acs_case *c = arg;

	open_json_object(NULL);
	acs_print(c->t, c->acs, c->absent);
	close_json_object();
}

static void expect(const struct acs_case *c, bool json, const char *want,
		   const char *what)
{
	char *out;

	print_set_json(json);
	out = capture(print_case, c);
	CHECK(out && !strcmp(out, want), "%s:\n%s\nwant:\n%s", what,
	      out ? out : "(null)", want);
	free(out);
	print_set_json(false);
}

void test_acs(void)
{
	/* A root port with SV RR CR UF on and TB capable but off. */
	const struct pp_acs port = { .pos = 0x148, .cap = 0x005f, .ctrl = 0x001d };
	const char *json =
		"{\"acs\":{\"cap\":95,\"ctrl\":29,\"pos\":328,\"flags\":{"
		"\"SV\":{\"cap\":true,\"enabled\":true},"
		"\"TB\":{\"cap\":true,\"enabled\":false},"
		"\"RR\":{\"cap\":true,\"enabled\":true},"
		"\"CR\":{\"cap\":true,\"enabled\":true},"
		"\"UF\":{\"cap\":true,\"enabled\":true},"
		"\"EC\":{\"cap\":false,\"enabled\":false},"
		"\"DT\":{\"cap\":true,\"enabled\":false}}}}\n";
	struct acs_case show = { PRINT_ANY, &port, "no ACS capability" };
	struct acs_case check = { PRINT_JSON, &port, NULL };

	expect(&show, false,
	       "cap 0x005f, ctrl 0x001d (capability at 0x148)\n"
	       "    SV  source validation        capable: yes  enabled: yes\n"
	       "    TB  translation blocking     capable: yes  enabled: no\n"
	       "    RR  P2P request redirect     capable: yes  enabled: yes\n"
	       "    CR  P2P completion redirect  capable: yes  enabled: yes\n"
	       "    UF  upstream forwarding      capable: yes  enabled: yes\n"
	       "    EC  P2P egress control       capable: no   enabled: no\n"
	       "    DT  direct translated P2P    capable: yes  enabled: no\n",
	       "show text");
	expect(&show, true, json, "show JSON");
	expect(&check, true, json, "check JSON, the same object as show's");
	expect(&check, false, "", "check text: its compact line is its own");

	show.acs = check.acs = NULL;
	expect(&show, false, "no ACS capability\n", "show text, no capability");
	show.absent = "unknown (needs root: CAP_SYS_ADMIN)";
	expect(&show, false, "unknown (needs root: CAP_SYS_ADMIN)\n",
	       "show text, restricted");
	expect(&show, true, "{\"acs\":null}\n", "show JSON, no capability");
	expect(&check, true, "{\"acs\":null}\n", "check JSON, no capability");
	expect(&check, false, "", "check text, no capability");
}
