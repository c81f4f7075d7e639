// SPDX-License-Identifier: MIT
/*
 * Heap profiles of `iobench cp` under massif and heaptrack (see
 * memprofile.h). massif's output file is read here (its format is plain
 * text: snapshots, then a tree per detailed snapshot); heaptrack's file
 * through heaptrack_print's summary.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dataset.h"
#include "fmt.h"
#include "memprofile.h"
#include "path.h"
#include "proc.h"
#include "scratch.h"

/* The functions memcount.c defines: allocation functions to massif, so
 * a site is the code that asked for memory, not the interposer. */
static const char *const alloc_fns[] = {
	"--alloc-fn=malloc", "--alloc-fn=calloc", "--alloc-fn=realloc",
	"--alloc-fn=reallocarray", "--alloc-fn=memalign",
	"--alloc-fn=aligned_alloc", "--alloc-fn=posix_memalign",
	"--alloc-fn=valloc", "--alloc-fn=pvalloc",
};

/* "0x16B2F5: stdio_setup (in /x/iobench)" -> "stdio_setup"; "in 2
 * places, all below massif's threshold (1.00%)" -> "2 places below
 * massif's threshold". */
static void node_name(const char *rest, char *out, size_t len)
{
	const char *colon = strstr(rest, ": ");
	size_t n;

	if (!strncmp(rest, "in ", 3)) {
		n = strcspn(rest + 3, ",");
		snprintf(out, len, "%.*s below massif's threshold", (int)n,
			 rest + 3);
		return;
	}
	if (colon && !strncmp(rest, "0x", 2))
		rest = colon + 2;
	n = strcspn(rest, " (\n");
	snprintf(out, len, "%.*s", (int)(n ? n : strlen(rest)), rest);
}

static void add_site(struct memprofile *p, const char *where, uint64_t bytes,
		     struct memprofile_site *all, size_t *n_all, size_t cap)
{
	for (size_t i = 0; i < *n_all; i++) {
		if (!strcmp(all[i].where, where)) {
			all[i].bytes += bytes;
			return;
		}
	}
	(void)p;
	if (*n_all == cap)
		return;
	snprintf(all[*n_all].where, sizeof(all[*n_all].where), "%s", where);
	all[(*n_all)++].bytes = bytes;
}

static int by_bytes(const void *a, const void *b)
{
	const struct memprofile_site *x = a, *y = b;

	return (x->bytes < y->bytes) - (x->bytes > y->bytes);
}

/* One tree line: depth (leading spaces), bytes, the rest. */
static bool tree_line(const char *line, int *depth, uint64_t *bytes,
		      const char **rest)
{
	const char *p = line;
	char *end;

	while (*p == ' ')
		p++;
	if (*p != 'n' || !strchr(p, ':'))
		return false;
	*depth = (int)(p - line);
	p = strchr(p, ':') + 1;
	*bytes = strtoull(p, &end, 10);
	if (end == p)
		return false;
	*rest = end + (*end == ' ');
	return true;
}

/* The peak tree: sites are the allocating functions (depth 1), named
 * with their biggest callers (depth 2) when they have some. */
static void read_tree(FILE *f, struct memprofile *p)
{
	struct memprofile_site all[64];
	char line[4096], fn[120] = "", caller[120], where[256];
	size_t n_all = 0;
	uint64_t fn_bytes = 0, fn_children = 0;
	const char *rest;
	uint64_t bytes;
	int depth;

	while (fgets(line, sizeof(line), f) && line[0] != '#') {
		if (!tree_line(line, &depth, &bytes, &rest) || depth == 0)
			continue;
		if (depth == 1) {
			/* the previous function's bytes no caller claimed */
			if (*fn && fn_bytes > fn_children)
				add_site(p, fn, fn_bytes - fn_children, all,
					 &n_all, 64);
			node_name(rest, fn, sizeof(fn));
			fn_bytes = bytes;
			fn_children = 0;
		} else if (depth == 2 && *fn) {
			node_name(rest, caller, sizeof(caller));
			snprintf(where, sizeof(where), "%s -> %s", caller, fn);
			add_site(p, where, bytes, all, &n_all, 64);
			fn_children += bytes;
		}
	}
	if (*fn && fn_bytes > fn_children)
		add_site(p, fn, fn_bytes - fn_children, all, &n_all, 64);
	qsort(all, n_all, sizeof(all[0]), by_bytes);
	p->n_sites = n_all < MEMPROFILE_TOP ? n_all : MEMPROFILE_TOP;
	memcpy(p->sites, all, p->n_sites * sizeof(all[0]));
}

