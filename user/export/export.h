/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_EXPORT_H
#define PCIPASS_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "check/verdict.h"
#include "host/host.h"
#include "hook/vmhold.h"
#include "nl/device.h"
#include "persist/persist.h"
#include "pci/state.h"
#include "pve/mapping.h"

/*
 * `pcipass export FORMAT`: this node's passthrough facts for fleet tools,
 * in their own formats (export/prom.c: node_exporter's textfile
 * collector; export/nfd.c: a node-feature-discovery feature file;
 * export/pvemap.c: a Proxmox VE PCI resource mapping).  The
 * facts are gathered once (export/facts.c) from the module's device dump
 * (or, in tests/export_run, a fixture's sysfs), the VM hooks' records,
 * claims.conf and `pcipass host`'s checks; export/outfile.c writes the
 * result atomically.
 */

enum export_format { EXPORT_PROMETHEUS, EXPORT_NFD, EXPORT_PROXMOX_MAPPING };

struct export_opts {
	enum export_format format;
	const char *output;	/* NULL: standard output */
	/* proxmox-mapping only */
	const char *map_name;
	char **addrs;		/* ADDR|SLOT arguments */
	size_t naddrs;
	char node[PVE_NODE_MAX];
	bool config;		/* pci.cfg's section, not the pvesh command */
};

struct export_group {
	uint32_t id;
	enum group_state state;
	const struct pp_device *v;	/* its members, a run of the list */
	size_t n;
	const char *vfio_driver;	/* a member's vfio driver, or NULL */
	const struct vmhold *hold;	/* the VM hook's record, or NULL */
};

struct export_fn {
	const struct pp_device *d;
	bool passable;		/* not a bridge nor a host bridge */
	enum verdict verdict;	/* when passable */
	unsigned int sriov_totalvfs;
};

struct export_mismatch {
	char path[PERSIST_PATH_MAX];
	uint16_t vendor, device;
	enum persist_match match;
};

#define EXPORT_NMATCH 4

struct export_facts {
	struct export_group *g;
	size_t ng;
	struct export_fn *fn;	/* every function, in address order */
	size_t nfn;
	size_t ungrouped;
	struct vmhold *holds;
	size_t nholds;
	enum host_status *checks;	/* host_checks[i]'s result */
	bool host_ready;		/* no check failed */
	bool persist_readable;		/* claims.conf read (or absent) */
	size_t persist[EXPORT_NMATCH];	/* entries by enum persist_match */
	struct export_mismatch *mis;
	size_t nmis;
};

/* -1 to go on, else the exit status (help, a usage error). */
int export_parse(int argc, char **argv, struct export_opts *o);
/* Gathers, formats and writes; l is reordered.  An exit status. */
int export_run(struct pp_devlist *l, const struct export_opts *o);

void export_gather(struct pp_devlist *l, struct export_facts *f);
void export_facts_free(struct export_facts *f);

void export_prometheus(FILE *out, const struct export_facts *f);
void export_nfd(FILE *out, const struct export_facts *f);
/* export/pvemap.c: reads sysfs itself (no facts, no module); an exit
 * status.
 */
int export_pvemap(const struct export_opts *o);

/* Writing a file atomically: a temporary file in the same directory,
 * hidden (node_exporter reads only *.prom, nfd-worker skips dot files),
 * renamed over path once complete.
 */
struct outfile {
	FILE *f;
	char *path, *tmp;
};

/* 0 or -errno; path NULL: standard output. */
int outfile_open(struct outfile *o, const char *path);
/* Flushes, syncs and renames (or, with ok false, removes the temporary
 * file).  0 or -errno.
 */
int outfile_close(struct outfile *o, bool ok);

#endif
