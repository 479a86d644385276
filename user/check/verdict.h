/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_VERDICT_H
#define PCIPASS_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"
#include "lib/addrlist.h"
#include "nl/device.h"

/* The isolation verdict of "pcipass check", over the functions asked
 * about (targets) and every member of their kernel IOMMU groups:
 *
 *   VERDICT_NO_IOMMU        a target has no IOMMU group at all;
 *   VERDICT_READY           the groups hold only the targets and bridges
 *                           (bridges stay with the host, vfio-pci never
 *                           takes them);
 *   VERDICT_COMPANIONS      the groups also hold other endpoints, all of
 *                           them functions of a target's slot (the same
 *                           physical device): pass them along;
 *   VERDICT_NOT_ISOLATABLE  the endpoints that must go together span
 *                           more than one slot: the topology joins
 *                           unrelated devices (a port without ACS, a
 *                           PCIe-to-PCI bridge, a DMA alias), which only
 *                           another slot, firmware or hardware fixes; or
 *                           they include a chipset function the host
 *                           cannot give away (ISA/LPC bridge, SMBus).
 *
 * Bridges and host bridges never count: they stay with the host (vfio-pci
 * does not take bridges; nobody passes a host bridge), and VFIO accepts
 * them in the group while they are unbound or on pcieport.
 *
 * The values are also the exit statuses of "pcipass check" (see
 * verdict_exit()).
 */
enum verdict {
	VERDICT_READY,
	VERDICT_COMPANIONS,
	VERDICT_NOT_ISOLATABLE,
	VERDICT_NO_IOMMU,
};

struct verdict_result {
	enum verdict verdict;
	/* Endpoints of the groups that are not targets, sorted. */
	struct pp_addrlist companions;
	/* The companions outside every target's slot, sorted. */
	struct pp_addrlist foreign;
	/* Slots (function 0) of targets and companions together. */
	struct pp_addrlist slots;
	/* Chipset functions among targets and companions, sorted. */
	struct pp_addrlist chipset;
};

/* Functions that stay with the host whatever the group: PCI bridges
 * (header type 1) and host bridges (class 0600).
 */
bool verdict_stays_with_host(const struct pp_device *d);
/* Chipset functions the host needs: ISA/LPC (0601), EISA, MCA bridges
 * and SMBus controllers (0c05).
 */
bool verdict_is_chipset(const struct pp_device *d);

/* targets: the functions asked about (no bridges); members: every member
 * of the targets' kernel groups, targets included.  Frees nothing it is
 * given; release the result with verdict_free().
 */
void verdict_decide(const struct pp_device *targets, size_t nr_targets,
		    const struct pp_device *members, size_t nr_members,
		    struct verdict_result *r);
void verdict_free(struct verdict_result *r);

const char *verdict_key(enum verdict v);	/* JSON: "needs_companions" */
const char *verdict_words(enum verdict v);	/* text: "needs companions" */
int verdict_exit(enum verdict v);

/* "SV RR CR UF": the names of the ACS bits in mask, in register order;
 * "" for 0.
 */
const char *acs_flag_names(uint16_t mask, char *buf, size_t size);

/* What the kernel command line does to ACS, for explaining groups. */
struct acs_cmdline {
	char *acs_override;	/* value of pcie_acs_override= */
	char *config_acs;	/* pci=config_acs= (6.11+) */
	char *disable_acs_redir; /* pci=disable_acs_redir= */
};

void acs_cmdline_scan(const char *cmdline, struct acs_cmdline *c);
void acs_cmdline_free(struct acs_cmdline *c);
/* Whether a pci= device list ("[flags@]DDDD:BB:DD.F;...") names a.  Only
 * address entries are matched, not the "pci:VVVV:DDDD" ID form.
 */
bool acs_devlist_names(const char *list, const struct pp_addr *a);

#endif