int memprofile_read_massif(const char *path, struct memprofile *p)
{
	FILE *f = fopen(path, "re");
	char line[4096];
	uint64_t heap = 0, extra = 0;
	bool seen = false;

	if (!f)
		return -errno;
	p->n_sites = 0;
	p->snapshots = 0;
	p->peak_heap = p->peak_extra = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "desc:", 5) || !strncmp(line, "cmd:", 4))
			seen = true;
		else if (!strncmp(line, "snapshot=", 9))
			p->snapshots++;
		else if (!strncmp(line, "mem_heap_B=", 11))
			heap = strtoull(line + 11, NULL, 10);
		else if (!strncmp(line, "mem_heap_extra_B=", 17))
			extra = strtoull(line + 17, NULL, 10);
		/* massif marks the peak with a detailed tree; without one
		 * (a tiny run), the largest snapshot is the peak */
		if (!strncmp(line, "heap_tree=peak", 14)) {
			p->peak_heap = heap;
			p->peak_extra = extra;
			read_tree(f, p);
			break;
		}
		if (!strncmp(line, "heap_tree=", 10) && heap > p->peak_heap) {
			p->peak_heap = heap;
			p->peak_extra = extra;
		}
	}
	fclose(f);
	if (!seen || !p->snapshots)
		return -EINVAL;
	p->massif = true;
	return 0;
}

/* "calls to allocation functions: 6 (3000/s)" -> 6 */
static bool summary_count(const char *text, const char *key, uint64_t *out)
{
	const char *at = strstr(text, key);

	if (!at)
		return false;
	*out = strtoull(at + strlen(key), NULL, 10);
	return true;
}

int memprofile_read_heaptrack_summary(const char *text, struct memprofile *p)
{
	const char *peak = strstr(text, "peak heap memory consumption: ");
	double v;
	char unit = 'B';

	if (!summary_count(text, "calls to allocation functions: ",
			   &p->ht_calls) ||
	    !summary_count(text, "temporary memory allocations: ",
			   &p->ht_temporary) || !peak)
		return -EINVAL;
	/* heaptrack prints "73.70K": decimal prefixes (1000), as it does */
	if (sscanf(peak + 30, "%lf%c", &v, &unit) < 1)
		return -EINVAL;
	p->ht_peak = (uint64_t)(v * (unit == 'K' ? 1e3 : unit == 'M' ? 1e6 :
				     unit == 'G' ? 1e9 : 1));
	p->heaptrack = true;
	return 0;
}

/* Runs argv (output to /dev/null); why when it could not. */
static int run_tool(char *const *argv, volatile sig_atomic_t *stop,
		    char **capture, char *why, size_t len)
{
	struct proc_opts o = { .out_fd = -1, .err_fd = -1, .stop = stop,
			       .capture = capture };
	char st[64];
	int status, ret = proc_run(argv, &o, &status);

	if (ret) {
		snprintf(why, len, "cannot run %s: %s", argv[0],
			 strerror(-ret));
		return ret;
	}
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	snprintf(why, len, "%s failed (%s)", argv[0],
		 proc_status_text(status, st, sizeof(st)));
	return -EIO;
}

static void run_massif(const char *self, const char *strategy,
		       const char *data, volatile sig_atomic_t *stop,
		       struct memprofile *p)
{
	char valgrind[PATH_MAX], out_opt[PATH_MAX + 64], out[PATH_MAX + 16];
	char src[PATH_MAX + 8], dst[PATH_MAX + 16];
	char *argv[32];
	size_t n = 0;

	if (!path_find_program("valgrind", valgrind, sizeof(valgrind))) {
		snprintf(p->massif_why, sizeof(p->massif_why),
			 "valgrind is not installed (Debian: apt-get install "
			 "valgrind)");
		return;
	}
	snprintf(out, sizeof(out), "%s/massif.out", data);
	snprintf(out_opt, sizeof(out_opt), "--massif-out-file=%s", out);
	snprintf(src, sizeof(src), "%s/src", data);
	snprintf(dst, sizeof(dst), "%s/dst-massif", data);
	argv[n++] = valgrind;
	argv[n++] = "--tool=massif";
	argv[n++] = out_opt;
	for (size_t i = 0; i < sizeof(alloc_fns) / sizeof(alloc_fns[0]); i++)
		argv[n++] = (char *)alloc_fns[i];
	argv[n++] = (char *)self;
	argv[n++] = "cp";
	argv[n++] = "-s";
	argv[n++] = (char *)strategy;
	argv[n++] = src;
	argv[n++] = dst;
	argv[n] = NULL;
	if (run_tool(argv, stop, NULL, p->massif_why, sizeof(p->massif_why)))
		return;
	if (memprofile_read_massif(out, p))
		snprintf(p->massif_why, sizeof(p->massif_why),
			 "massif left no readable output");
}

