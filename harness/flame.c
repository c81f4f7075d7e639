// SPDX-License-Identifier: MIT
/*
 * Flame graphs from `perf record --call-graph dwarf`: runs perf on a
 * worker child, folds `perf script` output into stacks and draws them as
 * a self-contained SVG with click-to-zoom and search. Hand-written: no
 * packaged C library folds perf samples or draws flame graphs (the usual
 * tools are Brendan Gregg's Perl scripts; Debian packages none).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "clock.h"
#include "flame.h"
#include "path.h"
#include "strategies.h"

/* SVG geometry (pixels) */
#define SVG_WIDTH 1200.0
#define SVG_PAD 10.0
#define FRAME_HEIGHT 16.0
#define HEADER_HEIGHT 40.0
#define FONT_SIZE 12
#define GLYPH_WIDTH 7.0		/* of FONT_SIZE Verdana, a little generous */
#define MIN_FRAME_WIDTH 0.1	/* narrower frames are not drawn */
/* sampling frequency of perf record (Hz) */
#define PERF_FREQ "999"
/*
 * Call stacks are unwound from a copy of each sample's stack with the
 * DWARF unwind tables (perf record --call-graph dwarf): libc and the
 * kernel's callers are not built with frame pointers, and frame-pointer
 * walks through them end in [unknown]. The copy is WORKER_STACK_DUMP
 * bytes (16 MB of perf data per second sampled at PERF_FREQ), enough
 * for a copy's frames on the worker's own stack of WORKER_STACK_SIZE.
 */
#define WORKER_STACK_DUMP "16384"
#define WORKER_STACK_SIZE (8u << 20)

/* ---- folding ---- */

void flame_free(struct flame_profile *fp)
{
	for (size_t i = 0; i < fp->n; i++)
		free(fp->stacks[i].frames);
	free(fp->stacks);
	memset(fp, 0, sizeof(*fp));
}

static int add_stack(struct flame_profile *fp, char *frames, uint64_t count)
{
	if (fp->n == fp->cap) {
		size_t cap = fp->cap ? 2 * fp->cap : 64;
		struct flame_stack *s = realloc(fp->stacks, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		fp->stacks = s;
		fp->cap = cap;
	}
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

	if (st->n == st->cap) {
		size_t cap = st->cap ? 2 * st->cap : 32;
		char **f = realloc(st->frames, cap * sizeof(*f));

		if (!f)
			return -ENOMEM;
		st->frames = f;
		st->cap = cap;
	}
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

/* ---- the SVG ---- */

/* A node of the merged call tree: children are contiguous runs of the
 * sorted stacks, so the tree is never built; frames are drawn while
 * walking the sorted stacks depth by depth. */

static void xml_text(FILE *f, const char *s, size_t max)
{
	for (size_t i = 0; s[i] && i < max; i++) {
		switch (s[i]) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			/* control bytes are not allowed in XML 1.0 */
			fputc((unsigned char)s[i] < 0x20 ? '?' : s[i], f);
		}
	}
}

/* Warm colours from the name's hash: the same function is always the
 * same colour, neighbours differ (flamegraph.pl's "hot" palette). */
static void frame_colour(const char *name, unsigned rgb[3])
{
	uint32_t h = 2166136261u;

	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	rgb[0] = 205 + h % 51;
	rgb[1] = (h >> 8) % 231;
	rgb[2] = (h >> 16) % 56;
}

/* The length of the first `depth`+1 frames of a stack (up to the ';'
 * after frame `depth`), or 0 when it has fewer frames. */
static size_t prefix_len(const char *frames, unsigned depth)
{
	const char *p = frames;

	for (unsigned d = 0; d < depth; d++) {
		p = strchr(p, ';');
		if (!p)
			return 0;
		p++;
	}
	return p - frames + strcspn(p, ";");
}

static unsigned stack_depth(const char *frames)
{
	unsigned d = 1;

	for (const char *p = frames; *p; p++)
		d += *p == ';';
	return d;
}

static void draw_frame(FILE *f, const char *name, size_t name_len,
		       uint64_t start, uint64_t count, uint64_t total,
		       unsigned depth, double x, double y, double w)
{
	unsigned rgb[3];
	char nm[512];
	size_t fit;

	snprintf(nm, sizeof(nm), "%.*s", (int)name_len, name);
	frame_colour(nm, rgb);
	/* where the frame sits in samples, for the script's zoom */
	fprintf(f, "<g data-s=\"%" PRIu64 "\" data-n=\"%" PRIu64 "\" "
		"data-d=\"%u\"><title>", start, count, depth);
	xml_text(f, nm, SIZE_MAX);
	fprintf(f, " (%" PRIu64 " sample%s, %.2f%%)</title>", count,
		count == 1 ? "" : "s", 100.0 * count / total);
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\""
		" fill=\"rgb(%u,%u,%u)\" rx=\"2\" ry=\"2\"/>", x, y, w,
		FRAME_HEIGHT - 1, rgb[0], rgb[1], rgb[2]);
	/* text only where it fits: cut to the frame with ".."; the script
	 * fits it again the same way when a zoom changes the width */
	fit = (size_t)((w - 6) / GLYPH_WIDTH);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", x + 3,
		y + FRAME_HEIGHT - 4.5);
	if (fit >= 3) {
		size_t n = strlen(nm);

		if (n <= fit) {
			xml_text(f, nm, n);
		} else {
			xml_text(f, nm, fit - 2);
			fputs("..", f);
		}
	}
	fputs("</text></g>\n", f);
}

