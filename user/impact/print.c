// SPDX-License-Identifier: GPL-2.0
/*
 * impact_print(): the collected facts per function, then the findings,
 * most severe first.  One code path for text and JSON (lib/print.h).
 */
#include <stdio.h>
#include <string.h>

#include "impact/impact_int.h"
#include "lib/print.h"
#include "lib/util.h"

#define INDENT "                "	/* continuation under a label */

static const char *const sev_key[] = {
	[SEV_CRITICAL] = "critical", [SEV_WARNING] = "warning",
	[SEV_INFO] = "info",
};

static const char *const sev_word[] = {
	[SEV_CRITICAL] = "CRITICAL", [SEV_WARNING] = "WARNING",
	[SEV_INFO] = "info",
};

static const char *const role_key[] = {
	[BLK_DISK] = "disk", [BLK_PART] = "partition", [BLK_HOLDER] = "holder",
};

/* JSON null when absent, and then nothing in the text. */
static void print_maybe(const char *key, const char *fmt, const char *value)
{
	if (value)
		print_string(PRINT_ANY, key, fmt, value);
	else
		print_null(PRINT_JSON, key, NULL, NULL);
}

static void label(const char *l)
{
	print_text("    %-11s ", l);
}

static const char *family_key(int family)
{
	return family == AF_INET ? "inet" : "inet6";
}

static void print_addrs(const struct netinfo *ni)
{
	if (ni->naddrs)
		print_text(INDENT "addresses ");
	open_json_array("addresses");
	for (size_t i = 0; i < ni->naddrs; i++) {
		const struct net_addr *a = &ni->addrs[i];

		open_json_object(NULL);
		print_string(PRINT_JSON, "family", NULL, family_key(a->family));
		print_string(PRINT_ANY, "address", i ? ", %s" : "%s", a->addr);
		print_uint(PRINT_ANY, "prefix_len", "/%u", a->prefixlen);
		print_bool(PRINT_JSON, "link_local", NULL, a->link_local);
		close_json_object();
	}
	close_json_array();
	if (ni->naddrs)
		print_text("\n");
}

static void print_routes(const struct netinfo *ni)
{
	if (ni->nroutes)
		print_text(INDENT "routes    ");
	open_json_array("routes");
	for (size_t i = 0; i < ni->nroutes; i++) {
		const struct net_route *r = &ni->routes[i];

		open_json_object(NULL);
		print_text("%s", i ? ", " : "");
		print_string(PRINT_JSON, "family", NULL, family_key(r->family));
		if (r->dst_len) {
			print_string(PRINT_ANY, "destination", "%s", r->dst);
		} else {
			print_null(PRINT_JSON, "destination", NULL, NULL);
			print_text("default");
		}
		print_uint(PRINT_JSON, "prefix_len", NULL, r->dst_len);
		if (r->dst_len)
			print_text("/%u", r->dst_len);
		print_maybe("gateway", " via %s",
			    *r->gateway ? r->gateway : NULL);
		close_json_object();
	}
	close_json_array();
	if (ni->nroutes)
		print_text("\n");
}

static void print_net(const struct imp_func *f)
{
	open_json_array("net");
	for (size_t i = 0; i < f->nnet; i++) {
		const struct imp_netdev *nd = &f->net[i];

		open_json_object(NULL);
		label("network");
		print_string(PRINT_ANY, "name", "%s", nd->name);
		print_maybe("kind", " (%s", nd->kind);
		print_maybe("lower", " on %s", nd->lower);
		print_text(nd->kind ? ")" : "");
		print_opt_string(PRINT_ANY, "operstate", ", %s\n",
				 nd->operstate, "state unknown");
		print_bool(PRINT_JSON, "default_route", NULL,
			   netinfo_has_default(&nd->info));
		if (!nd->info.naddrs && !nd->info.nroutes)
			print_text(INDENT "no addresses, no routes\n");
		print_addrs(&nd->info);
		print_routes(&nd->info);
		close_json_object();
	}
	close_json_array();
}

