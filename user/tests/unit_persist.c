// SPDX-License-Identifier: GPL-2.0
/* claims.conf: lines, line-numbered errors, add/drop keeping what a person
 * wrote, the module option it compiles to, and the saved files.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "persist/persist.h"
#include "unit.h"

static void test_lines(void)
{
	struct persist_entry e;
	char why[256];

	CHECK(persist_parse_line("0000:00:1c.0/00.0 8086:10d3 sub=8086:a01f dsn=0011223344556677 driver=vfio-pci force  # nic",
				 &e, why, sizeof(why)) == 1, "full entry: %s", why);
	CHECK(!strcmp(e.path, "0000:00:1c.0/00.0") && e.vendor == 0x8086 &&
	      e.device == 0x10d3 && e.has_sub && e.sub_device == 0xa01f &&
	      e.dsn == 0x0011223344556677ULL && e.force &&
	      !strcmp(e.note, "nic"), "fields of the full entry");
	free(e.note);
	CHECK(persist_parse_line("0000:00:06.0/00.0/vf1 1b36:0010", &e, why,
				 sizeof(why)) == 1 && !strcmp(e.driver, "vfio-pci"),
	      "a VF, default driver");
	CHECK(persist_parse_line("   # only a comment", &e, why, sizeof(why)) == 0,
	      "comment");
	CHECK(persist_parse_line("", &e, why, sizeof(why)) == 0, "blank");
	CHECK(persist_parse_line("01:00.0 8086:10d3", &e, why, sizeof(why)) < 0 &&
	      strstr(why, "'01:00.0': expected a path"), "a BDF is not a path: %s", why);
	CHECK(persist_parse_line("0000:00:1c.0/00.0", &e, why, sizeof(why)) < 0 &&
	      strstr(why, "without VENDOR:DEVICE"), "no IDs: %s", why);
	CHECK(persist_parse_line("0000:00:1c.0 8086:10d3 color=red", &e, why,
				 sizeof(why)) < 0 && strstr(why, "'color=red': unknown"),
	      "unknown option: %s", why);
	CHECK(persist_parse_line("0000:00:1c.0 8086:10d3 dsn=0", &e, why,
				 sizeof(why)) < 0, "dsn=0");
	CHECK(!persist_path_valid("0x00:00:1c.0") && !persist_path_valid("0000:0x:1c.0"),
	      "no 0x prefixes");
	CHECK(persist_parse_line("0000:00:1c.0 0x12:3456", &e, why, sizeof(why)) < 0,
	      "no 0x in IDs");
	CHECK(persist_parse_line("0000:00:20.0 8086:10d3", &e, why, sizeof(why)) < 0,
	      "device 0x20");
	CHECK(persist_parse_line("0000:00:1c.0/vf1/00.0 8086:10d3", &e, why,
				 sizeof(why)) < 0, "vf not last");
	CHECK(persist_path_valid("0000:00:01.0/00.0/00.0/00.0/00.0/00.0/00.0/00.0") &&
	      !persist_path_valid("0000:00:01.0/00.0/00.0/00.0/00.0/00.0/00.0/00.0/00.0"),
	      "eight hops at most, as the module");
}

static void test_file(void)
{
	char dir[] = "/tmp/pcipass-unit-XXXXXX", conf[64], mp[64], buf[1024];
	struct persist_conf c;
	struct persist_entry e = { 0 };
	bool keep[2] = { false, true };
	char *opt;
	FILE *f;
	size_t len;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return;
	}
	snprintf(conf, sizeof(conf), "%s/etc/claims.conf", dir);
	snprintf(mp, sizeof(mp), "%s/modprobe.d/pcipass.conf", dir);
	CHECK(persist_conf_load(conf, &c, NULL) == 0 && c.n == 0, "missing = empty");
	strcpy(e.path, "0000:00:09.0/00.0");
	e.vendor = 0x8086;
	e.device = 0x10d3;
	strcpy(e.driver, "vfio-pci");
	e.dsn = 0x525400ffff501201ULL;
	e.note = "0000:10:00.0";
	persist_conf_add(&c, &e);
	strcpy(e.path, "0000:00:03.0/00.1");
	e.dsn = 0;
	e.has_sub = true;
	e.sub_vendor = 0x8086;
	strcpy(e.driver, "pci-stub");
	e.note = NULL;
	persist_conf_add(&c, &e);
	opt = persist_conf_option(&c);
	CHECK(!strcmp(opt, "0000:00:09.0/00.0,8086:10d3,dsn=525400ffff501201;"
		      "0000:00:03.0/00.1,8086:10d3,sub=8086:0000,driver=pci-stub"),
	      "option: %s", opt);
	free(opt);
	CHECK(persist_conf_save(&c, conf, mp) == 0, "saved");
	persist_conf_free(&c);

	/* a person's comment and a bad line, then load again */
	f = fopen(conf, "a");
	fputs("# mine\nbogus 1234\n", f);
	fclose(f);
	f = tmpfile();
	CHECK(persist_conf_load(conf, &c, f) == 1 && c.n == 2, "one bad line");
	rewind(f);
	len = fread(buf, 1, sizeof(buf) - 1, f);
	buf[len] = '\0';
	fclose(f);
	CHECK(strstr(buf, "claims.conf:") && strstr(buf, ": 'bogus': expected a path"),
	      "error names file and line: %s", buf);
	CHECK(c.e[0].line > 10 && c.e[1].line == c.e[0].line + 1 &&
	      !strcmp(c.e[0].note, "0000:10:00.0"), "lines and note kept");
	persist_conf_drop(&c, keep);
	CHECK(c.n == 1 && !strcmp(c.e[0].path, "0000:00:03.0/00.1"), "dropped the first");
	CHECK(!strcmp(c.lines[c.e[0].line - 1],
		      "0000:00:03.0/00.1 8086:10d3 sub=8086:0000 driver=pci-stub"),
	      "line numbers follow the drop: '%s'", c.lines[c.e[0].line - 1]);
	CHECK(!strcmp(c.lines[c.nlines - 2], "# mine"), "comment kept");
	persist_conf_free(&c);

	f = fopen(mp, "r");
	len = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	buf[len] = '\0';
	if (f)
		fclose(f);
	CHECK(strstr(buf, "\noptions pcipass claims=0000:00:09.0/00.0,8086:10d3,"),
	      "modprobe.d line: %s", buf);
	snprintf(buf, sizeof(buf), "rm -rf '%s'", dir);
	CHECK(system(buf) == 0, "cleanup");
}

void test_persist(void)
{
	test_lines();
	test_file();
}
