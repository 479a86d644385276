// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lib/print.h"
#include "lib/progress.h"
#include "lib/util.h"

/* Before the first update a wait is too short to be worth a line. */
#define PROGRESS_DELAY_S 1.0

const char *progress_line(char *buf, size_t size, unsigned int secs,
			  const char *what, size_t width)
{
	size_t len;

	snprintf(buf, size, "waiting %u s: %s", secs, what);
	/* the cursor sits after the text: leave the last column free */
	len = strlen(buf);
	if (width > 1 && len > width - 1)
		buf[width - 1] = '\0';
	return buf;
}

static size_t term_width(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) || !ws.ws_col)
		return 80;
	return ws.ws_col;
}

void progress_start(struct progress *p)
{
	memset(p, 0, sizeof(*p));
	p->on = isatty(STDERR_FILENO) && !is_json_context();
	p->start = mono_now_s();
}

/* "\r", the new text and blanks over what is left of the old one: no
 * escape sequences, so a dumb terminal shows it too.
 */
static void show(struct progress *p, const char *line)
{
	size_t len = strlen(line);

	fprintf(stderr, "\r%s%*s", line,
		(int)(p->shown > len ? p->shown - len : 0), "");
	fflush(stderr);
	p->shown = len;
}

void progress_update(struct progress *p, const char *what)
{
	double waited = mono_now_s() - p->start;
	char line[PROGRESS_MAX];

	if (!p->on || waited < PROGRESS_DELAY_S)
		return;
	progress_line(line, sizeof(line), (unsigned int)waited, what,
		      term_width());
	if (!strcmp(line, p->line))
		return;
	snprintf(p->line, sizeof(p->line), "%s", line);
	show(p, line);
}

void progress_end(struct progress *p)
{
	if (!p->on || !p->shown)
		return;
	fprintf(stderr, "\r%*s\r", (int)p->shown, "");
	fflush(stderr);
	p->shown = 0;
	p->line[0] = '\0';
}
