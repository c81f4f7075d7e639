// SPDX-License-Identifier: MIT
/*
 * iobench compare's files: the runs a name, run id, directory or path
 * stands for, loaded; the baselines listed; this host's noise floor; the
 * default output directory and the files written there.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "calibration.h"
#include "compare_files.h"
#include "outfile.h"
#include "request.h"
#include "verbs.h"

static bool is_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* Something other than a file or directory (a FIFO, socket, device):
 * never opened, named in the error instead. */
static bool is_special(const char *path)
{
	struct stat st;

	return !stat(path, &st) && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

/* The first of n paths that is_special(), or NULL. */
static const char *first_special(const char *const *paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (is_special(paths[i]))
			return paths[i];
	return NULL;
}

/* snprintf into a PATH_MAX buffer; false when the path does not fit. */
static bool path_fmt(char *buf, const char *fmt, const char *a,
		     const char *b)
{
	return snprintf(buf, PATH_MAX, fmt, a, b) < PATH_MAX;
}

/*
 * Finds the results.json a spec names: an explicit path (a file, or a
 * directory holding results.json) first when it looks like one, then a
 * baseline name, then a run id, then any existing path. 0, or EXIT_USAGE
 * after printing why.
 */
static int resolve_spec(const char *spec, const char *results,
			struct compare_side *s)
{
	bool looks_like_path = strchr(spec, '/') ||
			       strstr(spec, ".json") || !strcmp(spec, ".");
	char tried[3][PATH_MAX];
	const char *special;

	if (!path_fmt(tried[0], "%s/baselines/%s.json", results, spec) ||
	    !path_fmt(tried[1], "%s/%s/results.json", results, spec) ||
	    !path_fmt(tried[2], "%s/%s", spec, "results.json")) {
		bench_error("compare: '%s': path too long", spec);
		return EXIT_USAGE;
	}
	if (!looks_like_path && request_reserved_baseline_name(spec) &&
	    is_file(tried[0]) && !is_dir(spec)) {
		bench_error("compare: '%s': %s is this host's noise floor "
			    "(iobench calibrate), not a run or a baseline",
			    spec, tried[0]);
		return EXIT_USAGE;
	}
	if (looks_like_path || !is_file(tried[0])) {
		if (is_file(spec)) {
			snprintf(s->path, PATH_MAX, "%s", spec);
			goto found;
		}
		if (is_dir(spec) && is_file(tried[2])) {
			snprintf(s->path, PATH_MAX, "%s", tried[2]);
			goto found;
		}
	}
	if (is_file(tried[0])) {
		snprintf(s->path, PATH_MAX, "%s", tried[0]);
		s->baseline = true;
		snprintf(s->label, PATH_MAX, "baseline %s", spec);
		return 0;
	}
	if (is_file(tried[1])) {
		snprintf(s->path, PATH_MAX, "%s", tried[1]);
		goto found;
	}
	special = first_special((const char *const[]){ spec, tried[2],
						       tried[0], tried[1] }, 4);
	if (special)
		bench_error("compare: %s: not a regular file", special);
	else if (is_dir(spec))
		bench_error("compare: %s: no results.json in this directory",
			    spec);
	else if (looks_like_path)
		/* a path: only it was meant, not a name under RESULTS */
		bench_error("compare: %s: %s", spec, strerror(ENOENT));
	else
		bench_error("compare: '%s' is no baseline, run id, results "
			    "directory or results.json (looked for %s and %s)",
			    spec, tried[0], tried[1]);
	return EXIT_USAGE;
found:
	snprintf(s->label, PATH_MAX, "%s", spec);
	return 0;
}

static int resolve_default_base(const char *results, struct compare_side *s)
{
	if (path_fmt(s->path, "%s/baselines/%s.json", results, "main") &&
	    is_special(s->path)) {
		bench_error("compare: %s: not a regular file", s->path);
		return EXIT_USAGE;
	}
	if (!path_fmt(s->path, "%s/baselines/%s.json", results, "main") ||
	    !is_file(s->path)) {
		bench_error("compare: no baseline 'main' in %s/baselines (save "
			    "one with iobench sweep --save-baseline main)",
			    results);
		return EXIT_USAGE;
	}
	s->baseline = true;
	snprintf(s->label, PATH_MAX, "baseline main");
	return 0;
}

static int resolve_default_new(const char *results, struct compare_side *s)
{
	char latest[PATH_MAX];

	if (path_fmt(s->path, "%s/latest/%s", results, "results.json") &&
	    is_special(s->path)) {
		bench_error("compare: %s: not a regular file", s->path);
		return EXIT_USAGE;
	}
	if (!path_fmt(latest, "%s/%s", results, "latest") ||
	    !path_fmt(s->path, "%s/latest/%s", results, "results.json") ||
	    !is_file(s->path)) {
		bench_error("compare: no %s/latest/results.json (run iobench "
			    "sweep first, or name NEW)", results);
		return EXIT_USAGE;
	}
	snprintf(s->label, PATH_MAX, "%s", latest);
	return 0;
}

/* Reads a side's results.json; refuses an interrupted run unless asked. */
static int load_side(struct compare_side *s, bool allow_incomplete)
{
	char err[PATH_MAX + 256];
	size_t pending = 0;

	if (results_read_json(s->path, &s->run, err, sizeof(err))) {
		bench_error("compare: %s", err);
		return EXIT_USAGE;
	}
	if (!s->run.incomplete || allow_incomplete)
		return 0;
	for (size_t i = 0; i < s->run.n_cells; i++)
		pending += s->run.cells[i].status == CELL_PENDING;
	bench_error("compare: %s: results of an incomplete run (%zu of %zu "
		    "cells not run); pass --allow-incomplete to compare it "
		    "anyway", s->path, pending, s->run.n_cells);
	return EXIT_USAGE;
}

/* Where compare.md/json go by default: beside NEW's results.json, unless
 * NEW is a baseline (the baselines folder holds baselines only). */
void bench_compare_default_out(const struct compare_side *new, char *buf)
{
	char *slash;

	if (new->baseline) {
		snprintf(buf, PATH_MAX, ".");
		return;
	}
	snprintf(buf, PATH_MAX, "%s", new->path);
	slash = strrchr(buf, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(buf, PATH_MAX, ".");
}

int bench_compare_write(int dirfd, const char *dir, const char *name,
			const char *doc)
{
	int ret = outfile_write_at(dirfd, name, doc, strlen(doc));

	if (ret)
		bench_error("compare: cannot write %s/%s: %s", dir, name,
			    strerror(-ret));
	return ret;
}

static int json_name(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	/* NAME.json, not hidden, not a writer's NAME.json.tmp.XXXXXX, not
	 * the host's noise floor (calibration.json) */
	return d->d_name[0] != '.' && n > 5 &&
	       !strcmp(d->d_name + n - 5, ".json") &&
	       strcmp(d->d_name, CALIBRATION_FILE);
}

/* --list: one line per baseline, oldest name first (alphabetical). */
int bench_compare_list_baselines(const char *results)
{
	char dir[PATH_MAX], path[PATH_MAX], err[PATH_MAX + 256];
	struct dirent **names;
	int n;

	if (!path_fmt(dir, "%s/%s", results, "baselines"))
		return EXIT_USAGE;
	n = scandir(dir, &names, json_name, alphasort);
	if (n < 0) {
		if (errno != ENOENT) {
			bench_error("compare: %s: %s", dir, strerror(errno));
			return EXIT_USAGE;
		}
		n = 0;
	}
	if (!n)
		printf("no baselines in %s (save one with iobench sweep "
		       "--save-baseline NAME)\n", dir);
	else
		printf("%-20s %-22s %-20s %s\n", "NAME", "DATE", "HOST",
		       "CELLS");
	for (int i = 0; i < n; i++) {
		size_t len = strlen(names[i]->d_name) - 5;
		struct run run;

		if (path_fmt(path, "%s/%s", dir, names[i]->d_name) &&
		    !results_read_json(path, &run, err, sizeof(err))) {
			printf("%-20.*s %-22s %-20s %zu\n", (int)len,
			       names[i]->d_name,
			       run.started ? run.started : "?",
			       run.env.hostname ? run.env.hostname : "?",
			       run.n_cells);
			results_free(&run);
		} else {
			printf("%-20.*s unreadable: %s\n", (int)len,
			       names[i]->d_name, err);
		}
		free(names[i]);
	}
	free(names);
	return EXIT_OK;
}

int bench_compare_resolve_sides(const struct compare_request *rq,
				struct compare_side *base,
				struct compare_side *new)
{
	int ret;

	ret = rq->base_spec ? resolve_spec(rq->base_spec, rq->results, base) :
			      resolve_default_base(rq->results, base);
	if (ret)
		return ret;
	ret = rq->new_spec ? resolve_spec(rq->new_spec, rq->results, new) :
			     resolve_default_new(rq->results, new);
	if (ret)
		return ret;
	ret = load_side(base, rq->allow_incomplete);
	if (ret)
		return ret;
	return load_side(new, rq->allow_incomplete);
}

/* Whether spec names a saved run (what resolve_spec would find). */
bool bench_compare_names_saved_run(const char *spec, const char *results)
{
	char path[PATH_MAX];

	return (path_fmt(path, "%s/baselines/%s.json", results, spec) &&
		is_file(path)) ||
	       (path_fmt(path, "%s/%s/results.json", results, spec) &&
		is_file(path)) ||
	       is_file(spec) ||
	       (path_fmt(path, "%s/%s", spec, "results.json") &&
		is_file(path));
}

/*
 * This host's calibration (RESULTS/baselines/calibration.json) when it
 * was made on the host both runs were: its floors apply. A missing file
 * is no floor; a broken one is said and ignored.
 */
void bench_compare_load_floors(const struct compare_request *rq,
			       const struct compare_side *base,
			       const struct compare_side *new,
			       struct calibration *cal)
{
	char path[PATH_MAX], err[PATH_MAX + 256];
	const char *hb = base->run.env.hostname, *hn = new->run.env.hostname;
	int ret;

	memset(cal, 0, sizeof(*cal));
	if (rq->no_floor ||
	    !path_fmt(path, "%s/baselines/%s", rq->results, CALIBRATION_FILE))
		return;
	ret = calibration_read(path, cal, err, sizeof(err));
	if (ret) {
		if (ret != -ENOENT)
			bench_error("compare: warning: no noise floor: %s",
				    err);
		return;
	}
	if (!cal->hostname || !hb || !hn || strcmp(cal->hostname, hb) ||
	    strcmp(cal->hostname, hn))
		calibration_free(cal);
}
