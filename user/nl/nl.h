/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_NL_H
#define PCIPASS_NL_H

#include <stdbool.h>
#include <stdint.h>

struct nl_sock;
struct nl_msg;

/* What went wrong with the last request, kept until the caller decides
 * whether it is worth reporting (a vanished group member is not).
 */
struct pnl_error {
	int errnum;		/* positive errno */
	bool from_kernel;	/* errnum came in an NLMSG_ERROR / DONE */
	char msg[256];		/* extack message, or local detail */
	bool has_miss_type;
	uint32_t miss_type;	/* extack: attribute the kernel wanted */
};

struct pnl {
	struct nl_sock *sk;
	int family;
	struct pnl_error err;
};

/* Build the request body after the genl header; 0 or -errno. */
typedef int (*pnl_fill_fn)(struct nl_msg *msg, const void *arg);
/* Consume one reply message; 0, or -EBADMSG for a malformed one. */
typedef int (*pnl_parse_fn)(struct nl_msg *msg, void *arg);

int pnl_open(struct pnl *nl);
int pnl_open_or_report(struct pnl *nl);
void pnl_close(struct pnl *nl);
int pnl_family_version(struct pnl *nl, unsigned int *version);

int pnl_do(struct pnl *nl, uint8_t cmd, pnl_fill_fn fill, const void *fill_arg,
	   pnl_parse_fn parse, void *arg);
int pnl_dump(struct pnl *nl, uint8_t cmd, pnl_parse_fn parse, void *arg);

void pnl_perror(const struct pnl *nl);
/* The kernel's extack message of the last error without the module's
 * "pcipass: " prefix; NULL when the kernel sent none.
 */
const char *pnl_kernel_msg(const struct pnl *nl);

#define PNL_NOT_LOADED_MSG \
	"kernel module not loaded: run 'modprobe pcipass' " \
	"(or 'insmod kmod/pcipass.ko' from a build tree)"

#endif
