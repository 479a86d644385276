// SPDX-License-Identifier: GPL-2.0
/*
 * impact_collect_netns(): the functions' interfaces that live in other
 * network namespaces (a NIC handed to a container, `ip netns`).  sysfs
 * and rtnetlink show only the caller's own namespace, so for each other
 * one a child process enters it, mounts a sysfs of its own (which shows
 * that namespace's interfaces), gathers each function's interfaces as
 * impact/net.c does and writes back what a claim would take
 * ("addr<TAB>detail" lines).  Namespaces are found through the
 * processes (/proc/PID/ns/net) and nsfs mounts (/run/netns/NAME); one
 * that neither a process nor a mount holds (only an open descriptor) is
 * not found.  Real root, as root, only: a fixture tree has none.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/nsfs.h>

#include "impact/impact_int.h"
#include "impact/mounts.h"
#include "lib/sysroot.h"
#include "lib/util.h"

#define NETNS_LOOK_S	5	/* per namespace */

struct netns {
	dev_t dev;
	ino_t ino;
	char *path;		/* what setns() opens */
	char *label;		/* "netns ct1", "netns of PID 812 (lxc-start)" */
};

struct netns_list {
	struct netns *v;
	size_t n;
	struct stat own;
};

/* An nsfs mount may hold any kind of namespace: ask which. */
static bool is_netns(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool yes;

	if (fd < 0)
		return false;
	yes = !fstat(fd, st) && ioctl(fd, NS_GET_NSTYPE) == CLONE_NEWNET;
	close(fd);
	return yes;
}

/* A namespace not seen yet, not ours. */
static bool is_new(const struct netns_list *l, const struct stat *st)
{
	if (st->st_dev == l->own.st_dev && st->st_ino == l->own.st_ino)
		return false;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].dev == st->st_dev && l->v[i].ino == st->st_ino)
			return false;
	return true;
}

static void add(struct netns_list *l, const char *path, const struct stat *st,
		char *label)
{
	struct netns *ns = VEC_PUSH(l->v, l->n);

	ns->dev = st->st_dev;
	ns->ino = st->st_ino;
	ns->path = xstrdup(path);
	ns->label = label;
}

static char *labelled(const char *what, const char *name)
{
	char *label;

	if (asprintf(&label, "%s %s", what, name) < 0)
		label = xstrdup(what);
	return label;
}

static char *label_of_pid(const char *pid)
{
	char path[64], *comm, *label;

	snprintf(path, sizeof(path), "/proc/%s/comm", pid);
	comm = str_printable(sysroot_read_line(path));
	if (asprintf(&label, "netns of PID %s (%s)", pid, comm ? comm : "?") < 0)
		label = xstrdup("another netns");
	free(comm);
	return label;
}

/*
 * One stat() per process: /proc/PID/ns/net is a network namespace by
 * name, and most processes share ours.  Only a new one is labelled.
 */
static void find_all(struct netns_list *l)
{
	struct mount_list ml;
	struct dirent *de;
	char path[PATH_MAX];
	struct stat st;
	DIR *d;

	mounts_read(&ml);
	for (size_t i = 0; i < ml.n; i++) {
		const struct mount_entry *m = &ml.v[i];
		const char *base;

		if (!m->fstype || strcmp(m->fstype, "nsfs") || !m->target ||
		    !is_netns(m->target, &st) || !is_new(l, &st))
			continue;
		base = strrchr(m->target, '/');
		add(l, m->target, &st,
		    labelled("netns", base ? base + 1 : m->target));
	}
	mounts_free(&ml);
	d = opendir("/proc");
	while (d && (de = readdir(d))) {
		if (strspn(de->d_name, "0123456789") != strlen(de->d_name))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/net", de->d_name);
		if (!stat(path, &st) && is_new(l, &st))
			add(l, path, &st, label_of_pid(de->d_name));
	}
	if (d)
		closedir(d);
}

/* In the child: enter ns, see its interfaces, say what a claim takes. */
static void scan_in(const struct netns *ns, const struct impact *im, FILE *out)
{
	struct netsrc *src = NULL;
	int fd = open(ns->path, O_RDONLY | O_CLOEXEC);

	/* A bound of its own: a dump stuck in another namespace must not
	 * hold up the claim (the parent then says it could not look).
	 */
	alarm(NETNS_LOOK_S);
	if (fd < 0 || setns(fd, CLONE_NEWNET) || unshare(CLONE_NEWNS))
		_exit(1);
	/* Nothing may propagate back: "/" private, or at least /sys (a
	 * chroot into a plain directory has no mount at "/").
	 */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) &&
	    mount(NULL, "/sys", NULL, MS_REC | MS_PRIVATE, NULL))
		_exit(1);
	if (mount("sysfs", "/sys", "sysfs", 0, NULL))
		_exit(1);
	for (size_t i = 0; i < im->n; i++) {
		struct imp_func t = { 0 };
		char **details;
		size_t n;

		if (!im->f[i].path)
			continue;
		t.addr = xstrdup(im->f[i].addr);
		t.path = xstrdup(im->f[i].path);
		impact_net_gather(&t, &src);
		n = impact_net_hold_details(&t, &details);
		for (size_t j = 0; j < n; j++) {
			fprintf(out, "%s\t%s (%s)\n", t.addr, details[j], ns->label);
			free(details[j]);
		}
		free(details);
		impact_func_free(&t);
	}
	netsrc_close(src);
	fflush(out);
	_exit(0);
}

static void take(struct impact *im, char *line)
{
	char *tab = strchr(line, '\t');

	line[strcspn(line, "\n")] = '\0';
	if (!tab)
		return;
	*tab = '\0';
	for (size_t i = 0; i < im->n; i++)
		if (!strcmp(im->f[i].addr, line)) {
			struct imp_func *f = &im->f[i];

			f->netns_holds = xrealloc(f->netns_holds,
						  (f->nnetns_holds + 1) *
						  sizeof(*f->netns_holds));
			f->netns_holds[f->nnetns_holds++] = xstrdup(tab + 1);
			return;
		}
}

static void ask(struct impact *im, const struct netns *ns)
{
	char line[512];
	int fds[2], status;
	pid_t pid;
	FILE *in;

	if (pipe2(fds, O_CLOEXEC))
		return;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		FILE *out = fdopen(fds[1], "w");

		close(fds[0]);
		if (!out)
			_exit(1);
		scan_in(ns, im, out);
	}
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return;
	}
	in = fdopen(fds[0], "r");
	while (in && fgets(line, sizeof(line), in))
		take(im, line);
	if (in)
		fclose(in);
	else
		close(fds[0]);
	/* Not looked into is not clean: say so rather than pass. */
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		pp_err("could not look into %s: its interfaces were not checked",
		       ns->label);
}

void impact_collect_netns(struct impact *im)
{
	struct netns_list l = { 0 };

	if (!im || *sysroot_prefix() || geteuid() ||
	    stat("/proc/self/ns/net", &l.own))
		return;
	find_all(&l);
	for (size_t i = 0; i < l.n; i++) {
		ask(im, &l.v[i]);
		free(l.v[i].path);
		free(l.v[i].label);
	}
	free(l.v);
}
