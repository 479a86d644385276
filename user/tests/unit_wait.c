// SPDX-License-Identifier: GPL-2.0
/*
 * The progress line a claim or release shows on a terminal while it waits
 * for the kernel's transaction (lib/progress.c, nl/claim_wait.c).
 */
#include <string.h>

#include <linux/pcipass.h>

#include "claim/claim.h"
#include "lib/progress.h"
#include "unit.h"

/* The progress line of a waiting claim or release: what the kernel's job
 * step does to which function, and for how long, cut to the terminal.
 */
void test_wait_line(void)
{
	struct claim_req req = { .op = CLAIM_OP_CLAIM, .arg = "01:00" };
	struct claim_report rep = { .txid = 3, .tx_state = PCIPASS_TX_RUNNING,
				    .busy_step = PCIPASS_STEP_UNBIND,
				    .has_busy_addr = true,
				    .busy_addr = { 0, 0x01, PP_DEVFN(0, 0) },
				    .busy_driver = "nvidia", .busy_ms = 7000 };
	char what[PROGRESS_MAX], line[PROGRESS_MAX];

	claim_wait_words(&rep, &req, what, sizeof(what));
	progress_line(line, sizeof(line), 7, what, 80);
	CHECK(!strcmp(line, "waiting 7 s: unbind 0000:01:00.0 from nvidia"),
	      "unbind: %s", line);
	rep.busy_step = PCIPASS_STEP_BIND;
	rep.busy_driver = "vfio-pci";
	claim_wait_words(&rep, &req, what, sizeof(what));
	CHECK(!strcmp(what, "bind 0000:01:00.0 to vfio-pci"), "bind: %s", what);
	rep.busy_step = PCIPASS_STEP_OVERRIDE;
	claim_wait_words(&rep, &req, what, sizeof(what));
	CHECK(!strcmp(what, "set the override of 0000:01:00.0 to vfio-pci"),
	      "override: %s", what);
	rep.busy_driver = "";
	claim_wait_words(&rep, &req, what, sizeof(what));
	CHECK(!strcmp(what, "clear the override of 0000:01:00.0"),
	      "override cleared: %s", what);
	rep.busy_step = PCIPASS_STEP_LOAD_MODULE;
	rep.has_busy_addr = false;
	rep.busy_driver = "vfio-pci";
	claim_wait_words(&rep, &req, what, sizeof(what));
	CHECK(!strcmp(what, "claim of 01:00: loading the module vfio-pci"),
	      "module: %s", what);
	rep.busy_step = 0;
	rep.tx_state = PCIPASS_TX_QUEUED;
	req.op = CLAIM_OP_RELEASE;
	claim_wait_words(&rep, &req, what, sizeof(what));
	CHECK(!strcmp(what, "release of 01:00, queued behind another claim or release"),
	      "queued: %s", what);
	rep.tx_state = PCIPASS_TX_RUNNING;
	claim_wait_words(&rep, &req, what, sizeof(what));
	progress_line(line, sizeof(line), 125, what, 80);
	CHECK(!strcmp(line, "waiting 125 s: release of 01:00"), "running: %s", line);
	/* a narrow terminal: cut, the last column left for the cursor */
	progress_line(line, sizeof(line), 7, "unbind 0000:01:00.0 from nvidia", 20);
	CHECK(!strcmp(line, "waiting 7 s: unbind"), "cut to 19 columns: %s", line);
	progress_line(line, sizeof(line), 7, "x", 0);
	CHECK(!strcmp(line, "waiting 7 s: x"), "unknown width: %s", line);
}
