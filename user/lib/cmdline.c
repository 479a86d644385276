// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "lib/cmdline.h"
#include "lib/util.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* One word starting at *s; advances *s past it.  NULL at the end. */
static char *next_word(const char **s)
{
	const char *p = *s;
	bool quoted = false;
	char *w;
	size_t n = 0;

	while (is_blank(*p))
		p++;
	if (!*p)
		return NULL;
	w = xrealloc(NULL, strlen(p) + 1);
	for (; *p && (quoted || !is_blank(*p)); p++) {
		if (*p == '"')
			quoted = !quoted;
		else
			w[n++] = *p;
	}
	w[n] = '\0';
	*s = p;
	return w;
}

static char *dashes_to_underscores(const char *name)
{
	char *k = xstrdup(name);

	for (char *p = k; *p; p++)
		if (*p == '-')
			*p = '_';
	return k;
}

static void add_param(struct cmdline *c, char *word)
{
	struct cmdline_param *p;
	char *eq = strchr(word, '=');

	c->v = xrealloc(c->v, (c->n + 1) * sizeof(*c->v));
	p = &c->v[c->n++];
	p->value = eq ? xstrdup(eq + 1) : NULL;
	if (eq)
		*eq = '\0';
	p->name = word;
	p->key = dashes_to_underscores(word);
}

void cmdline_parse(const char *s, struct cmdline *c)
{
	char *w;

	c->v = NULL;
	c->n = 0;
	while (s && (w = next_word(&s))) {
		if (!strcmp(w, "--")) {
			free(w);
			break;
		}
		add_param(c, w);
	}
}

void cmdline_free(struct cmdline *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].name);
		free(c->v[i].key);
		free(c->v[i].value);
	}
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

const struct cmdline_param *cmdline_find(const struct cmdline *c,
					 const char *key)
{
	for (size_t i = c->n; i > 0; i--)
		if (!strcmp(c->v[i - 1].key, key))
			return &c->v[i - 1];
	return NULL;
}

static bool has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return n <= len && !strncmp(s, prefix, n);
}

/* Calls back once per option of a sep-separated list; stops when fn
 * returns true.
 */
static bool each_option(const char *list, char sep,
			bool (*fn)(const char *opt, size_t len, void *arg),
			void *arg)
{
	const char *p = list;

	while (p && *p) {
		size_t len = strcspn(p, (char[]){ sep, '\0' });

		if (len && fn(p, len, arg))
			return true;
		p += len;
		while (*p == sep)
			p++;
	}
	return false;
}

struct switch_state {
	const char *on, *off;
	int state;
};

static bool apply_switch(const char *opt, size_t len, void *arg)
{
	struct switch_state *st = arg;

	if (st->on && has_prefix(opt, len, st->on))
		st->state = 1;
	else if (st->off && has_prefix(opt, len, st->off))
		st->state = 0;
	return false;
}

int cmdline_opt_switch(const char *list, const char *on, const char *off,
		    int state)
{
	struct switch_state st = { on, off, state };

	each_option(list, ',', apply_switch, &st);
	return st.state;
}

int cmdline_switch(const struct cmdline *c, const char *key, const char *on,
		   const char *off)
{
	int state = -1;

	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].key, key))
			state = cmdline_opt_switch(c->v[i].value, on, off,
						   state);
	return state;
}

static bool match_prefix(const char *opt, size_t len, void *arg)
{
	return has_prefix(opt, len, arg);
}

bool cmdline_opt_has(const char *list, const char *opt, char sep)
{
	return each_option(list, sep, match_prefix, (void *)opt);
}

struct find_value {
	const char *key;
	char *value;
};

static bool match_key(const char *opt, size_t len, void *arg)
{
	struct find_value *f = arg;
	size_t klen = strlen(f->key);

	if (len <= klen || strncmp(opt, f->key, klen) || opt[klen] != '=')
		return false;
	len -= klen + 1;
	f->value = xrealloc(NULL, len + 1);
	memcpy(f->value, opt + klen + 1, len);
	f->value[len] = '\0';
	return true;
}

char *cmdline_opt_value(const char *list, const char *key)
{
	struct find_value f = { key, NULL };

	each_option(list, ',', match_key, &f);
	return f.value;
}

bool cmdline_kbool(const char *value, bool *out)
{
	if (!value || !*value)
		return false;
	switch (value[0]) {
	case 'y': case 'Y': case 't': case 'T': case '1':
		*out = true;
		return true;
	case 'n': case 'N': case 'f': case 'F': case '0':
		*out = false;
		return true;
	case 'o': case 'O':
		if (value[1] == 'n' || value[1] == 'N') {
			*out = true;
			return true;
		}
		if (value[1] == 'f' || value[1] == 'F') {
			*out = false;
			return true;
		}
	}
	return false;
}