/*
 * Click-to-zoom and search, as Brendan Gregg's flamegraph.pl SVGs offer
 * them (written afresh for this layout, which keeps every frame's place
 * in samples): a click on a frame widens it and what it calls to the
 * full width, its callers stay as faded full-width bars, the rest is
 * hidden; "Reset Zoom" or Escape undoes it. "Search" (or Ctrl-F) asks
 * for a regular expression, paints the frames it matches magenta and
 * shows the share of samples under them (nested matches counted once).
 */
static const char svg_script[] =
"<script type=\"text/ecmascript\"><![CDATA[\n"
"\"use strict\";\n"
"var PAD = %.1f, GLYPH = %.1f, W, total, frames, details, unzoomBtn,\n"
"    searchBtn, matchedTxt, zoomed = null, term = null;\n"
"function num(e, a) { return parseFloat(e.getAttribute(a)); }\n"
"function nameOf(g) {\n"
"  var t = g.firstElementChild.textContent;\n"
"  return t.substring(0, t.lastIndexOf(\" (\"));\n"
"}\n"
"function init() {\n"
"  var root = document.getElementById(\"frames\");\n"
"  frames = root.children;\n"
"  total = num(root, \"data-total\");\n"
"  W = num(document.documentElement, \"width\") - 2 * PAD;\n"
"  details = document.getElementById(\"details\").firstChild;\n"
"  unzoomBtn = document.getElementById(\"unzoom\");\n"
"  searchBtn = document.getElementById(\"search\");\n"
"  matchedTxt = document.getElementById(\"matched\");\n"
"  root.addEventListener(\"click\", function (ev) {\n"
"    var g = ev.target.closest(\"g\");\n"
"    if (g) zoom(g);\n"
"  });\n"
"  root.addEventListener(\"mouseover\", function (ev) {\n"
"    var g = ev.target.closest(\"g\");\n"
"    if (g) details.nodeValue = g.firstElementChild.textContent;\n"
"  });\n"
"  root.addEventListener(\"mouseout\", function () {\n"
"    details.nodeValue = \" \";\n"
"  });\n"
"  unzoomBtn.addEventListener(\"click\", unzoom);\n"
"  searchBtn.addEventListener(\"click\", function () {\n"
"    if (term === null) searchPrompt(); else resetSearch();\n"
"  });\n"
"  window.addEventListener(\"keydown\", function (ev) {\n"
"    if ((ev.ctrlKey && ev.key === \"f\") || ev.key === \"F3\") {\n"
"      ev.preventDefault();\n"
"      searchPrompt();\n"
"    } else if (ev.key === \"Escape\") {\n"
"      resetSearch();\n"
"      unzoom();\n"
"    }\n"
"  });\n"
"}\n"
"function fitText(g, x, w) {\n"
"  var t = g.lastElementChild, name = nameOf(g);\n"
"  var fit = Math.floor((w - 6) / GLYPH);\n"
"  t.setAttribute(\"x\", (x + 3).toFixed(1));\n"
"  if (fit < 3) t.textContent = \"\";\n"
"  else if (name.length <= fit) t.textContent = name;\n"
"  else t.textContent = name.substring(0, fit - 2) + \"..\";\n"
"}\n"
"function place(g, x, w) {\n"
"  var r = g.firstElementChild.nextElementSibling;\n"
"  r.setAttribute(\"x\", x.toFixed(1));\n"
"  r.setAttribute(\"width\", w.toFixed(1));\n"
"  g.style.display = \"\";\n"
"  fitText(g, x, w);\n"
"}\n"
"function zoom(z) {\n"
"  var s0 = num(z, \"data-s\"), n0 = num(z, \"data-n\");\n"
"  var d0 = num(z, \"data-d\"), k = W / n0;\n"
"  zoomed = z;\n"
"  for (var i = 0; i < frames.length; i++) {\n"
"    var g = frames[i], s = num(g, \"data-s\"), n = num(g, \"data-n\");\n"
"    var d = num(g, \"data-d\"), r = g.firstElementChild.nextElementSibling;\n"
"    /* the drawn geometry, restored as written by unzoom */\n"
"    if (!r.hasAttribute(\"data-x0\")) {\n"
"      r.setAttribute(\"data-x0\", r.getAttribute(\"x\"));\n"
"      r.setAttribute(\"data-w0\", r.getAttribute(\"width\"));\n"
"    }\n"
"    g.style.opacity = \"\";\n"
"    if (d < d0 && s <= s0 && s + n >= s0 + n0) {\n"
"      place(g, PAD, W);\n"
"      g.style.opacity = \"0.5\";\n"
"    } else if (d >= d0 && s >= s0 && s + n <= s0 + n0) {\n"
"      place(g, PAD + (s - s0) * k, n * k);\n"
"    } else {\n"
"      g.style.display = \"none\";\n"
"    }\n"
"  }\n"
"  unzoomBtn.style.display = \"\";\n"
"  if (term !== null) search(term);\n"
"}\n"
"function unzoom() {\n"
"  if (zoomed === null) return;\n"
"  zoomed = null;\n"
"  for (var i = 0; i < frames.length; i++) {\n"
"    var g = frames[i];\n"
"    var r = g.firstElementChild.nextElementSibling;\n"
"    g.style.opacity = \"\";\n"
"    g.style.display = \"\";\n"
"    r.setAttribute(\"x\", r.getAttribute(\"data-x0\"));\n"
"    r.setAttribute(\"width\", r.getAttribute(\"data-w0\"));\n"
"    fitText(g, num(r, \"data-x0\"), num(r, \"data-w0\"));\n"
"  }\n"
"  unzoomBtn.style.display = \"none\";\n"
"  if (term !== null) search(term);\n"
"}\n"
"function searchPrompt() {\n"
"  var t = prompt(\"Search for (a regular expression):\", term || \"\");\n"
"  if (t !== null && t !== \"\") search(t);\n"
"}\n"
"function paint(g, fill) {\n"
"  var r = g.firstElementChild.nextElementSibling;\n"
"  if (!r.hasAttribute(\"data-fill\"))\n"
"    r.setAttribute(\"data-fill\", r.getAttribute(\"fill\"));\n"
"  r.setAttribute(\"fill\", fill || r.getAttribute(\"data-fill\"));\n"
"}\n"
"function search(t) {\n"
"  var re, spans = [], sum = 0, end = -1;\n"
"  try { re = new RegExp(t); } catch (e) { alert(e.message); return; }\n"
"  term = t;\n"
"  for (var i = 0; i < frames.length; i++) {\n"
"    var g = frames[i], hit = re.test(nameOf(g));\n"
"    paint(g, hit ? \"rgb(230,0,230)\" : null);\n"
"    if (hit) spans.push([num(g, \"data-s\"), num(g, \"data-n\")]);\n"
"  }\n"
"  spans.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });\n"
"  for (var j = 0; j < spans.length; j++) {\n"
"    var a = spans[j][0], b = a + spans[j][1];\n"
"    if (a >= end) sum += b - a;\n"
"    else if (b > end) sum += b - end;\n"
"    if (b > end) end = b;\n"
"  }\n"
"  searchBtn.textContent = \"Reset Search\";\n"
"  matchedTxt.textContent = \"Matched: \" +\n"
"    (100 * sum / total).toFixed(1) + \"%%\";\n"
"}\n"
"function resetSearch() {\n"
"  if (term === null) return;\n"
"  term = null;\n"
"  for (var i = 0; i < frames.length; i++) paint(frames[i], null);\n"
"  searchBtn.textContent = \"Search\";\n"
"  matchedTxt.textContent = \"\";\n"
"}\n"
"]]></script>\n";