static void run_heaptrack(const char *self, const char *strategy,
			  const char *data, volatile sig_atomic_t *stop,
			  struct memprofile *p)
{
	char heaptrack[PATH_MAX], print[PATH_MAX], out[PATH_MAX + 8];
	char file[PATH_MAX + 16], src[PATH_MAX + 8], dst[PATH_MAX + 16];
	char *text = NULL;

	if (!path_find_program("heaptrack", heaptrack, sizeof(heaptrack)) ||
	    !path_find_program("heaptrack_print", print, sizeof(print))) {
		snprintf(p->heaptrack_why, sizeof(p->heaptrack_why),
			 "heaptrack is not installed");
		return;
	}
	snprintf(out, sizeof(out), "%s/ht", data);
	snprintf(src, sizeof(src), "%s/src", data);
	snprintf(dst, sizeof(dst), "%s/dst-heaptrack", data);
	if (run_tool((char *[]){ heaptrack, "-o", out, (char *)self, "cp",
				 "-s", (char *)strategy, src, dst, NULL },
		     stop, NULL, p->heaptrack_why, sizeof(p->heaptrack_why)))
		return;
	/* heaptrack adds the compressor's extension */
	snprintf(file, sizeof(file), "%s.zst", out);
	if (access(file, F_OK))
		snprintf(file, sizeof(file), "%s.gz", out);
	if (run_tool((char *[]){ print, "-f", file, "--print-peaks=0",
				 "--print-allocators=0",
				 "--print-temporary=0", "--print-leaks=0",
				 NULL },
		     stop, &text, p->heaptrack_why,
		     sizeof(p->heaptrack_why)) == 0 &&
	    memprofile_read_heaptrack_summary(text, p))
		snprintf(p->heaptrack_why, sizeof(p->heaptrack_why),
			 "heaptrack_print gave no summary");
	free(text);
}

int memprofile_run(const char *self, const char *strategy, const char *dir,
		   volatile sig_atomic_t *stop, struct memprofile *p,
		   char *err, size_t len)
{
	struct scratch s;
	int fd, ret;

	ret = scratch_create(dir, &s, err, len);
	if (ret)
		return ret;
	fd = openat(s.fd, "src", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0644);
	ret = fd < 0 ? -errno : dataset_fill(fd, p->size, CONTENT_RANDOM, 42,
					      0);
	if (fd >= 0 && close(fd) && !ret)
		ret = -errno;
	if (ret) {
		snprintf(err, len, "writing the source in %s: %s", s.data,
			 strerror(-ret));
		scratch_remove(&s);
		return ret;
	}
	run_massif(self, strategy, s.data, stop, p);
	if (!(stop && *stop))
		run_heaptrack(self, strategy, s.data, stop, p);
	scratch_remove(&s);
	return 0;
}

void memprofile_markdown(FILE *f, const char *strategy,
			 const struct memprofile *p, size_t n)
{
	char a[FMT_LEN], b[FMT_LEN], size[FMT_LEN];

	fprintf(f, "\n## Heap profile of `%s` (massif)\n\n`iobench cp -s %s` "
		   "copying one file of each size under valgrind's massif: "
		   "the whole process (option parsing, the strategy's setup "
		   "and the copy), its heap at the peak and where that memory "
		   "was allocated (caller -> allocating function).\n\n",
		strategy, strategy);
	for (size_t i = 0; i < n; i++) {
		const struct memprofile *x = &p[i];

		fmt_size(x->size, size, sizeof(size));
		if (!x->massif) {
			fprintf(f, "- %s: no massif profile: %s\n", size,
				x->massif_why);
			continue;
		}
		fprintf(f, "### %s\n\nPeak heap %s (+%s allocator overhead), "
			   "%zu snapshots.\n\n| allocated at the peak by | "
			   "bytes |\n|---|--:|\n", size,
			fmt_bytes(x->peak_heap, a, sizeof(a)),
			fmt_bytes(x->peak_extra, b, sizeof(b)), x->snapshots);
		for (size_t k = 0; k < x->n_sites; k++) {
			const char *w = x->sites[k].where;
			/* "4 places below ...": words, not code */
			const char *q = *w >= '0' && *w <= '9' ? "" : "`";

			fprintf(f, "| %s%s%s | %s |\n", q, w, q,
				fmt_bytes(x->sites[k].bytes, a, sizeof(a)));
		}
		if (!x->n_sites)
			fputs("| (no allocation at the peak) | 0 B |\n", f);
		if (x->heaptrack)
			fprintf(f, "\nheaptrack: %" PRIu64 " allocation calls, "
				   "%" PRIu64 " temporary (freed right after), "
				   "peak %s.\n", x->ht_calls, x->ht_temporary,
				fmt_bytes(x->ht_peak, a, sizeof(a)));
		else
			fprintf(f, "\nheaptrack: %s.\n", x->heaptrack_why);
		fputs("\n", f);
	}
}
