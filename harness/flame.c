// SPDX-License-Identifier: MIT
/*
 * Flame graphs from `perf record --call-graph dwarf`: `perf script` output
 * folded into stacks, trimmed, and the hot spots they hold. Running perf
 * is flame_perf.c; drawing the SVG flame_svg.c. Hand-written: no packaged
 * C library folds perf samples or draws flame graphs (the usual tools are
 * Brendan Gregg's Perl scripts; Debian packages none).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "flame.h"

void flame_free(struct flame_profile *fp)
{
	for (size_t i = 0; i < fp->n; i++)
		free(fp->stacks[i].frames);
	free(fp->stacks);
	memset(fp, 0, sizeof(*fp));
}

static int add_stack(struct flame_profile *fp, char *frames, uint64_t count)
{
	if (ARRAY_GROW(fp->stacks, fp->n + 1, fp->cap))
		return -ENOMEM;
	fp->stacks[fp->n].frames = frames;
	fp->stacks[fp->n].count = count;
	fp->n++;
	fp->total += count;
	return 0;
}

static int cmp_stack(const void *a, const void *b)
{
	return strcmp(((const struct flame_stack *)a)->frames,
		      ((const struct flame_stack *)b)->frames);
}

/* Sorts the stacks and merges duplicates (counts added). */
static void merge_stacks(struct flame_profile *fp)
{
	size_t w = 0;

	if (!fp->n)
		return;
	qsort(fp->stacks, fp->n, sizeof(*fp->stacks), cmp_stack);
	for (size_t r = 1; r < fp->n; r++) {
		if (!strcmp(fp->stacks[r].frames, fp->stacks[w].frames)) {
			fp->stacks[w].count += fp->stacks[r].count;
			free(fp->stacks[r].frames);
		} else {
			fp->stacks[++w] = fp->stacks[r];
		}
	}
	fp->n = w + 1;
}

/* A frame's name from "ADDR SYM[+0xOFF] (DSO)": the symbol without its
 * offset, or "[dso basename]" when perf could not name it. Written into
 * out; ';' (the folded separator) becomes ':'. */