int flame_write_svg(const struct flame_profile *fp, const char *title,
		    FILE *out)
{
	double scale = fp->total ? (SVG_WIDTH - 2 * SVG_PAD) / fp->total : 0;
	unsigned max_depth = 0;
	double height;

	for (size_t i = 0; i < fp->n; i++) {
		unsigned d = stack_depth(fp->stacks[i].frames);

		if (d > max_depth)
			max_depth = d;
	}
	/* one spare row between the title and the deepest frame */
	height = HEADER_HEIGHT + (max_depth + 1) * FRAME_HEIGHT + 2 * SVG_PAD;
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
		"<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" "
		"width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
		"onload=\"init()\">\n"
		"<style>text { font-family: Verdana, sans-serif; "
		"font-size: %dpx; fill: rgb(0,0,0); } "
		"#frames g:hover rect { stroke: rgb(0,0,0); stroke-width: 0.5; } "
		"#frames g, .button { cursor: pointer; } "
		".button:hover { text-decoration: underline; }"
		"</style>\n", SVG_WIDTH, height, SVG_WIDTH, height, FONT_SIZE);
	fprintf(out, svg_script, SVG_PAD, GLYPH_WIDTH);
	fprintf(out, "<rect x=\"0\" y=\"0\" width=\"100%%\" height=\"100%%\" "
		"fill=\"rgb(250,250,235)\"/>\n"
		"<text x=\"%.1f\" y=\"24\" style=\"font-size: 17px\" "
		"text-anchor=\"middle\">", SVG_WIDTH / 2);
	xml_text(out, title, SIZE_MAX);
	fprintf(out, "</text>\n"
		"<text id=\"unzoom\" class=\"button\" x=\"%.1f\" y=\"24\" "
		"style=\"display: none\">Reset Zoom</text>\n"
		"<text id=\"search\" class=\"button\" x=\"%.1f\" y=\"24\" "
		"text-anchor=\"end\">Search</text>\n"
		"<text id=\"details\" x=\"%.1f\" y=\"%.1f\"> </text>\n"
		"<text id=\"matched\" x=\"%.1f\" y=\"%.1f\" "
		"text-anchor=\"end\"></text>\n"
		"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%" PRIu64
		" samples; width = share of samples; click to zoom, Ctrl-F "
		"to search</text>\n", SVG_PAD, SVG_WIDTH - SVG_PAD, SVG_PAD,
		height - 4, SVG_WIDTH - SVG_PAD, height - 4, SVG_WIDTH / 2,
		height - 4, fp->total);
	fprintf(out, "<g id=\"frames\" data-total=\"%" PRIu64 "\">\n",
		fp->total);
	/*
	 * The stacks are sorted, so the stacks sharing the first d+1 frames
	 * are contiguous: each run is one frame at depth d, as wide as the
	 * run's samples, starting where the run's first stack starts.
	 */
	for (unsigned d = 0; d < max_depth; d++) {
		double y = height - SVG_PAD - 2 * FRAME_HEIGHT - d * FRAME_HEIGHT +
			   FRAME_HEIGHT;
		uint64_t x = 0;
		size_t i = 0;

		while (i < fp->n) {
			const char *fr = fp->stacks[i].frames;
			size_t len = prefix_len(fr, d), j = i;
			uint64_t count = 0, x0 = x;

			while (j < fp->n &&
			       prefix_len(fp->stacks[j].frames, d) == len &&
			       len && !strncmp(fp->stacks[j].frames, fr, len)) {
				count += fp->stacks[j].count;
				j++;
			}
			if (!len) {
				/* this stack ends below depth d */
				x += fp->stacks[i].count;
				i++;
				continue;
			}
			x += count;
			i = j;
			if (count * scale < MIN_FRAME_WIDTH)
				continue;
			{
				const char *name = fr + len;

				while (name > fr && name[-1] != ';')
					name--;
				draw_frame(out, name, fr + len - name, x0,
					   count, fp->total, d,
					   SVG_PAD + x0 * scale,
					   y - FRAME_HEIGHT, count * scale);
			}
		}
	}
	fputs("</g>\n</svg>\n", out);
	return ferror(out) ? -EIO : 0;
}

