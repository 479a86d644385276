// SPDX-License-Identifier: GPL-2.0
/*
 * Atomic output: readers (node_exporter's textfile collector, nfd-worker)
 * see the old file or the new one, never a half-written one.  The
 * temporary file sits in the target's directory, so rename() replaces
 * the target in one step on the same filesystem; it is a dot file, which
 * neither reader picks up.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export/export.h"
#include "lib/util.h"

int outfile_open(struct outfile *o, const char *path)
{
	char *dcopy, *bcopy;
	int fd, err;

	memset(o, 0, sizeof(*o));
	if (!path) {
		o->f = stdout;
		return 0;
	}
	dcopy = xstrdup(path);
	bcopy = xstrdup(path);
	if (asprintf(&o->tmp, "%s/.%s.XXXXXX", dirname(dcopy),
		     basename(bcopy)) < 0)
		o->tmp = NULL;
	free(dcopy);
	free(bcopy);
	if (!o->tmp)
		return -ENOMEM;
	fd = mkstemp(o->tmp);
	if (fd < 0 || fchmod(fd, 0644) || !(o->f = fdopen(fd, "w"))) {
		err = -errno;
		if (fd >= 0) {
			close(fd);
			unlink(o->tmp);
		}
		free(o->tmp);
		o->tmp = NULL;
		return err;
	}
	o->path = xstrdup(path);
	return 0;
}

int outfile_close(struct outfile *o, bool ok)
{
	int err = 0;

	if (!o->tmp)
		return fflush(o->f) == EOF || ferror(o->f) ? -EIO : 0;
	if (fflush(o->f) == EOF || ferror(o->f) || fsync(fileno(o->f)))
		err = errno ? -errno : -EIO;
	if (fclose(o->f) && !err)
		err = -errno;
	if (!err && ok && rename(o->tmp, o->path))
		err = -errno;
	if (err || !ok)
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	memset(o, 0, sizeof(*o));
	return err;
}
