/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcipass-specific helpers shared by the selftest programs: building
 * pcipass requests, parsing pcipass replies strictly, and comparing both
 * interfaces' answers with the sysfs ground truth.
 */
#ifndef PCIPASS_SELFTEST_PPCOMMON_H
#define PCIPASS_SELFTEST_PPCOMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/pcipass.h>
#include <linux/pcipass_ioctl.h>

#include "nlhelp.h"
#include "sysfs.h"

#define PCIPASS_DEV_PATH	"/dev/" PCIPASS_DEVICE_NAME
#define NOBODY_ID		65534

/* A device-get reply, every attribute checked for its exact length. */
struct pp_dev {
	uint32_t seen;			/* bit n: attribute type n was present */
	struct pci_addr addr;
	uint16_t vendor, device;
	uint16_t subsystem_vendor, subsystem_device;
	uint32_t class;
	uint8_t revision;
	uint8_t header_type;
	uint8_t pcie_type;
	struct pci_addr physfn;
	char driver[256];
	char driver_override[4096];
	uint32_t iommu_group;
	struct pci_addr upstream;
	uint32_t acs_seen;		/* bit n: PCIPASS_A_ACS_n present */
	uint16_t acs_pos, acs_cap, acs_ctrl;
};

#define PP_HAS(d, attr)		(!!((d)->seen & (1u << (attr))))

struct pp_group {
	uint32_t id;
	int nmembers;
	struct pci_addr members[256];	/* in reply order */
};

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

/*
 * Parse one reply message.  Returns 0, or -EBADMSG with a reason in @why
 * (wrong command, unknown or duplicate attribute, bad length, incomplete
 * address nest, unterminated string...).
 */
int pp_parse_dev(const struct nlmsghdr *nlh, struct pp_dev *d,
		 char *why, int whylen);
int pp_parse_group(const struct nlmsghdr *nlh, struct pp_group *g,
		   char *why, int whylen);

/*
 * Compare a netlink / ioctl answer with sysfs.  @privileged: the caller had
 * CAP_SYS_ADMIN (then ACS and PCIe type must match the config space, else
 * they must be withheld and the restricted flag set).  Returns the number
 * of mismatches; a description of them is appended to @why.
 */
int pp_cmp_nl(const struct sysfs_dev *s, const struct pp_dev *d,
	      bool privileged, char *why, int whylen);
int pp_cmp_ioc(const struct sysfs_dev *s, const struct pcipass_ioc_device *d,
	       bool privileged, char *why, int whylen);

/*
 * Building blocks of the strict reply parsers: each checks the attribute's
 * exact length (or, for an address, a nest of exactly domain, bus and
 * devfn) and appends the reason for a failure to @why; 0 or -EBADMSG.
 */
void pp_why_add(char *why, int whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int pp_check_len(const struct nlattr *nla, int want, const char *name,
		 char *why, int whylen);
int pp_get_u8(const struct nlattr *nla, uint8_t *v, const char *name,
	      char *why, int whylen);
int pp_get_u16(const struct nlattr *nla, uint16_t *v, const char *name,
	       char *why, int whylen);
int pp_get_u32(const struct nlattr *nla, uint32_t *v, const char *name,
	       char *why, int whylen);
int pp_get_str(const struct nlattr *nla, char *buf, size_t len,
	       const char *name, char *why, int whylen);
int pp_get_addr(const struct nlattr *nest, struct pci_addr *a,
		const char *name, char *why, int whylen);
/* The genl header of a reply: this command, the family's version. */
int pp_check_genl_hdr(const struct nlmsghdr *nlh, uint8_t cmd,
		      char *why, int whylen);

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