static void frame_name(const char *line, char *out, size_t len)
{
	const char *p = line, *end, *open;
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	p += strspn(p, "0123456789abcdefABCDEF");	/* the address */
	while (*p == ' ' || *p == '\t')
		p++;
	end = p + strlen(p);
	while (end > p && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	/* " (dso)" at the end */
	open = NULL;
	if (end > p && end[-1] == ')') {
		for (const char *q = end - 1; q > p; q--) {
			if (q[0] == '(' && q[-1] == ' ') {
				open = q;
				break;
			}
		}
	}
	n = (open ? open - 1 : end) - p;
	if (!n || (n == 9 && !strncmp(p, "[unknown]", 9))) {
		if (open && strncmp(open, "([unknown])", 11)) {
			const char *dso = open + 1, *slash;
			size_t dl = end - 1 - dso;

			slash = memrchr(dso, '/', dl);
			if (slash) {
				dl -= slash + 1 - dso;
				dso = slash + 1;
			}
			snprintf(out, len, "[%.*s]", (int)dl, dso);
		} else {
			snprintf(out, len, "[unknown]");
		}
		return;
	}
	/* drop "+0x1f" */
	for (size_t i = n; i > 3; i--) {
		if (p[i - 1] == '+' || !strchr("0123456789abcdefx", p[i - 1]))
			break;
		if (i >= 3 && !strncmp(p + i - 3, "+0x", 3)) {
			n = i - 3;
			break;
		}
	}
	snprintf(out, len, "%.*s", (int)n, p);
	for (char *c = out; *c; c++)
		if (*c == ';')
			*c = ':';
}

/* Joins comm and the frames (given leaf first) root first. */
static char *join_frames(const char *comm, char **frames, size_t n)
{
	size_t len = strlen(comm) + 1;
	char *s, *p;

	for (size_t i = 0; i < n; i++)
		len += strlen(frames[i]) + 1;
	s = p = malloc(len);
	if (!s)
		return NULL;
	p = stpcpy(p, comm);
	for (size_t i = n; i-- > 0;) {
		*p++ = ';';
		p = stpcpy(p, frames[i]);
	}
	return s;
}

struct fold_state {
	char comm[64];
	char **frames;
	size_t n, cap;
	bool in_sample;
	size_t samples;
};

static void drop_frames(struct fold_state *st)
{
	for (size_t i = 0; i < st->n; i++)
		free(st->frames[i]);
	st->n = 0;
}

/* Ends the current sample: its stack goes into fp. */
static int end_sample(struct fold_state *st, struct flame_profile *fp)
{
	char *s;

	if (!st->in_sample)
		return 0;
	st->in_sample = false;
	s = join_frames(st->comm, st->frames, st->n);
	drop_frames(st);
	if (!s || add_stack(fp, s, 1)) {
		free(s);
		return -ENOMEM;
	}
	st->samples++;
	return 0;
}

static int add_frame(struct fold_state *st, const char *line)
{
	char name[512];

	if (ARRAY_GROW(st->frames, st->n + 1, st->cap))
		return -ENOMEM;
	frame_name(line, name, sizeof(name));
	st->frames[st->n] = strdup(name);
	if (!st->frames[st->n])
		return -ENOMEM;
	st->n++;
	return 0;
}

int flame_fold_perf_script(FILE *in, struct flame_profile *fp)
{
	struct fold_state st = { 0 };
	char *line = NULL;
	size_t cap = 0;
	int ret = 0;

	while (!ret && getline(&line, &cap, in) > 0) {
		if (line[0] == '#')
			continue;
		if (line[0] == '\n' || line[0] == '\0') {
			ret = end_sample(&st, fp);
		} else if (line[0] == ' ' || line[0] == '\t') {
			if (st.in_sample)
				ret = add_frame(&st, line);
		} else {
			/* a sample header: its first word is the command */
			ret = end_sample(&st, fp);
			snprintf(st.comm, sizeof(st.comm), "%.*s",
				 (int)strcspn(line, " \t\n"), line);
			for (char *c = st.comm; *c; c++)
				if (*c == ';')
					*c = ':';
			st.in_sample = true;
		}
	}
	if (!ret)
		ret = end_sample(&st, fp);
	drop_frames(&st);
	free(st.frames);
	free(line);
	if (ret)
		return ret;
	merge_stacks(fp);
	return st.samples ? 0 : -EINVAL;
}

int flame_write_folded(const struct flame_profile *fp, FILE *out)
{
	for (size_t i = 0; i < fp->n; i++)
		if (fprintf(out, "%s %" PRIu64 "\n", fp->stacks[i].frames,
			    fp->stacks[i].count) < 0)
			return -EIO;
	return 0;
}

bool flame_has_frame(const struct flame_profile *fp, const char *needle)
{
	for (size_t i = 0; i < fp->n; i++)
		if (strstr(fp->stacks[i].frames, needle))
			return true;
	return false;
}

/* Whether a frame is one perf could not name: "[unknown]", or, with
 * by_object, named by its object only, "[liburing.so.2]" (no symbol
 * names start with '[') */
static bool frame_unresolved(const char *frame, size_t len, bool by_object)
{
	if (len == 9 && !strncmp(frame, "[unknown]", 9))
		return true;
	return by_object && len >= 2 && frame[0] == '[' &&
	       frame[len - 1] == ']';
}

double flame_unresolved_share(const struct flame_profile *fp,
			      bool by_object)
{
	uint64_t n = 0;

	if (!fp->total)
		return 0;
	for (size_t i = 0; i < fp->n; i++) {
		const char *p = fp->stacks[i].frames;

		/* the first frame is the command, not a symbol */
		p += strcspn(p, ";");
		while (*p == ';') {
			size_t len = strcspn(++p, ";");

			if (frame_unresolved(p, len, by_object)) {
				n += fp->stacks[i].count;
				break;
			}
			p += len;
		}
	}
	return (double)n / fp->total;
}

int flame_trim_below(struct flame_profile *fp, const char *frame)
{
	size_t flen = strlen(frame);

	for (size_t i = 0; i < fp->n; i++) {
		char *s = fp->stacks[i].frames, *p = s + strcspn(s, ";");

		/* "comm;a;b;FRAME;c" -> "comm;c" */
		while (*p == ';') {
			size_t len = strcspn(p + 1, ";");

			if (len == flen && !strncmp(p + 1, frame, flen)) {
				char *rest = p + 1 + len;

				memmove(s + strcspn(s, ";"), rest,
					strlen(rest) + 1);
				break;
			}
			p += 1 + len;
		}
	}
	merge_stacks(fp);
	return 0;
}

static const char *leaf_of(const char *frames)
{
	const char *semi = strrchr(frames, ';');

	return semi ? semi + 1 : frames;
}

static int cmp_hot(const void *a, const void *b)
{
	const struct hot_spot *x = a, *y = b;

	if (x->pct != y->pct)
		return x->pct < y->pct ? 1 : -1;
	return strcmp(x->symbol, y->symbol);
}

int flame_top_self(const struct flame_profile *fp, struct hot_spot *out,
		   size_t max, size_t *n)
{
	struct hot_spot *all;
	size_t na = 0;

	*n = 0;
	if (!fp->total || !max)
		return 0;
	all = calloc(fp->n ? fp->n : 1, sizeof(*all));
	if (!all)
		return -ENOMEM;
	/* the same leaf under different callers: count it once */
	for (size_t i = 0; i < fp->n; i++) {
		const char *leaf = leaf_of(fp->stacks[i].frames);
		size_t k;

		for (k = 0; k < na; k++)
			if (!strcmp(all[k].symbol, leaf))
				break;
		if (k == na)
			all[na++].symbol = (char *)leaf;
		all[k].pct += fp->stacks[i].count;
	}
	for (size_t k = 0; k < na; k++)
		all[k].pct = 100.0 * all[k].pct / fp->total;
	qsort(all, na, sizeof(*all), cmp_hot);
	for (size_t k = 0; k < na && k < max; k++) {
		out[k].symbol = strdup(all[k].symbol);
		out[k].pct = all[k].pct;
		if (!out[k].symbol) {
			while (k--)
				free(out[k].symbol);
			free(all);
			return -ENOMEM;
		}
	}
	*n = na < max ? na : max;
	free(all);
	return 0;
}
