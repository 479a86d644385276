// SPDX-License-Identifier: GPL-2.0
/*
 * impact_collect(): what the host loses with these PCI functions.  All
 * reading happens here, before anything is printed, so the printed facts
 * and the verdict come from one snapshot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "impact/impact_int.h"
#include "lib/syspath.h"
#include "lib/sysroot.h"
#include "lib/util.h"

void *vec_push(void *arrp, size_t *n, size_t size)
{
	void **arr = arrp;
	char *p;

	*arr = xrealloc(*arr, (*n + 1) * size);
	p = (char *)*arr + *n * size;
	memset(p, 0, size);
	(*n)++;
	return p;
}

static void collect_one(struct imp_func *f, const char *addr,
			struct netsrc **net, const struct mount_list *mounts,
			const struct mount_list *swaps,
			const struct imp_roots *roots)
{
	f->addr = xstrdup(addr);
	f->path = syspath_pci_function(addr);
	if (!f->path)
		return;		/* gone, or never there: nothing to lose */
	impact_net_gather(f, net);
	impact_block_gather(f, mounts, swaps, roots);
	impact_display_gather(f);
	impact_usb_gather(f);
	impact_sound_gather(f);
	impact_sriov_gather(f);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void add_root(struct imp_roots *roots, const struct mount_entry *m)
{
	struct mount_entry *r;

	if (roots->n == IMP_MAX_ROOTS)
		return;
	r = &roots->v[roots->n++];
	*r = *m;
	r->source = dup_or_null(m->source);
	r->target = dup_or_null(m->target);
	r->fstype = dup_or_null(m->fstype);
}

/* The root of a mount table is its last mount on "/" (the one on top). */
static void add_table_root(struct imp_roots *roots, const struct mount_list *ml)
{
	const struct mount_entry *top = NULL;

	for (size_t i = 0; i < ml->n; i++)
		if (ml->v[i].target && !strcmp(ml->v[i].target, "/"))
			top = &ml->v[i];
	if (top)
		add_root(roots, top);
}

static void add_stat_root(struct imp_roots *roots, const char *path)
{
	struct mount_entry m = { .has_devno = true };
	struct stat st;

	if (stat(path, &st))
		return;
	m.major = major(st.st_dev);
	m.minor = minor(st.st_dev);
	add_root(roots, &m);
}

/* PID 1's root first (the host's, unless pcipass runs in a container
 * with a PID namespace of its own), then the caller's (a chroot, a
 * rescue system).
 */
static void find_roots(struct imp_roots *roots, const struct mount_list *own)
{
	struct mount_list init;

	mounts_read_pid1(&init);
	add_table_root(roots, &init);
	mounts_free(&init);
	add_table_root(roots, own);
	if (!*sysroot_prefix()) {
		add_stat_root(roots, "/proc/1/root/");
		add_stat_root(roots, "/");
	}
}

static void roots_free(struct imp_roots *roots)
{
	for (size_t i = 0; i < roots->n; i++) {
		free(roots->v[i].source);
		free(roots->v[i].target);
		free(roots->v[i].fstype);
	}
	roots->n = 0;
}

struct impact *impact_collect(const char *const *addrs, size_t n)
{
	struct impact *im = calloc(1, sizeof(*im));
	struct mount_list mounts, swaps;
	struct netsrc *net = NULL;

	/* Smaller allocations exit on ENOMEM like the rest of the CLI. */
	if (!im)
		return NULL;
	im->f = calloc(n ? n : 1, sizeof(*im->f));
	if (!im->f) {
		free(im);
		return NULL;
	}
	im->n = n;
	mounts_read(&mounts);
	swaps_read(&swaps);
	find_roots(&im->roots, &mounts);
	for (size_t i = 0; i < n; i++)
		collect_one(&im->f[i], addrs[i], &net, &mounts, &swaps,
			    &im->roots);
	im->net_source = net ? netsrc_name(net) : NULL;
	mounts_free(&mounts);
	mounts_free(&swaps);
	netsrc_close(net);
	impact_judge(im);
	return im;
}

bool impact_has_critical(const struct impact *im)
{
	for (size_t i = 0; im && i < im->nfind; i++)
		if (im->find[i].sev == SEV_CRITICAL)
			return true;
	return false;
}

static void block_free(struct imp_block *b)
{
	free(b->name);
	free(b->parent);
	free(b->via);
	free(b->dev);
	free(b->dm_name);
	free(b->fs_type);
	free(b->fs_label);
	free(b->root_of);
}

static void mount_free(struct imp_mount *m)
{
	free(m->device);
	free(m->source);
	free(m->target);
	free(m->fstype);
}

static void fbs_free(struct imp_fb *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].id);
		free(v[i].firmware);
	}
	free(v);
}

static void usb_free(struct imp_usb *u)
{
	free(u->bus_id);
	free(u->manufacturer);
	free(u->product_name);
}

void impact_func_free(struct imp_func *f)
{
	for (size_t i = 0; i < f->nnet; i++) {
		free(f->net[i].name);
		free(f->net[i].operstate);
		free(f->net[i].kind);
		free(f->net[i].lower);
		netinfo_free(&f->net[i].info);
	}
	for (size_t i = 0; i < f->nblk; i++)
		block_free(&f->blk[i]);
	for (size_t i = 0; i < f->nmnt; i++)
		mount_free(&f->mnt[i]);
	for (size_t i = 0; i < f->nswp; i++)
		mount_free(&f->swp[i]);
	fbs_free(f->disp.fbs, f->disp.nfbs);
	fbs_free(f->disp.cards, f->disp.ncards);
	for (size_t i = 0; i < f->nusb; i++)
		usb_free(&f->usb[i]);
	for (size_t i = 0; i < f->nsnd; i++)
		free(f->snd[i].id);
	for (size_t i = 0; i < f->nnetns_holds; i++)
		free(f->netns_holds[i]);
	free(f->netns_holds);
	for (size_t i = 0; i < f->nvfs; i++) {
		free(f->vfs[i].addr);
		free(f->vfs[i].driver);
	}
	free(f->vfs);
	free(f->net);
	free(f->blk);
	free(f->mnt);
	free(f->swp);
	free(f->usb);
	free(f->snd);
	free(f->addr);
	free(f->path);
}

void impact_free(struct impact *im)
{
	if (!im)
		return;
	for (size_t i = 0; i < im->n; i++)
		impact_func_free(&im->f[i]);
	for (size_t i = 0; i < im->nfind; i++) {
		free(im->find[i].msg);
		free(im->find[i].hint);
	}
	free(im->find);
	free(im->f);
	roots_free(&im->roots);
	free(im);
}
