// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/sysroot.h"
#include "lib/util.h"

#ifdef PCIPASS_TEST_HOOKS
const char *sysroot_prefix(void)
{
	const char *p = getenv(SYSROOT_ENV);

	return p ? p : "";
}

bool sysroot_refused(void)
{
	return false;
}
#else
const char *sysroot_prefix(void)
{
	return "";
}

/* Ignoring the variable silently would leave a test (or an operator who
 * copied a test's command line) reading this host's facts while thinking
 * they are the fixture's: refuse instead, and say why.
 */
bool sysroot_refused(void)
{
	const char *p = getenv(SYSROOT_ENV);

	if (!p || !*p)
		return false;
	pp_err("%s is set: it is a test hook, and this build reads only the "
	       "real root; unset it (tests use pcipass-test, built by "
	       "'make -C user test')", SYSROOT_ENV);
	return true;
}
#endif

const char *sysroot_path(const char *path, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s%s", sysroot_prefix(), path);

	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return buf;
}

bool sysroot_exists(const char *path)
{
	char buf[PATH_MAX];
	const char *p = sysroot_path(path, buf, sizeof(buf));

	return p && access(p, F_OK) == 0;
}

bool sysroot_is_dir(const char *path)
{
	char buf[PATH_MAX];
	const char *p = sysroot_path(path, buf, sizeof(buf));
	struct stat st;

	return p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

FILE *sysroot_fopen(const char *path)
{
	char buf[PATH_MAX];
	const char *p = sysroot_path(path, buf, sizeof(buf));

	return p ? fopen(p, "re") : NULL;
}

DIR *sysroot_opendir(const char *path)
{
	char buf[PATH_MAX];
	const char *p = sysroot_path(path, buf, sizeof(buf));

	return p ? opendir(p) : NULL;
}

ssize_t sysroot_read(const char *path, char *buf, size_t size)
{
	char pbuf[PATH_MAX];
	const char *p = sysroot_path(path, pbuf, sizeof(pbuf));
	size_t len = 0;
	ssize_t n = 0;
	int fd;

	if (!p)
		return -ENAMETOOLONG;
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* sysfs hands out an attribute in one read, but a fixture is a plain
	 * file and efivarfs may be short: loop until EOF or full.
	 */
	while (len + 1 < size) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[len] = '\0';
	return len;
}

char *sysroot_read_line(const char *path)
{
	char buf[4096];
	ssize_t n = sysroot_read(path, buf, sizeof(buf));

	if (n < 0)
		return NULL;
	buf[strcspn(buf, "\n")] = '\0';
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		buf[--n] = '\0';
	return xstrdup(buf);
}

static int cmp_names(const void *a, const void *b)
{
	/* version order: dmar2 before dmar10 */
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

char **sysroot_list(const char *dir, size_t *n)
{
	DIR *d = sysroot_opendir(dir);
	char **names = NULL;
	struct dirent *de;

	*n = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		names = xrealloc(names, (*n + 1) * sizeof(*names));
		names[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	/* readdir order differs between a fixture and sysfs; sorting keeps
	 * output stable for both.
	 */
	if (*n)
		qsort(names, *n, sizeof(*names), cmp_names);
	return names;
}

void sysroot_free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
