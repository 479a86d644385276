// SPDX-License-Identifier: GPL-2.0
/*
 * Not a kernel module: the least ELF that depmod indexes and libkmod
 * reads modinfo from, so fixture trees get real module indexes without
 * shipping binaries.  Built once per module name by run.sh.
 */
#define STR2(x) #x
#define STR(x) STR2(x)

static const char modinfo[] __attribute__((section(".modinfo"), used,
					   aligned(1))) =
	"license=GPL\0name=" STR(MODNAME);
