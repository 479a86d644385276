// SPDX-License-Identifier: GPL-2.0
/* claims.conf: lines, line-numbered errors, add/drop keeping what a person
 * wrote, the module option it compiles to, and the saved files.
 * sriov.conf: its lines and errors, the file (no module option), and how
 * a PF's entry matches the functions present.
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

/* A fresh directory for a test's files, in dir ("...XXXXXX"); false, and
 * a failed check, when there is none.
 */
static bool fixture_dir(char *dir)
{
	if (mkdtemp(dir))
		return true;
	CHECK(0, "mkdtemp");
	return false;
}

/* What f holds from its start, as a string in buf ("" without f); closes
 * f.
 */
static void slurp(FILE *f, char *buf, size_t size)
{
	size_t len = 0;

	if (f) {
		rewind(f);
		len = fread(buf, 1, size - 1, f);
		fclose(f);
	}
	buf[len] = '\0';
}

static void fixture_remove(const char *dir)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0, "cleanup");
}

static void test_file(void)
{
	char dir[] = "/tmp/pcipass-unit-XXXXXX", conf[64], mp[64], buf[1024];
	struct persist_conf c;
	struct persist_entry e = { 0 };
	bool keep[2] = { false, true };
	char *opt;
	FILE *f;

	if (!fixture_dir(dir))
		return;
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
	slurp(f, buf, sizeof(buf));
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

	slurp(fopen(mp, "r"), buf, sizeof(buf));
	CHECK(strstr(buf, "\noptions pcipass claims=0000:00:09.0/00.0,8086:10d3,"),
	      "modprobe.d line: %s", buf);
	fixture_remove(dir);
}

static void test_sriov_lines(void)
{
	struct persist_entry e;
	char why[256], text[256];

	CHECK(persist_sriov_parse_line("0000:00:06.0/00.0 1b36:0010 sub=1af4:1100 dsn=0011223344556677 vfs=2  # 0000:0a:00.0",
				       &e, why, sizeof(why)) == 1, "full VF-count line: %s", why);
	CHECK(!strcmp(e.path, "0000:00:06.0/00.0") && e.vendor == 0x1b36 &&
	      e.device == 0x0010 && e.has_sub && e.sub_vendor == 0x1af4 &&
	      e.dsn == 0x0011223344556677ULL && e.vfs == 2 && !e.force &&
	      !strcmp(e.note, "0000:0a:00.0"), "fields of the VF-count line");
	persist_entry_text(&e, text, sizeof(text));
	CHECK(!strcmp(text, "0000:00:06.0/00.0 1b36:0010 sub=1af4:1100 dsn=0011223344556677 vfs=2"),
	      "written back as read: '%s'", text);
	free(e.note);
	CHECK(persist_sriov_parse_line("# a comment", &e, why, sizeof(why)) == 0 &&
	      persist_sriov_parse_line("  ", &e, why, sizeof(why)) == 0,
	      "comment and blank");
	CHECK(persist_sriov_parse_line("0000:00:06.0/00.0 1b36:0010", &e, why,
				       sizeof(why)) < 0 && strstr(why, "without vfs=N"),
	      "no count: %s", why);
	CHECK(persist_sriov_parse_line("0000:00:06.0/00.0 1b36:0010 vfs=0", &e,
				       why, sizeof(why)) < 0 && strstr(why, "'vfs=0'"),
	      "vfs=0: %s", why);
	CHECK(persist_sriov_parse_line("0000:00:06.0/00.0 1b36:0010 vfs=65536", &e,
				       why, sizeof(why)) < 0 &&
	      persist_sriov_parse_line("0000:00:06.0/00.0 1b36:0010 vfs=2x", &e,
				       why, sizeof(why)) < 0 &&
	      persist_sriov_parse_line("0000:00:06.0/00.0 1b36:0010 vfs=", &e,
				       why, sizeof(why)) < 0 &&
	      persist_sriov_parse_line("0000:00:06.0/00.0 1b36:0010 vfs=-1", &e,
				       why, sizeof(why)) < 0, "bad counts");
	CHECK(persist_sriov_parse_line("0000:00:06.0/00.0/vf0 1b36:0010 vfs=1", &e,
				       why, sizeof(why)) < 0 && strstr(why, "a VF has no VFs"),
	      "a VF as the PF: %s", why);
	CHECK(persist_sriov_parse_line("0000:00:06.0/00.0 1b36:0010 vfs=2 driver=vfio-pci",
				       &e, why, sizeof(why)) < 0 &&
	      strstr(why, "not for a VF count"), "driver= refused: %s", why);
	CHECK(persist_sriov_parse_line("0000:00:06.0/00.0 1b36:0010 vfs=2 force",
				       &e, why, sizeof(why)) < 0, "force refused");
	CHECK(persist_sriov_parse_line("01:00.0 1b36:0010 vfs=2", &e, why,
				       sizeof(why)) < 0 && strstr(why, "expected a path"),
	      "a BDF is not a path: %s", why);
	/* claims.conf does not take vfs= (the module's parser would not) */
	CHECK(persist_parse_line("0000:00:06.0/00.0 1b36:0010 vfs=2", &e, why,
				 sizeof(why)) < 0 && strstr(why, "'vfs=2': unknown"),
	      "claims.conf refuses vfs=: %s", why);
}

