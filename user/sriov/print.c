// SPDX-License-Identifier: GPL-2.0
/*
 * A PF's SR-IOV state, text and JSON from the same calls, and the
 * warning for each IOMMU group a VF shares with its PF or another VF:
 * a claim takes a whole group, so those functions go along.
 */
#include <stdio.h>
#include <string.h>

#include "claim/claim.h"
#include "lib/print.h"
#include "sriov/sriov.h"

static void print_group(const char *key, const char *fmt,
			const char *none_fmt, bool has, uint32_t group)
{
	if (has)
		print_uint(PRINT_ANY, key, fmt, group);
	else
		print_null(PRINT_ANY, key, none_fmt, "none");
}

static void print_vf(const struct sriov_vf *vf)
{
	open_json_object(NULL);
	print_uint(PRINT_ANY, "index", "  virtfn%u", vf->index);
	print_string(PRINT_ANY, "address", " %s", vf->addr);
	print_group("iommu_group", "  group %u", "  group %s",
		    vf->has_group, vf->group);
	print_opt_string(PRINT_ANY, "driver", "  driver %s", vf->driver,
			 "none");
	print_opt_string(PRINT_ANY, "driver_override", "  override %s",
			 vf->override, "none");
	print_text("\n");
	open_json_array("shares_group_with");
	for (size_t i = 0; i < vf->nr_peers; i++)
		print_string(PRINT_JSON, NULL, NULL, vf->peers[i]);
	close_json_array();
	close_json_object();
}

/* "its PF 0000:14:00.0, VF 0000:14:00.2": bridges stay with the host,
 * a claim leaves them out.
 */
static void peer_words(const struct sriov_state *s, const struct sriov_vf *vf,
		       char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = 0;
	for (size_t i = 0; i < vf->nr_peers && len < size; i++) {
		const char *what = "";

		if (claim_is_bridge(vf->peers[i]))
			continue;
		if (!strcmp(vf->peers[i], s->addr))
			what = "its PF ";
		else
			for (size_t j = 0; j < s->nr_vfs; j++)
				if (!strcmp(vf->peers[i], s->vfs[j].addr))
					what = "VF ";
		len += snprintf(buf + len, size - len, "%s%s%s",
				len ? ", " : "", what, vf->peers[i]);
	}
}

/* One warning per shared group, at its first VF. */
static void print_warnings(const struct sriov_state *s)
{
	char peers[512], line[768];

	open_json_array("warnings");
	for (size_t i = 0; i < s->nr_vfs; i++) {
		const struct sriov_vf *vf = &s->vfs[i];
		bool seen = false;

		if (!vf->has_group || !sriov_vf_shares(s, vf))
			continue;
		for (size_t j = 0; j < i; j++)
			seen |= s->vfs[j].has_group &&
				s->vfs[j].group == vf->group;
		if (seen)
			continue;
		peer_words(s, vf, peers, sizeof(peers));
		snprintf(line, sizeof(line),
			 "VF %s shares IOMMU group %u with %s: a claim takes the whole group, so pass them along ('pcipass check %s' says what the host would lose)",
			 vf->addr, vf->group, peers, vf->addr);
		print_string(PRINT_ANY, NULL, "warning: %s\n", line);
	}
	close_json_array();
}

void sriov_print_state(const struct sriov_state *s)
{
	print_string(PRINT_ANY, "address", "%s", s->addr);
	print_opt_string(PRINT_ANY, "driver", " (driver %s)", s->driver,
			 "none");
	print_group("iommu_group", ", IOMMU group %u", ", IOMMU group %s",
		    s->has_group, s->group);
	print_text("\n");
	print_uint(PRINT_ANY, "num_vfs", "  VFs: %u", (unsigned int)s->numvfs);
	print_uint(PRINT_ANY, "total_vfs", " of %u enabled",
		   (unsigned int)s->totalvfs);
	if (s->has_autoprobe)
		print_bool(PRINT_ANY, "drivers_autoprobe",
			   ", drivers_autoprobe %s\n", s->autoprobe);
	else
		print_null(PRINT_ANY, "drivers_autoprobe",
			   ", drivers_autoprobe %s\n", "unknown");
	open_json_array("vfs");
	for (size_t i = 0; i < s->nr_vfs; i++)
		print_vf(&s->vfs[i]);
	close_json_array();
	print_warnings(s);
}
