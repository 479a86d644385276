// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass KUnit suites: the module's pure logic driven with synthetic
 * inputs.  Each *_test.c registers its own suite; they run on load.
 */
#include <linux/module.h>

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for pcipass");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
