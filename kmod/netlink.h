/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PCIPASS_NETLINK_H
#define _PCIPASS_NETLINK_H

int pcipass_genl_init(void);
void pcipass_genl_uninit(void);

#endif /* _PCIPASS_NETLINK_H */