/* ---- running perf ---- */

bool flame_find_perf(char *out, size_t len, char *why, size_t why_len)
{
	if (path_find_program("perf", out, len))
		return true;
	snprintf(why, why_len, "perf is not installed (on Debian: apt-get "
		 "install linux-perf)");
	return false;
}

/* The worker's line to its parent, which prepares (unsampled) for it. */
struct flame_ctl {
	int req_w, rep_r;
};

int flame_prepare(struct flame_ctl *ctl)
{
	int32_t ret;
	size_t got = 0;

	if (write(ctl->req_w, "p", 1) != 1)
		return -EPIPE;
	while (got < sizeof(ret)) {
		ssize_t n = read(ctl->rep_r, (char *)&ret + got,
				 sizeof(ret) - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EPIPE;
		got += n;
	}
	return ret;
}

/* Sends perf record a control command and waits for its "ack\n". */
static int perf_command(int ctl_w, int ack_r, const char *cmd)
{
	char ack[4];
	size_t got = 0;

	if (write(ctl_w, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
		return -EPIPE;
	while (got < sizeof(ack)) {
		ssize_t n = read(ack_r, ack + got, sizeof(ack) - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EPIPE;
		got += n;
	}
	return 0;
}

/* Waits for pid until the deadline, then kills it. Its wait status. */
static int reap_until(pid_t pid, double deadline)
{
	int status = 0;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		if (clock_now() > deadline) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return -1;
		}
		usleep(10000);
	}
}

/* The last non-empty line of a log file, for error messages. */
static void last_line(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;

	snprintf(out, len, "no message");
	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (*line)
			snprintf(out, len, "%s", line);
	}
	free(line);
	fclose(f);
}

/*
 * In a perf child, before exec: perf writes only under tmpdir (the run's
 * scratch directory). HOME and TMPDIR point there (perf's build-id cache
 * is ~/.debug; record also gets --no-buildid-cache); its own process
 * group keeps the terminal's signals away (perf is stopped by us, with
 * SIGINT, on which it cleans up: a killed `perf script` leaves its copy
 * of the vDSO in /tmp); SIGINT too when we die.
 */
static void perf_child_setup(const char *tmpdir)
{
	setenv("HOME", tmpdir, 1);
	setenv("TMPDIR", tmpdir, 1);
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGINT);
	/* our end of its pipe closing is EPIPE, not a death that skips
	 * that clean-up */
	signal(SIGPIPE, SIG_IGN);
}

