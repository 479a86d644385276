// SPDX-License-Identifier: GPL-2.0
/*
 * What the judges of `pcipass host` set: status, summary, detail, fix.
 * Pure, apart from host.c's gathering, so the unit tests can judge facts.
 */
#include <stdarg.h>
#include <stdlib.h>

#include "host/host.h"
#include "lib/util.h"

void host_result(struct host_verdict *v, enum host_status st,
		 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	free(v->summary);
	v->summary = xvasprintf(fmt, ap);
	va_end(ap);
	v->status = st;
}

void host_detail(struct host_verdict *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	free(v->detail);
	v->detail = xvasprintf(fmt, ap);
	va_end(ap);
}

void host_fix(struct host_verdict *v, bool cmdline, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	free(v->fix);
	v->fix = xvasprintf(fmt, ap);
	va_end(ap);
	v->fix_cmdline = cmdline;
}

void host_verdict_free(struct host_verdict *v)
{
	free(v->summary);
	free(v->detail);
	free(v->fix);
	v->summary = v->detail = v->fix = NULL;
}

const char *host_status_name(enum host_status st)
{
	static const char *const names[HOST_NSTATUS] = {
		[HOST_PASS] = "pass", [HOST_WARN] = "warn",
		[HOST_FAIL] = "fail", [HOST_INFO] = "info",
	};

	return st < HOST_NSTATUS ? names[st] : "info";
}