static void print_block(const struct imp_block *b)
{
	open_json_object(NULL);
	label(role_key[b->role]);
	print_string(PRINT_ANY, "name", "%s", b->name);
	print_string(PRINT_JSON, "type", NULL, role_key[b->role]);
	print_maybe("dev", " (%s)", b->dev);
	print_maybe("parent", b->role == BLK_PART ? " of %s" : " on %s",
		    b->parent);
	print_maybe("multipath_via", ", NVMe multipath through %s", b->via);
	print_maybe("dm_name", ": device-mapper %s", b->dm_name);
	print_maybe("fs_type", b->dm_name ? ", %s" : ": %s", b->fs_type);
	print_maybe("fs_label", " \"%s\"", b->fs_label);
	print_bool(PRINT_JSON, "zfs_pool_imported", NULL, b->zfs_imported);
	if (b->zfs_imported)
		print_text(", pool imported");
	print_text("\n");
	close_json_object();
}

static void print_mount(const struct imp_mount *m, bool swap)
{
	open_json_object(NULL);
	label(swap ? "swap" : "mounted");
	if (!swap)
		print_opt_string(PRINT_ANY, "target", "%s from ", m->target,
				 "?");
	print_opt_string(PRINT_ANY, "source", "%s", m->source, "?");
	if (!swap)
		print_opt_string(PRINT_ANY, "fs_type", " (%s, ", m->fstype,
				 "?");
	print_string(PRINT_ANY, "device", swap ? " (%s)\n" : "%s)\n",
		     m->device);
	close_json_object();
}

static void print_storage(const struct imp_func *f)
{
	open_json_array("block");
	for (size_t i = 0; i < f->nblk; i++)
		print_block(&f->blk[i]);
	close_json_array();
	open_json_array("mounts");
	for (size_t i = 0; i < f->nmnt; i++)
		print_mount(&f->mnt[i], false);
	close_json_array();
	open_json_array("swaps");
	for (size_t i = 0; i < f->nswp; i++)
		print_mount(&f->swp[i], true);
	close_json_array();
}

static void print_fbs(const char *key, const char *what,
		      const struct imp_fb *v, size_t n)
{
	open_json_array(key);
	for (size_t i = 0; i < n; i++) {
		open_json_object(NULL);
		label(what);
		print_string(PRINT_ANY, "name", "%s", v[i].name);
		if (!strcmp(key, "framebuffers"))
			print_maybe("id", " \"%s\"", v[i].id);
		print_maybe("firmware", ": the firmware's framebuffer (%s)",
			    v[i].firmware);
		print_text("\n");
		close_json_object();
	}
	close_json_array();
}

static void print_display(const struct imp_func *f)
{
	const struct imp_display *d = &f->disp;

	open_json_object("display");
	print_bool(PRINT_JSON, "boot_vga", NULL, d->boot_vga);
	if (d->boot_vga) {
		label("display");
		print_text("boot GPU (boot_vga)\n");
	}
	print_bool(PRINT_JSON, "fbcon", NULL, d->fbcon);
	print_fbs("framebuffers", "framebuffer", d->fbs, d->nfbs);
	if (d->fbcon)
		print_text(INDENT "the text console (fbcon) draws on it\n");
	print_fbs("drm_cards", "drm card", d->cards, d->ncards);
	close_json_object();
}