/* Stops a perf process the way it cleans up after itself (SIGINT), and
 * kills it only when it does not exit within a few seconds. */
static void stop_perf(pid_t pid)
{
	kill(pid, SIGINT);
	if (reap_until(pid, clock_now() + 3) < 0)
		return;		/* reap_until killed and reaped it */
}

/* Runs `perf record` on worker `pid` with events disabled until the
 * worker says so; control through ctl_r / ack_w. Returns perf's pid. */
static pid_t spawn_perf_record(const char *perf, pid_t pid, int ctl_r,
			       int ack_w, const char *tmpdir, const char *data,
			       const char *log)
{
	char pidstr[32], control[64];
	pid_t p;

	snprintf(pidstr, sizeof(pidstr), "%d", (int)pid);
	/* perf gets the pipes as fds 3 and 4 */
	snprintf(control, sizeof(control), "fd:3,4");
	p = fork();
	if (p)
		return p;
	{
		int logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
				 O_CLOEXEC, 0644);
		int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
		int c = fcntl(ctl_r, F_DUPFD_CLOEXEC, 10);
		int a = fcntl(ack_w, F_DUPFD_CLOEXEC, 10);

		if (logfd < 0 || nul < 0 || c < 0 || a < 0)
			_exit(127);
		dup2(nul, STDIN_FILENO);
		dup2(logfd, STDOUT_FILENO);
		dup2(logfd, STDERR_FILENO);
		dup2(c, 3);
		dup2(a, 4);
		perf_child_setup(tmpdir);
		/* no build-ids: nothing to look up or cache outside tmpdir */
		execl(perf, "perf", "record", "--call-graph",
		      "dwarf," WORKER_STACK_DUMP, "-F", PERF_FREQ, "-D", "-1",
		      "--no-buildid", "--no-buildid-cache", "--control",
		      control, "-o", data, "-p", pidstr, (char *)NULL);
		_exit(127);
	}
}

