/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_PVE_MAPPING_H
#define PCIPASS_PVE_MAPPING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/addr.h"
#include "persist/persist.h"

/*
 * Proxmox VE's PCI resource mappings: /etc/pve/mapping/pci.cfg, the
 * cluster-wide file behind `pvesh ... /cluster/mapping/pci` and the GUI's
 * Resource Mappings.  The syntax is Proxmox's (pve-guest-common,
 * PVE/Mapping/PCI.pm and PVE/SectionConfig.pm): a section per mapping, its
 * header the bare mapping name in column 0, then tab-indented "KEY VALUE"
 * lines, a blank line ending it; each "map" value is a property string
 * node=NAME,path=ADDR[;ADDR...],id=VVVV:DDDD[,iommugroup=N]
 * [,subsystem-id=VVVV:DDDD][,description=TEXT].  A path without a
 * function ("0000:01:00") maps every function of the slot, checked
 * against function 0; with several paths the IOMMU group is checked on
 * the first only (Proxmox's assert_valid).
 *
 *   pve/map_cfg.c   - parse the file and a map, with line numbers; format
 *                     a map the way Proxmox writes it (keys sorted)
 *   pve/map_hw.c    - this host's functions: IDs (persist/ident.c), group
 *   pve/map_drift.c - how each map of this node matches the hardware
 *   export/pvemap.c - `pcipass export proxmox-mapping`
 *   cmd/drift.c     - `pcipass drift`
 */

#define PVE_MAPPING_CFG "/etc/pve/mapping/pci.cfg"
#define PVE_MAP_PATHS 16
#define PVE_NODE_MAX 64

/* drift's exit statuses beyond 0 (every map matches) and 2 (usage). */
enum {
	EXIT_DRIFT = 3,		/* a map of this node does not match */
	EXIT_DRIFT_BADFILE = 4,	/* the file is unreadable or invalid */
};

struct pve_map_path {
	struct pp_addr addr;
	bool slot;		/* no function: every function of the slot */
};

/* One "map" line. */
struct pve_map {
	char *mapping;		/* its section's name */
	size_t line;		/* 1-based */
	char *raw;		/* the value as written */
	char node[PVE_NODE_MAX];
	struct pve_map_path path[PVE_MAP_PATHS];
	size_t npaths;
	uint16_t vendor, device;
	bool has_sub;
	uint16_t sub_vendor, sub_device;
	bool has_group;
	uint32_t group;
	char *description;	/* NULL: none */
};

struct pve_mapcfg {
	struct pve_map *m;
	size_t n;
	size_t sections;
};

/* pve/map_cfg.c */
/* A map's value into m (its mapping and line left alone): 0, or -1 with
 * the reason in why.
 */
int pve_map_parse(const char *value, struct pve_map *m, char *why,
		  size_t size);
/* Reads file; each bad line reported to errs as "FILE:LINE: ...".
 * Returns the number of bad lines, or -errno when unreadable.
 */
int pve_mapcfg_load(const char *file, struct pve_mapcfg *c, FILE *errs);
void pve_mapcfg_free(struct pve_mapcfg *c);
void pve_map_free(struct pve_map *m);
/* m as Proxmox writes a map (keys sorted, a value with a comma quoted);
 * caller frees.
 */
char *pve_map_format(const struct pve_map *m);
/* "0000:01:00" or "0000:01:00.1" */
const char *pve_path_fmt(const struct pve_map_path *p, char buf[ADDR_STRLEN]);
/* Proxmox's pve-configid (a mapping's name) and pve-node. */
bool pve_configid_valid(const char *s);
bool pve_node_valid(const char *s);
/* This host's name as Proxmox knows it: uname's, up to the first dot. */
void pve_nodename(char buf[PVE_NODE_MAX]);

/* pve/map_hw.c: the functions present (sysfs, through the sysroot). */
struct pve_fn {
	char addr[ADDR_STRLEN];
	struct pp_addr a;
	uint16_t vendor, device;
	bool has_sub;
	uint16_t sub_vendor, sub_device;
	bool has_group;
	uint32_t group;
};

struct pve_hw {
	struct pve_fn *f;
	size_t n;
};

void pve_hw_scan(struct pve_hw *hw);
void pve_hw_free(struct pve_hw *hw);
/* The function at a, or NULL. */
const struct pve_fn *pve_hw_find(const struct pve_hw *hw,
				 const struct pp_addr *a);

/* pve/map_drift.c */
enum pve_drift {
	PVE_DRIFT_OK,
	PVE_DRIFT_GROUP,	/* same function, another IOMMU group */
	PVE_DRIFT_MOVED,	/* its IDs at one other address only */
	PVE_DRIFT_AMBIGUOUS,	/* its IDs at several other addresses */
	PVE_DRIFT_SWAPPED,	/* other IDs at its path, its own nowhere */
	PVE_DRIFT_ABSENT,	/* nothing at its path, its IDs nowhere */
	PVE_DRIFT_SKIPPED,	/* a map of another node */
};

struct pve_path_drift {
	enum pve_drift status;
	const struct pve_fn *at;	/* what is at the path now, or NULL */
	const struct pve_fn *now[4];	/* where its IDs are now (moved) */
	size_t nnow;
};

struct pve_map_drift {
	const struct pve_map *m;
	enum pve_drift status;		/* the worst of its paths' */
	struct pve_path_drift path[PVE_MAP_PATHS];
	char *fix;			/* the map that matches now, or NULL */
};

/* Judges every map of c for node; d gets c->n results (free with
 * pve_drift_free).  Returns how many maps of node do not match.
 */
size_t pve_drift_judge(const struct pve_mapcfg *c, const struct pve_hw *hw,
		       const char *node, struct pve_map_drift *d);
void pve_drift_free(struct pve_map_drift *d, size_t n);
const char *pve_drift_key(enum pve_drift s);

#endif
