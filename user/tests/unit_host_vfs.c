// SPDX-License-Identifier: GPL-2.0
/* `pcipass host`'s sriov.conf check judged on facts made here: no file,
 * a bad line (named by number, whatever else the file holds), an entry
 * at another function, entries present, moved or absent.
 */
#include <errno.h>
#include <string.h>

#include "host/host.h"
#include "unit.h"

static enum persist_match match[2];
static char addr[2][ADDR_STRLEN];
static long numvfs[2];
static struct persist_entry entry[2];
static struct persist_bad bad[1];

static struct host_facts facts(size_t n, size_t nbad)
{
	struct host_facts f = { 0 };

	f.persist_vfs.conf.e = entry;
	f.persist_vfs.conf.n = n;
	f.persist_vfs.conf.bad = bad;
	f.persist_vfs.conf.nbad = nbad;
	f.persist_vfs.match = match;
	f.persist_vfs.addr = addr;
	f.persist_vfs.numvfs = numvfs;
	return f;
}

static void judge(const struct host_facts *f, struct host_verdict *v)
{
	host_verdict_free(v);
	host_check_persist_vfs.judge(f, v);
}

void test_host_vfs(void)
{
	struct host_verdict v = { 0 };
	struct host_facts f;

	strcpy(entry[0].path, "0000:00:06.0/00.0");
	entry[0].vfs = 2, entry[0].line = 2;
	strcpy(entry[1].path, "0000:00:0e.0/00.0");
	entry[1].vfs = 1, entry[1].line = 3;
	bad[0].line = 4;
	bad[0].why = "'vfs=many': expected vfs=N";

	f = facts(0, 0);
	judge(&f, &v);
	CHECK(v.status == HOST_INFO && !v.detail && !v.fix, "no file: info");

	f.persist_vfs.err = -EACCES;
	judge(&f, &v);
	CHECK(v.status == HOST_WARN && strstr(v.summary, "Permission denied"),
	      "unreadable: %s", v.summary);

	match[0] = PERSIST_MATCH_HERE, strcpy(addr[0], "0000:0a:00.0");
	numvfs[0] = 2;
	match[1] = PERSIST_MATCH_ABSENT, addr[1][0] = '\0', numvfs[1] = -1;
	f = facts(2, 0);
	judge(&f, &v);
	CHECK(v.status == HOST_PASS && !v.fix &&
	      !strcmp(v.detail, "line 2 0000:00:06.0/00.0 vfs=2: present at 0000:0a:00.0 (2 VFs now); line 3 0000:00:0e.0/00.0 vfs=1: absent"),
	      "present and absent pass, each named: %s", v.detail);

	match[1] = PERSIST_MATCH_MOVED, strcpy(addr[1], "0000:14:00.0");
	judge(&f, &v);
	CHECK(v.status == HOST_PASS &&
	      strstr(v.detail, "MOVED: now 0000:14:00.0 (not an SR-IOV PF)"),
	      "moved, numvfs unknown: %s", v.detail);

	match[1] = PERSIST_MATCH_OTHER;
	judge(&f, &v);
	CHECK(v.status == HOST_WARN && strstr(v.summary, "1 of 2 ") &&
	      strstr(v.detail, "NOT MATCHING: another function at 0000:14:00.0") &&
	      strstr(v.fix, "persist remove"), "another function: %s", v.summary);

	f = facts(2, 1);
	judge(&f, &v);
	CHECK(v.status == HOST_WARN && strstr(v.summary, "1 bad line in ") &&
	      strstr(v.detail, "; line 4: 'vfs=many': expected vfs=N") &&
	      strstr(v.fix, "the line named"), "a bad line first: %s / %s",
	      v.summary, v.detail);

	f = facts(0, 1);
	judge(&f, &v);
	CHECK(v.status == HOST_WARN &&
	      !strcmp(v.detail, "line 4: 'vfs=many': expected vfs=N"),
	      "only a bad line: %s", v.detail);
	host_verdict_free(&v);
}
