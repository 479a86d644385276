// SPDX-License-Identifier: GPL-2.0
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libkmod.h>

#include "host/modlookup.h"
#include "lib/sysroot.h"
#include "lib/util.h"

struct modlookup {
	struct kmod_ctx *ctx;
	char *dir;		/* /lib/modules/RELEASE */
	bool has_index;
};

/* libkmod's own default search path for modprobe.d, moved under the
 * sysroot so a fixture never sees the host's aliases or install commands.
 */
static const char *const config_dirs[] = {
	"/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d",
	"/lib/modprobe.d",
};

/* libkmod logs to stderr by default; a missing index is an answer here,
 * not an error to shout about.
 */
static void quiet_log(void *data, int priority, const char *file, int line,
		      const char *fn, const char *format, va_list args)
{
	(void)data, (void)priority, (void)file, (void)line, (void)fn;
	(void)format, (void)args;
}

static struct kmod_ctx *open_ctx(const char *dir)
{
	char paths[ARRAY_SIZE(config_dirs)][PATH_MAX];
	const char *cfg[ARRAY_SIZE(config_dirs) + 1] = { 0 };
	char mdir[PATH_MAX];
	struct kmod_ctx *ctx;
	size_t n = 0;

	if (!sysroot_path(dir, mdir, sizeof(mdir)))
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(config_dirs); i++) {
		if (!sysroot_path(config_dirs[i], paths[n], sizeof(paths[n])))
			continue;
		cfg[n] = paths[n];
		n++;
	}
	ctx = kmod_new(mdir, cfg);
	if (ctx)
		kmod_set_log_fn(ctx, quiet_log, NULL);
	return ctx;
}

struct modlookup *modlookup_open(const char *release)
{
	struct modlookup *ml = xrealloc(NULL, sizeof(*ml));
	char idx[PATH_MAX];

	memset(ml, 0, sizeof(*ml));
	if (!release)
		return ml;
	ml->dir = xrealloc(NULL, PATH_MAX);
	snprintf(ml->dir, PATH_MAX, "/lib/modules/%s", release);
	snprintf(idx, sizeof(idx), "%s/modules.dep.bin", ml->dir);
	/* Without the index libkmod finds nothing, which would read as
	 * "missing" rather than "cannot tell".
	 */
	ml->has_index = sysroot_exists(idx);
	if (ml->has_index)
		ml->ctx = open_ctx(ml->dir);
	if (!ml->ctx)
		ml->has_index = false;
	return ml;
}

void modlookup_close(struct modlookup *ml)
{
	if (!ml)
		return;
	kmod_unref(ml->ctx);
	free(ml->dir);
	free(ml);
}

bool modlookup_has_index(const struct modlookup *ml)
{
	return ml->has_index;
}

const char *modlookup_dir(const struct modlookup *ml)
{
	return ml->dir;
}

/* The file's appended signature as libkmod decodes it (what modinfo
 * prints as sig_id and signer).
 */
static void read_signature(struct kmod_module *mod, struct mod_info *info)
{
	struct kmod_list *list = NULL, *l;

	if (kmod_module_get_info(mod, &list) < 0)
		return;
	info->sig = MOD_SIG_NONE;
	kmod_list_foreach(l, list) {
		const char *key = kmod_module_info_get_key(l);
		const char *val = kmod_module_info_get_value(l);

		if (!strcmp(key, "sig_id"))
			info->sig = MOD_SIG_SIGNED;
		else if (!strcmp(key, "signer") && val && *val && !info->signer)
			info->signer = xstrdup(val);
	}
	kmod_module_info_free_list(list);
}

/* A lookup hit without a file is either built in or only an install
 * command from modprobe.d; initstate tells them apart, and answers
 * BUILTIN from the index (modules.builtin) before it would look at the
 * real /sys, which the sysroot cannot redirect.
 */
static void classify(struct kmod_module *mod, bool want_sig,
		     struct mod_info *info)
{
	const char *path = kmod_module_get_path(mod);

	if (path) {
		const char *root = sysroot_prefix();
		size_t skip = strlen(root);

		info->avail = MOD_FILE;
		/* Report the path as the host sees it, not the fixture's. */
		if (skip && !strncmp(path, root, skip))
			path += skip;
		info->path = xstrdup(path);
		if (want_sig)
			read_signature(mod, info);
	} else if (kmod_module_get_initstate(mod) == KMOD_MODULE_BUILTIN) {
		info->avail = MOD_BUILTIN;
	}
}

void modlookup_get(struct modlookup *ml, const char *name, bool want_sig,
		   struct mod_info *info)
{
	struct kmod_list *list = NULL, *l;
	char sys[PATH_MAX];

	memset(info, 0, sizeof(*info));
	snprintf(sys, sizeof(sys), "/sys/module/%s", name);
	info->loaded = sysroot_is_dir(sys);
	if (!ml->ctx)
		return;
	info->avail = MOD_MISSING;
	if (kmod_module_new_from_lookup(ml->ctx, name, &list) < 0)
		return;
	kmod_list_foreach(l, list) {
		struct kmod_module *mod = kmod_module_get_module(l);

		/* An alias may resolve to other modules; only the module
		 * of that name answers the question.
		 */
		if (!strcmp(kmod_module_get_name(mod), name))
			classify(mod, want_sig, info);
		kmod_module_unref(mod);
	}
	kmod_module_unref_list(list);
}

enum mod_avail modlookup_resolves(struct modlookup *ml, const char *name)
{
	struct kmod_list *list = NULL;
	enum mod_avail found;

	if (!ml->ctx)
		return MOD_UNKNOWN;
	if (kmod_module_new_from_lookup(ml->ctx, name, &list) < 0)
		return MOD_UNKNOWN;
	found = list ? MOD_FILE : MOD_MISSING;
	kmod_module_unref_list(list);
	return found;
}

void modlookup_info_free(struct mod_info *info)
{
	free(info->path);
	free(info->signer);
	info->path = NULL;
	info->signer = NULL;
}

const char *modlookup_avail_name(enum mod_avail a)
{
	switch (a) {
	case MOD_MISSING:
		return "missing";
	case MOD_BUILTIN:
		return "builtin";
	case MOD_FILE:
		return "module";
	default:
		return NULL;
	}
}
