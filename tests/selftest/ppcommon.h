/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcipass-specific helpers shared by the selftest programs: opening the
 * family, building pcipass requests, waiting for a claim transaction,
 * ioctls and privileges.  Parsing the replies strictly (ppparse.h) and
 * comparing both interfaces' answers with the sysfs ground truth
 * (ppcmp.h) come with this header.
 */
#ifndef PCIPASS_SELFTEST_PPCOMMON_H
#define PCIPASS_SELFTEST_PPCOMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/pcipass.h>
#include <linux/pcipass_ioctl.h>

#include "nlhelp.h"
#include "ppcmp.h"
#include "ppparse.h"
#include "sysfs.h"

#define PCIPASS_DEV_PATH	"/dev/" PCIPASS_DEVICE_NAME
#define NOBODY_ID		65534

/* pcipass.ko is loaded. */
bool pp_module_loaded(void);
/* A PCI function with this address exists in sysfs. */
bool pp_sysfs_has(const struct pci_addr *a);

/* The first PCI function in sysfs, for requests that need a valid address. */
int pp_first_pci_addr(struct pci_addr *a);

/* Open a socket and resolve the pcipass family; 0 or -errno. */
int pp_nl_open(struct nl_sock *s, uint16_t *family, size_t rcvbuf_len);

/*
 * Claim and release are answered with a transaction id; the transaction
 * runs in the module's own context.  Sends @b, then asks claim-get until
 * the transaction is done (at most PP_CLAIM_WAIT_S) and leaves its answer
 * in @rep as the request's own: the report, then the error with its
 * extended ack.  Returns as nl_transact() does, or -ETIMEDOUT.
 */
#define PP_CLAIM_WAIT_S	120
int pp_claim_transact(struct nl_sock *s, uint16_t family, struct nlb *b,
		      struct nl_reply *rep);
/* The txid and tx-state of a claim or release reply (0 when absent). */
void pp_claim_reply_tx(const struct nl_reply *rep, uint32_t *txid,
		       uint32_t *state);
/* claim-get @txid until it is done; as pp_claim_transact(). */
int pp_claim_get_wait(struct nl_sock *s, uint16_t family, uint32_t txid,
		      struct nl_reply *rep);

/* Standard requests. */
void pp_req_dev_get(struct nlb *b, uint16_t family, const struct pci_addr *a);
void pp_req_dev_dump(struct nlb *b, uint16_t family);
void pp_req_group_get(struct nlb *b, uint16_t family, uint32_t id);
void pp_req_group_dump(struct nlb *b, uint16_t family);

/* ioctl helpers: return 0 or -errno. */
int pp_ioc_dev_get(int fd, const struct pci_addr *a,
		   struct pcipass_ioc_device *d);
int pp_ioctl(int fd, unsigned long cmd, void *arg);

/* setgroups(0), setgid(65534), setuid(65534); 0 or -errno. */
int pp_drop_privileges(void);

/*
 * Before 6.2 (Debian's 6.1), genetlink checks GENL_ADMIN_PERM before it
 * looks for a dump handler, and NL_SET_ERR_MSG_FMT does not exist: the
 * module then answers with fixed extack messages.
 */
bool pp_kernel_before_6_2(void);

#endif
