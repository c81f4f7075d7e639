// SPDX-License-Identifier: MIT
/*
 * results.json's members of sweep --dir A,B (targets.h): request.dirs,
 * the run's "targets" (each directory, its device and limits) and each
 * cell's "target". Runs with one --dir write none of them, and a file
 * without them reads as one target: request.dir.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_rd.h"
#include "machine_limits.h"
#include "targets.h"
#include "targets_json.h"

/* A target's description: the directory, its filesystem and device. */
static json_t *describe(const struct run_target *t)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			 "dir", results_json_text(t->dir),
			 "fs_type", results_json_text(t->fs_type),
			 "mount_options", results_json_text(t->mount_options),
			 "device", results_json_text(t->device),
			 "device_model", results_json_text(t->device_model),
			 "scheduler", results_json_text(t->scheduler),
			 "rotational", t->rotational < 0 ? json_null() :
				       json_boolean(t->rotational));
}

static json_t *targets_array(const struct run *run)
{
	json_t *a = json_array();

	for (size_t t = 0; a && t < run->n_targets; t++) {
		json_t *o = describe(&run->targets[t]);

		if (!o || json_object_set_new(o, "limits", limits_to_json(
				targets_limits(run, t))) ||
		    json_array_append_new(a, o)) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

int targets_json_request(json_t *o, const struct run_request *rq)
{
	json_t *dirs;

	if (rq->n_dirs < 2)
		return 0;
	dirs = json_array();
	for (size_t t = 0; dirs && t < rq->n_dirs; t++)
		if (json_array_append_new(dirs, results_json_text(rq->dirs[t])))
			json_decref(dirs), dirs = NULL;
	return dirs && !json_object_set_new(o, "dirs", dirs) ? 0 : -ENOMEM;
}

int targets_json_cell(json_t *o, const struct run *run, size_t i)
{
	size_t t;

	if (!run->cells[i].target || run->n_targets < 2)
		return 0;
	t = targets_of_cell(&run->request, &run->cells[i]);
	return json_object_set_new(o, "target", describe(&run->targets[t])) ?
	       -ENOMEM : 0;
}

int targets_json_run(json_t *root, const struct run *run)
{
	if (run->n_targets < 2)
		return 0;
	return json_object_set_new(root, "targets", targets_array(run)) ?
	       -ENOMEM : 0;
}

/* A string member (NULL or absent: NULL). */
static int rd_text(struct json_rd *rd, json_t *o, const char *at,
		   const char *key, char **out)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		json_rd_fail(rd, "%s.%s: expected a string", at, key);
		return -EINVAL;
	}
	*out = strdup(json_string_value(v));
	return *out ? 0 : -ENOMEM;
}

static void read_target(struct json_rd *rd, json_t *o, size_t i,
			struct run_target *t)
{
	char at[64], why[256];
	json_t *rot = json_object_get(o, "rotational");

	snprintf(at, sizeof(at), "targets[%zu]", i);
	t->rotational = json_is_boolean(rot) ? json_is_true(rot) : -1;
	if (!json_is_object(o)) {
		json_rd_fail(rd, "%s: expected an object", at);
		return;
	}
	if (rd_text(rd, o, at, "dir", &t->dir) ||
	    rd_text(rd, o, at, "fs_type", &t->fs_type) ||
	    rd_text(rd, o, at, "mount_options", &t->mount_options) ||
	    rd_text(rd, o, at, "device", &t->device) ||
	    rd_text(rd, o, at, "device_model", &t->device_model) ||
	    rd_text(rd, o, at, "scheduler", &t->scheduler))
		return;
	if (!t->dir)
		json_rd_fail(rd, "%s.dir: missing", at);
	else if (i && limits_from_json(json_object_get(o, "limits"),
				       &t->limits, why, sizeof(why)))
		json_rd_fail(rd, "%s.limits: %s", at, why);
}

/* Whether dir is one of the request's targets. */
static bool known_dir(const struct run_request *rq, const char *dir)
{
	for (size_t t = 0; dir && t < rq->n_dirs; t++)
		if (!strcmp(rq->dirs[t], dir))
			return true;
	return false;
}

int targets_json_read(json_t *root, const char *file, struct run *run,
		      char *err, size_t len)
{
	struct json_rd rd = { .file = file, .err = err, .len = len };
	json_t *dirs = json_object_get(json_object_get(root, "request"),
				       "dirs");
	json_t *targets = json_object_get(root, "targets");
	json_t *cells = json_object_get(root, "cells");
	struct run_request *rq = &run->request;

	/* a run with one --dir: nothing of these */
	if (!dirs && !targets)
		return 0;
	if (!json_is_array(dirs) || json_array_size(dirs) < 2 ||
	    json_array_size(dirs) > TARGETS_MAX || !json_is_array(targets) ||
	    json_array_size(targets) != json_array_size(dirs)) {
		json_rd_fail(&rd, "request.dirs and targets: expected 2 to %d "
			     "targets, as many of each", TARGETS_MAX);
		return rd.ret;
	}
	rq->dirs = calloc(json_array_size(dirs), sizeof(*rq->dirs));
	run->targets = calloc(json_array_size(dirs), sizeof(*run->targets));
	if (!rq->dirs || !run->targets)
		return -ENOMEM;
	rq->n_dirs = run->n_targets = json_array_size(dirs);
	for (size_t t = 0; !rd.ret && t < rq->n_dirs; t++) {
		json_t *d = json_array_get(dirs, t);

		if (!json_is_string(d))
			json_rd_fail(&rd, "request.dirs[%zu]: expected a "
				     "string", t);
		else if (!(rq->dirs[t] = strdup(json_string_value(d))))
			return -ENOMEM;
		else
			read_target(&rd, json_array_get(targets, t), t,
				    &run->targets[t]);
	}
	if (!rd.ret && (!rq->dir || strcmp(rq->dirs[0], rq->dir)))
		json_rd_fail(&rd, "request.dirs[0]: not request.dir");
	for (size_t i = 0; !rd.ret && i < run->n_cells; i++) {
		json_t *o = json_object_get(json_array_get(cells, i),
					    "target");
		char at[64];

		snprintf(at, sizeof(at), "cells[%zu].target", i);
		if (!json_is_object(o)) {
			json_rd_fail(&rd, "%s: expected an object", at);
			break;
		}
		if (!rd_text(&rd, o, at, "dir", &run->cells[i].target) &&
		    !known_dir(rq, run->cells[i].target))
			json_rd_fail(&rd, "%s.dir: not one of request.dirs",
				     at);
	}
	return rd.ret;
}
