// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass-specific helpers shared by the selftest programs (see
 * ppcommon.h); the reply parsers are in ppparse.c, the comparisons with
 * sysfs in ppcmp.c.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "ppcommon.h"

int pp_nl_open(struct nl_sock *s, uint16_t *family, size_t rcvbuf_len)
{
	struct genl_family_info fi;
	int ret;

	ret = nl_open(s, rcvbuf_len);
	if (ret)
		return ret;
	ret = genl_resolve(s, PCIPASS_FAMILY_NAME, &fi);
	if (ret) {
		nl_close(s);
		return ret;
	}
	*family = fi.id;
	return 0;
}

void pp_req_dev_get(struct nlb *b, uint16_t family, const struct pci_addr *a)
{
	nlb_init(b, family, NLM_F_REQUEST | NLM_F_ACK, PCIPASS_CMD_DEVICE_GET,
		 PCIPASS_FAMILY_VERSION);
	nlb_nest_start(b, PCIPASS_A_DEV_ADDR | NLA_F_NESTED);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, a->domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, a->bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, a->devfn);
	nlb_nest_end(b);
}

void pp_req_dev_dump(struct nlb *b, uint16_t family)
{
	nlb_init(b, family, NLM_F_REQUEST | NLM_F_DUMP, PCIPASS_CMD_DEVICE_GET,
		 PCIPASS_FAMILY_VERSION);
}

void pp_req_group_get(struct nlb *b, uint16_t family, uint32_t id)
{
	nlb_init(b, family, NLM_F_REQUEST | NLM_F_ACK, PCIPASS_CMD_GROUP_GET,
		 PCIPASS_FAMILY_VERSION);
	nlb_put_u32(b, PCIPASS_A_GROUP_ID, id);
}

void pp_req_group_dump(struct nlb *b, uint16_t family)
{
	nlb_init(b, family, NLM_F_REQUEST | NLM_F_DUMP, PCIPASS_CMD_GROUP_GET,
		 PCIPASS_FAMILY_VERSION);
}

int pp_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

int pp_ioc_dev_get(int fd, const struct pci_addr *a,
		   struct pcipass_ioc_device *d)
{
	memset(d, 0, sizeof(*d));
	d->size = sizeof(*d);
	d->addr.domain = a->domain;
	d->addr.bus = a->bus;
	d->addr.devfn = a->devfn;
	return pp_ioctl(fd, PCIPASS_IOC_DEVICE_GET, d);
}

int pp_drop_privileges(void)
{
	if (setgroups(0, NULL) || setgid(NOBODY_ID) || setuid(NOBODY_ID))
		return -errno;
	if (geteuid() != NOBODY_ID || getegid() != NOBODY_ID)
		return -EPERM;
	return 0;
}

int pp_first_pci_addr(struct pci_addr *a)
{
	char **names;
	int n, ret;

	n = sysfs_pci_list(&names);
	if (n <= 0)
		return n ? n : -ENODEV;
	ret = pci_addr_parse(names[0], a);
	sysfs_names_free(names, n);
	return ret;
}

bool pp_module_loaded(void)
{
	struct stat st;

	return stat("/sys/module/pcipass", &st) == 0;
}

bool pp_sysfs_has(const struct pci_addr *a)
{
	char name[32], path[96];
	struct stat st;

	pci_addr_fmt(a, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s", SYSFS_PCI_DEVICES, name);
	return stat(path, &st) == 0;
}

bool pp_kernel_before_6_2(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	return major < 6 || (major == 6 && minor < 2);
}

void pp_claim_reply_tx(const struct nl_reply *rep, uint32_t *txid,
		       uint32_t *state)
{
	const struct nlattr *a;
	int rem;

	*txid = 0;
	*state = 0;
	if (rep->nmsgs != 1)
		return;
	nla_for_each(a, (char *)NLMSG_DATA(rep->msgs[0].nlh) + GENL_HDRLEN,
		     rep->msgs[0].nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, rem) {
		if (nla_plen(a) != 4)
			continue;
		if (nla_kind(a) == PCIPASS_A_CLAIM_TXID)
			memcpy(txid, nla_payload(a), 4);
		else if (nla_kind(a) == PCIPASS_A_CLAIM_TX_STATE)
			memcpy(state, nla_payload(a), 4);
	}
}

int pp_claim_get_wait(struct nl_sock *s, uint16_t family, uint32_t txid,
		      struct nl_reply *rep)
{
	int ret, us = 1000, waited = 0;
	uint32_t id, state;
	struct nlb g;

	for (;;) {
		nlb_init(&g, family, NLM_F_REQUEST | NLM_F_ACK,
			 PCIPASS_CMD_CLAIM_GET, PCIPASS_FAMILY_VERSION);
		nlb_put_u32(&g, PCIPASS_A_CLAIM_TXID, txid);
		ret = nl_transact(s, &g, rep);
		if (ret || rep->error)
			return ret;
		pp_claim_reply_tx(rep, &id, &state);
		if (state == PCIPASS_TX_DONE)
			return 0;
		if (waited > PP_CLAIM_WAIT_S * 1000000)
			return -ETIMEDOUT;
		usleep(us);
		waited += us;
		us = us < 50000 ? us * 2 : 50000;
		nl_reply_free(rep);
		memset(rep, 0, sizeof(*rep));
	}
}

int pp_claim_transact(struct nl_sock *s, uint16_t family, struct nlb *b,
		      struct nl_reply *rep)
{
	int ret = nl_transact(s, b, rep);
	uint32_t txid, state;

	if (ret || rep->error)
		return ret;
	/* the answer says queued, running or done: the report comes from claim-get */
	pp_claim_reply_tx(rep, &txid, &state);
	if (!txid)
		return 0;
	nl_reply_free(rep);
	memset(rep, 0, sizeof(*rep));
	return pp_claim_get_wait(s, family, txid, rep);
}
