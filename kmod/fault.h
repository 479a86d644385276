/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault points for the tests.  On a kernel with the fault-injection
 * framework and its debugfs files (the debug test kernel,
 * tests/kernel/debug.config) each point is a debugfs directory such as
 * /sys/kernel/debug/fail_pcipass_record (probability, times, space, ...;
 * Documentation/fault-injection/); elsewhere the points compile away.
 */
#ifndef _PCIPASS_FAULT_H
#define _PCIPASS_FAULT_H

#include <linux/types.h>

#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
void pcipass_fault_init(void);
void pcipass_fault_exit(void);
bool pcipass_fault_record(void);
bool pcipass_fault_group(void);
#else
static inline void pcipass_fault_init(void) {}
static inline void pcipass_fault_exit(void) {}
static inline bool pcipass_fault_record(void) { return false; }
static inline bool pcipass_fault_group(void) { return false; }
#endif

#endif