static void print_usb(const struct imp_func *f)
{
	open_json_array("usb");
	for (size_t i = 0; i < f->nusb; i++) {
		const struct imp_usb *u = &f->usb[i];

		open_json_object(NULL);
		label("usb");
		print_string(PRINT_ANY, "bus_id", "%s", u->bus_id);
		if (u->has_ids) {
			print_uint(PRINT_ANY, "vendor", " %04x", u->vendor);
			print_uint(PRINT_ANY, "product", ":%04x", u->product);
		} else {
			print_null(PRINT_JSON, "vendor", NULL, NULL);
			print_null(PRINT_JSON, "product", NULL, NULL);
		}
		print_maybe("manufacturer", " %s", u->manufacturer);
		print_maybe("product_name", " %s", u->product_name);
		print_bool(PRINT_JSON, "hub", NULL, u->hub);
		print_bool(PRINT_JSON, "hid", NULL, u->hid);
		print_bool(PRINT_JSON, "keyboard", NULL, u->keyboard);
		print_bool(PRINT_JSON, "mouse", NULL, u->mouse);
		print_bool(PRINT_JSON, "storage", NULL, u->storage);
		print_text("%s%s%s%s%s\n", u->hub ? " (hub)" : "",
			   u->keyboard ? " (keyboard)" : "",
			   u->mouse ? " (mouse)" : "",
			   u->hid && !u->keyboard && !u->mouse ? " (HID)" : "",
			   u->storage ? " (storage)" : "");
		close_json_object();
	}
	close_json_array();
}

static void print_sound(const struct imp_func *f)
{
	open_json_array("sound");
	for (size_t i = 0; i < f->nsnd; i++) {
		open_json_object(NULL);
		label("sound");
		print_uint(PRINT_ANY, "card", "card %u", f->snd[i].card);
		print_maybe("id", " (%s)", f->snd[i].id);
		print_text("\n");
		close_json_object();
	}
	close_json_array();
}

static void print_vfs(const struct imp_func *f)
{
	open_json_array("sriov_vfs");
	for (size_t i = 0; i < f->nvfs; i++) {
		open_json_object(NULL);
		label("SR-IOV VF");
		print_string(PRINT_ANY, "address", "%s", f->vfs[i].addr);
		print_opt_string(PRINT_ANY, "driver", ", driver %s\n",
				 f->vfs[i].driver, "none");
		close_json_object();
	}
	close_json_array();
}

static bool func_empty(const struct imp_func *f)
{
	return !f->nnet && !f->nblk && !f->disp.boot_vga && !f->disp.nfbs &&
	       !f->disp.ncards && !f->nusb && !f->nsnd && !f->nvfs;
}

static void print_func(const struct imp_func *f)
{
	open_json_object(NULL);
	print_string(PRINT_ANY, "address", "  %s\n", f->addr);
	print_bool(PRINT_JSON, "in_sysfs", NULL, f->path != NULL);
	if (!f->path)
		print_text("    not found in sysfs\n");
	else if (func_empty(f))
		print_text("    nothing the host uses: no network interface, disk, display, USB device,\n"
			   "    sound card or SR-IOV VF\n");
	print_net(f);
	print_storage(f);
	print_display(f);
	print_usb(f);
	print_sound(f);
	print_vfs(f);
	close_json_object();
}

static void print_findings(const struct impact *im)
{
	print_text(im->nfind ? "  findings\n" : "");
	open_json_array("findings");
	for (size_t i = 0; i < im->nfind; i++) {
		const struct imp_finding *x = &im->find[i];

		open_json_object(NULL);
		print_string(PRINT_JSON, "severity", NULL, sev_key[x->sev]);
		print_text("    %-9s ", sev_word[x->sev]);
		print_string(PRINT_ANY, "address", "%s  ", x->addr);
		print_string(PRINT_JSON, "kind", NULL, x->kind);
		print_string(PRINT_ANY, "message", "%s\n", x->msg);
		print_maybe("fix", "              fix: %s\n", x->hint);
		close_json_object();
	}
	close_json_array();
}

void impact_print(const struct impact *im)
{
	open_json_object("host_impact");
	print_text("Host impact: what the host loses when %s\n",
		   im->n == 1 ? "this function leaves it" :
		   "these functions leave it");
	print_bool(PRINT_JSON, "critical", NULL, impact_has_critical(im));
	print_opt_string(PRINT_JSON, "net_source", NULL, im->net_source, NULL);
	open_json_array("functions");
	for (size_t i = 0; i < im->n; i++)
		print_func(&im->f[i]);
	close_json_array();
	print_findings(im);
	if (im->net_source && !strcmp(im->net_source, "procfs"))
		print_text("  (addresses read from /proc/net: IPv4 addresses show only where a connected route covers them)\n");
	close_json_object();
}