/* perf script of data, folded into fp. */
static int fold_data(const char *perf, const char *tmpdir, const char *data,
		     const char *log, struct flame_profile *fp, char *why,
		     size_t len)
{
	int pfd[2], ret, status;
	FILE *in;
	pid_t p;

	if (pipe2(pfd, O_CLOEXEC))
		return strategy_why(why, len, -errno, "pipe: %s",
				    strerror(errno));
	p = fork();
	if (p < 0) {
		ret = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return strategy_why(why, len, ret, "fork: %s", strerror(-ret));
	}
	if (!p) {
		int logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
				 O_CLOEXEC, 0644);

		dup2(pfd[1], STDOUT_FILENO);
		if (logfd >= 0)
			dup2(logfd, STDERR_FILENO);
		perf_child_setup(tmpdir);
		execl(perf, "perf", "script", "--no-inline", "-F",
		      "comm,ip,sym,dso", "-i", data, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	in = fdopen(pfd[0], "r");
	if (!in) {
		close(pfd[0]);
		stop_perf(p);
		return strategy_why(why, len, -ENOMEM, "%s", strerror(ENOMEM));
	}
	ret = flame_fold_perf_script(in, fp);
	fclose(in);
	while (waitpid(p, &status, 0) < 0 && errno == EINTR)
		;
	if (ret == -EINVAL) {
		char msg[200];

		last_line(log, msg, sizeof(msg));
		return strategy_why(why, len, ret, "perf script gave no "
				    "samples (%s)", msg);
	}
	if (ret)
		return strategy_why(why, len, ret, "%s", strerror(-ret));
	return 0;
}

/* The worker's job, for the fresh stack it runs on. */
static struct {
	int (*work)(void *, struct flame_ctl *);
	void *ctx;
	struct flame_ctl *ctl;
} worker_job;

/* The worker's exit status: the errno of its result, when it fits. */
static int worker_status(int ret)
{
	int n = -ret;

	return n <= 0 ? 0 : n < 126 ? n : 125;
}

/* Works and exits from the job's own stack: the exit (the process torn
 * down, sampled too) must not walk back into the caller's stack. */
static void __attribute__((noreturn)) worker_entry(void)
{
	_exit(worker_status(worker_job.work(worker_job.ctx, worker_job.ctl)));
}

/*
 * Runs the job on a stack of its own (makecontext), whose bottom is the
 * job: perf copies WORKER_STACK_DUMP bytes of stack per sample to unwind
 * with DWARF, and the callers' stacks (path buffers of PATH_MAX, the
 * sweep runner's frames) would not fit, leaving the outermost frames
 * [unknown]. Falls back to the caller's stack when there is no memory.
 * Never returns: the stack is the process's until it exits.
 */
static void __attribute__((noreturn))
run_on_own_stack(int (*work)(void *, struct flame_ctl *), void *ctx,
		 struct flame_ctl *ctl)
{
	ucontext_t caller, job;
	void *stack = malloc(WORKER_STACK_SIZE);

	if (stack && !getcontext(&job)) {
		worker_job.work = work;
		worker_job.ctx = ctx;
		worker_job.ctl = ctl;
		job.uc_stack.ss_sp = stack;
		job.uc_stack.ss_size = WORKER_STACK_SIZE;
		job.uc_link = NULL;
		makecontext(&job, worker_entry, 0);
		swapcontext(&caller, &job);
	}
	_exit(worker_status(work(ctx, ctl)));
}

/* The worker: waits for the go byte, works, exits with its result. */
static void __attribute__((noreturn))
run_worker(int (*work)(void *, struct flame_ctl *), void *ctx, int go_r,
	   struct flame_ctl *ctl)
{
	char c;
	ssize_t n;

	prctl(PR_SET_PDEATHSIG, SIGINT);
	do
		n = read(go_r, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(126);
	run_on_own_stack(work, ctx, ctl);
}

/* Runs prepare() whenever the worker asks, until it closes its end
 * (done or dead). 0, or -ETIMEDOUT past the deadline. */
static volatile sig_atomic_t stop_requested;

void flame_request_stop(void)
{
	stop_requested = 1;
}

static int serve_worker(int req_r, int rep_w, int (*prepare)(void *),
			void *ctx, double deadline)
{
	for (;;) {
		struct pollfd pfd = { .fd = req_r, .events = POLLIN };
		double left = deadline - clock_now();
		int32_t ret;
		ssize_t n;
		char c;

		if (stop_requested)
			return -EINTR;
		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, left > 1 ? 1000 : (int)(left * 1000) + 1);
		if (n <= 0)
			continue;
		n = read(req_r, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		ret = prepare ? prepare(ctx) : 0;
		if (write(rep_w, &ret, sizeof(ret)) != sizeof(ret))
			return 0;
	}
}

static void close_pair(int p[2])
{
	for (int i = 0; i < 2; i++) {
		if (p[i] >= 0)
			close(p[i]);
		p[i] = -1;
	}
}

int flame_record(int (*work)(void *ctx, struct flame_ctl *ctl),
		 int (*prepare)(void *ctx), void *ctx, const char *tmpdir,
		 double timeout, struct flame_profile *fp, char *why,
		 size_t len)
{
	char perf[PATH_MAX], data[PATH_MAX], log[PATH_MAX], msg[200];
	int go[2] = { -1, -1 }, ctl[2] = { -1, -1 }, ack[2] = { -1, -1 };
	int req[2] = { -1, -1 }, rep[2] = { -1, -1 };
	double deadline = clock_now() + timeout;
	pid_t worker = -1, recorder = -1;
	struct flame_ctl fc;
	int ret, status;

	if (!flame_find_perf(perf, sizeof(perf), why, len))
		return -ENOENT;
	snprintf(data, sizeof(data), "%s/perf-%d.data", tmpdir, (int)getpid());
	snprintf(log, sizeof(log), "%s/perf-%d.log", tmpdir, (int)getpid());
	if (pipe2(go, O_CLOEXEC) || pipe2(ctl, O_CLOEXEC) ||
	    pipe2(ack, O_CLOEXEC) || pipe2(req, O_CLOEXEC) ||
	    pipe2(rep, O_CLOEXEC)) {
		ret = strategy_why(why, len, -errno, "pipe: %s",
				   strerror(errno));
		goto out_close;
	}
	fflush(NULL);
	worker = fork();
	if (worker < 0) {
		ret = strategy_why(why, len, -errno, "fork: %s",
				   strerror(errno));
		goto out_close;
	}
	if (!worker) {
		/* only the worker's ends: a gone parent reads as EOF */
		close(go[1]);
		close_pair(ctl);
		close_pair(ack);
		close(req[0]);
		close(rep[1]);
		fc = (struct flame_ctl){ .req_w = req[1], .rep_r = rep[0] };
		run_worker(work, ctx, go[0], &fc);
	}
	recorder = spawn_perf_record(perf, worker, ctl[0], ack[1], tmpdir,
				     data, log);
	if (recorder < 0) {
		ret = strategy_why(why, len, -errno, "fork: %s",
				   strerror(errno));
		goto out_kill;
	}
	close(ctl[0]);
	close(ack[1]);
	close(req[1]);
	close(rep[0]);
	ctl[0] = ack[1] = req[1] = rep[0] = -1;
	/*
	 * perf starts with its events off (-D -1) and answers once it has
	 * attached and turned them on: nothing before is missed. The work
	 * is sampled from then on, so whatever must not be (cleaning up,
	 * evicting) runs here, in the parent, through prepare().
	 */
	ret = perf_command(ctl[1], ack[0], "enable\n");
	if (ret) {
		last_line(log, msg, sizeof(msg));
		ret = strategy_why(why, len, -EIO, "perf record did not start: "
				   "%s", msg);
		goto out_kill;
	}
	if (write(go[1], "g", 1) != 1) {
		ret = strategy_why(why, len, -EPIPE, "the worker is gone");
		goto out_kill;
	}
	ret = serve_worker(req[0], rep[1], prepare, ctx, deadline);
	if (ret == -EINTR) {
		ret = strategy_why(why, len, -EINTR, "interrupted");
		goto out_kill;
	}
	status = ret ? -1 : reap_until(worker, deadline);
	if (status < 0) {
		ret = strategy_why(why, len, -ETIMEDOUT, "timed out after "
				   "%g s", timeout);
		goto out_kill;
	}
	worker = -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		ret = WIFEXITED(status) ? -WEXITSTATUS(status) : -ECHILD;
		strategy_why(why, len, ret, "the profiled copy failed: %s",
			     WIFEXITED(status) ? strerror(-ret) : "crashed");
		goto out_kill;
	}
	/* perf ends by itself when the process it follows exits */
	status = reap_until(recorder, deadline + 10);
	recorder = -1;
	if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		last_line(log, msg, sizeof(msg));
		ret = strategy_why(why, len, -EIO, "perf record failed: %s",
				   msg);
		goto out_unlink;
	}
	ret = fold_data(perf, tmpdir, data, log, fp, why, len);
	/* what ran the job (the caller's stack, makecontext's start) is
	 * not the job's: stacks start at the work itself */
	if (!ret)
		ret = flame_trim_below(fp, "worker_entry");
	goto out_unlink;
out_kill:
	if (worker > 0) {
		kill(worker, SIGKILL);
		waitpid(worker, NULL, 0);
	}
	if (recorder > 0)
		stop_perf(recorder);
out_unlink:
	unlink(data);
	unlink(log);
	{
		/* perf renames an old data file to .old */
		char old[PATH_MAX + 8];

		snprintf(old, sizeof(old), "%s.old", data);
		unlink(old);
	}
out_close:
	close_pair(go);
	close_pair(ctl);
	close_pair(ack);
	close_pair(req);
	close_pair(rep);
	return ret;
}