static void test_sriov_file(void)
{
	char dir[] = "/tmp/pcipass-unit-XXXXXX", conf[64], buf[2048];
	struct persist_conf c;
	struct persist_entry e = { 0 };
	bool keep[2] = { true, false };
	FILE *f;

	if (!fixture_dir(dir))
		return;
	snprintf(conf, sizeof(conf), "%s/etc/sriov.conf", dir);
	CHECK(persist_sriov_load(conf, &c, NULL) == 0 && c.n == 0 && c.sriov,
	      "missing = empty");
	strcpy(e.path, "0000:00:06.0/00.0");
	e.vendor = 0x1b36;
	e.device = 0x0010;
	e.vfs = 2;
	e.note = "0000:0a:00.0";
	persist_conf_add(&c, &e);
	strcpy(e.path, "0000:00:0e.0/00.0");
	e.vfs = 1;
	e.note = NULL;
	persist_conf_add(&c, &e);
	e.vfs = 3;		/* the same PF again: replaced */
	persist_conf_add(&c, &e);
	CHECK(c.n == 2 && c.e[1].vfs == 3, "one entry per PF");
	CHECK(persist_sriov_save(&c, conf) == 0, "saved");
	persist_conf_free(&c);

	f = fopen(conf, "a");
	fputs("# mine\n0000:00:07.0/00.0 1b36:0010 vfs=many\n"
	      "0000:00:06.0/00.0 1b36:0010 vfs=4\n", f);
	fclose(f);
	f = tmpfile();
	CHECK(persist_sriov_load(conf, &c, f) == 2 && c.n == 2, "two bad lines");
	CHECK(c.nbad == 2 && c.bad[1].line == c.bad[0].line + 1 &&
	      strstr(c.bad[0].why, "'vfs=many'") &&
	      strstr(c.bad[1].why, "already persisted on line"),
	      "the bad lines kept, by number");
	slurp(f, buf, sizeof(buf));
	CHECK(strstr(buf, "sriov.conf:") && strstr(buf, ": 'vfs=many': expected vfs=N") &&
	      strstr(buf, "0000:00:06.0/00.0 is already persisted on line"),
	      "errors name file and line: %s", buf);
	CHECK(!strcmp(c.lines[c.e[0].line - 1],
		      "0000:00:06.0/00.0 1b36:0010 vfs=2  # 0000:0a:00.0") &&
	      c.e[0].vfs == 2 && !c.e[0].driver[0], "the line as written: '%s'",
	      c.lines[c.e[0].line - 1]);
	persist_conf_drop(&c, keep);
	CHECK(c.n == 1 && !strcmp(c.e[0].path, "0000:00:06.0/00.0"), "dropped one");
	CHECK(persist_sriov_save(&c, conf) == 0, "saved again");
	persist_conf_free(&c);
	slurp(fopen(conf, "r"), buf, sizeof(buf));
	CHECK(!strncmp(buf, "# pcipass persisted SR-IOV VF counts", 36) &&
	      strstr(buf, "\n# mine\n") && !strstr(buf, "options pcipass") &&
	      !strstr(buf, "0000:00:0e.0"), "the file: %s", buf);
	snprintf(buf, sizeof(buf), "%s/modprobe.d", dir);
	CHECK(access(buf, F_OK) != 0, "no module option written");
	fixture_remove(dir);
}

/* A PF entry against the functions present: at its path, moved by its
 * serial number, another card at its path, absent.
 */
static void test_sriov_match(void)
{
	struct persist_entry f[3] = { 0 }, e = { 0 };
	char addr[3][ADDR_STRLEN] = { "0000:0a:00.0", "0000:14:00.0", "0000:0a:00.1" };
	struct persist_hw hw = { .n = 3, .f = f, .addr = addr };
	size_t idx = 99;

	strcpy(f[0].path, "0000:00:06.0/00.0");
	f[0].vendor = 0x1b36, f[0].device = 0x0010, f[0].dsn = 0x1111;
	strcpy(f[1].path, "0000:00:0e.0/00.0");
	f[1].vendor = 0x1b36, f[1].device = 0x0010, f[1].dsn = 0x2222;
	strcpy(f[2].path, "0000:00:06.0/00.0/vf0");
	f[2].vendor = 0x1b36, f[2].device = 0x0010;
	strcpy(e.path, "0000:00:06.0/00.0");
	e.vendor = 0x1b36, e.device = 0x0010, e.dsn = 0x1111, e.vfs = 2;
	CHECK(persist_hw_match(&hw, &e, &idx) == PERSIST_MATCH_HERE && idx == 0,
	      "the PF at its path");
	e.dsn = 0x2222;
	CHECK(persist_hw_match(&hw, &e, &idx) == PERSIST_MATCH_MOVED && idx == 1,
	      "the PF moved (its serial at another path)");
	e.dsn = 0x3333;
	CHECK(persist_hw_match(&hw, &e, &idx) == PERSIST_MATCH_OTHER && idx == 0,
	      "another serial at its path: not matching");
	e.dsn = 0;
	e.device = 0x0011;
	CHECK(persist_hw_match(&hw, &e, &idx) == PERSIST_MATCH_OTHER,
	      "other IDs at its path: not matching");
	strcpy(e.path, "0000:00:07.0/00.0");
	CHECK(persist_hw_match(&hw, &e, &idx) == PERSIST_MATCH_ABSENT, "absent");
}

void test_persist(void)
{
	test_lines();
	test_file();
	test_sriov_lines();
	test_sriov_file();
	test_sriov_match();
}
