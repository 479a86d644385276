/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PCIPASS_CHARDEV_H
#define _PCIPASS_CHARDEV_H

int pcipass_chardev_init(void);
void pcipass_chardev_uninit(void);

#endif /* _PCIPASS_CHARDEV_H */
