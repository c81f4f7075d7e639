// SPDX-License-Identifier: MIT
/*
 * A flame graph as a self-contained SVG (flame.h flame_write_svg()): the
 * folded stacks drawn depth by depth, root at the bottom, with a small
 * script for click-to-zoom and search.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flame.h"

/* SVG geometry (pixels) */
#define SVG_WIDTH 1200.0
#define SVG_PAD 10.0
#define FRAME_HEIGHT 16.0
#define HEADER_HEIGHT 40.0
#define FONT_SIZE 12
#define GLYPH_WIDTH 7.0		/* of FONT_SIZE Verdana, a little generous */
#define MIN_FRAME_WIDTH 0.1	/* narrower frames are not drawn */

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
