// SPDX-License-Identifier: MIT
/* The A/A noise floor per size: building, storing, reading, applying. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <jansson.h>

#include "calibration.h"
#include "mem_free.h"
#include "stats.h"

/* entries in order: by size, then kind */
static bool before(const struct calibration_size *z, uint64_t size,
		   enum calibration_kind kind)
{
	return z->size < size || (z->size == size && z->kind < kind);
}

static struct calibration_size *size_entry(struct calibration *cal,
					   uint64_t size,
					   enum calibration_kind kind)
{
	struct calibration_size *grown;
	size_t i = 0;

	while (i < cal->n_sizes && before(&cal->sizes[i], size, kind))
		i++;
	if (i < cal->n_sizes && cal->sizes[i].size == size &&
	    cal->sizes[i].kind == kind)
		return &cal->sizes[i];
	grown = realloc(cal->sizes, (cal->n_sizes + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	cal->sizes = grown;
	memmove(&grown[i + 1], &grown[i],
		(cal->n_sizes - i) * sizeof(*grown));
	memset(&grown[i], 0, sizeof(*grown));
	grown[i].size = size;
	grown[i].kind = kind;
	cal->n_sizes++;
	return &grown[i];
}

/* x appended to the array *v of *n. 0 or -ENOMEM. */
static int push(double **v, size_t *n, double x)
{
	double *grown = realloc(*v, (*n + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	*v = grown;
	grown[(*n)++] = x;
	return 0;
}

/* the entry of one size and kind, made when new (NULL: -ENOMEM) */
static struct calibration_size *entry_of(struct calibration *cal,
					 uint64_t size, bool device)
{
	return size_entry(cal, size,
			  device ? CALIBRATION_DEVICE : CALIBRATION_MEMORY);
}

static int set_string(char **dst, const char *src)
{
	if (*dst || !src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -ENOMEM;
}

int calibration_add_change(struct calibration *cal, uint64_t size,
			   bool device, double change)
{
	struct calibration_size *z = entry_of(cal, size, device);
	int ret = z ? push(&z->changes, &z->n, change) : -ENOMEM;

	if (!ret)
		z->compared++;
	return ret;
}

int calibration_add_cpu_change(struct calibration *cal, uint64_t size,
			       bool device, double change)
{
	struct calibration_size *z = entry_of(cal, size, device);

	return z ? push(&z->cpu_changes, &z->n_cpu, change) : -ENOMEM;
}

int calibration_add_left_out(struct calibration *cal, uint64_t size,
			     bool device)
{
	struct calibration_size *z = entry_of(cal, size, device);

	if (!z)
		return -ENOMEM;
	z->compared++;
	return 0;
}

size_t calibration_cells_per_pair(const struct calibration *cal)
{
	size_t m = 0;

	for (size_t k = 0; k < cal->n_sizes; k++)
		m += cal->sizes[k].compared;
	return m / (cal->pairs ? cal->pairs : 1);
}

int calibration_add_shift(struct calibration *cal, uint64_t size,
			  bool device, double shift)
{
	struct calibration_size *z = entry_of(cal, size, device);

	return z ? push(&z->shifts, &z->n_shifts, shift) : -ENOMEM;
}

int calibration_add_cell_change(struct calibration *cal, const char *key,
				double change)
{
	struct calibration_cell *c = NULL, *grown;

	for (size_t i = 0; i < cal->n_cells && !c; i++)
		if (!strcmp(cal->cells[i].key, key))
			c = &cal->cells[i];
	if (!c) {
		grown = realloc(cal->cells,
				(cal->n_cells + 1) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		cal->cells = grown;
		c = &grown[cal->n_cells];
		memset(c, 0, sizeof(*c));
		c->key = strdup(key);
		if (!c->key)
			return -ENOMEM;
		cal->n_cells++;
	}
	return push(&c->changes, &c->n, change);
}

int calibration_pair_done(struct calibration *cal, const struct run *a)
{
	int ret;

	cal->pairs++;
	ret = set_string(&cal->hostname, a->env.hostname);
	if (!ret)
		ret = set_string(&cal->kernel, a->env.kernel);
	if (!ret)
		ret = set_string(&cal->commit, a->commit);
	if (!ret)
		ret = set_string(&cal->started, a->started);
	if (!ret)
		ret = set_string(&cal->command, a->command_line);
	return ret;
}

int calibration_add_pair(struct calibration *cal, const struct run *a,
			 const struct run *b)
{
	size_t matched = 0;
	int ret = 0;

	for (size_t i = 0; i < a->n_cells && !ret; i++) {
		const struct cell *x = &a->cells[i];

		if (x->status != CELL_OK || !x->n_samples ||
		    !(x->est.median > 0))
			continue;
		for (size_t j = 0; j < b->n_cells; j++) {
			const struct cell *y = &b->cells[j];
			if (!cell_same_key(x, y, 0) || y->status != CELL_OK ||
			    !y->n_samples || !(y->est.median > 0))
				continue;
			ret = calibration_add_change(
				cal, x->size, cell_reaches_device(x),
				log(y->est.median / x->est.median));
			matched++;
			break;
		}
	}
	if (ret)
		return ret;
	if (!matched)
		return -EINVAL;
	return calibration_pair_done(cal, a);
}

/*
 * The robust SD of n A/A changes v (*sigma) and, when max and q95 are
 * given, the largest |change| and the 95th percentile of |change|. A/A
 * changes centre on 0: the median |change| is 0.6745 SD for normal noise,
 * and robust to a cell hit by a burst. 0 or -ENOMEM.
 */
static int spread_of(const double *v, size_t n, double *sigma, double *max,
		     double *q95)
{
	double *a = malloc((n ? n : 1) * sizeof(*a));
	int ret = 0;

	if (!a)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		a[i] = fabs(v[i]);
	gsl_sort(a, 1, n);
	*sigma = 1.4826 * gsl_stats_median_from_sorted_data(a, 1, n);
	if (max) {
		*max = a[n - 1];
		ret = stats_noise_floor(a, n, 0.95, q95);
	}
	free(a);
	return ret;
}

int calibration_finish(struct calibration *cal)
{
	for (size_t k = 0; k < cal->n_sizes; k++) {
		struct calibration_size *z = &cal->sizes[k];
		int ret = 0;

		if (z->n)
			ret = spread_of(z->changes, z->n, &z->sigma, &z->max,
					&z->q95);
		if (!ret && z->n && z->n_cpu)
			ret = spread_of(z->cpu_changes, z->n_cpu,
					&z->cpu_sigma, NULL, NULL);
		if (ret)
			return ret;
	}
	return 0;
}

static const struct calibration_size *
find(const struct calibration *cal, uint64_t size, enum calibration_kind kind)
{
	for (size_t k = 0; k < cal->n_sizes; k++)
		if (cal->sizes[k].size == size && cal->sizes[k].kind == kind &&
		    cal->sizes[k].n)
			return &cal->sizes[k];
	return NULL;
}

/* The entry of cells of `size` (device: they reach it), else the size's
 * entry for both kinds (files from before the split); NULL: none. */
static const struct calibration_size *
find_for(const struct calibration *cal, uint64_t size, bool device)
{
	const struct calibration_size *z = find(
		cal, size, device ? CALIBRATION_DEVICE : CALIBRATION_MEMORY);

	return z ? z : find(cal, size, CALIBRATION_ANY);
}

double calibration_sigma(const struct calibration *cal,
			 const struct calibration_size *z)
{
	const struct calibration_size *other;

	if (z->n >= CALIBRATION_MIN_CHANGES || z->kind == CALIBRATION_ANY)
		return z->sigma;
	other = find(cal, z->size, z->kind == CALIBRATION_DEVICE ?
				   CALIBRATION_MEMORY : CALIBRATION_DEVICE);
	return other && other->sigma > z->sigma ? other->sigma : z->sigma;
}

double calibration_floor(const struct calibration *cal, uint64_t size,
			 bool device, size_t m, double alpha)
{
	const struct calibration_size *z;

	if (!cal || !m || !(alpha > 0 && alpha < 1))
		return 0;
	z = find_for(cal, size, device);
	return z ? gsl_cdf_ugaussian_Qinv(alpha / (2.0 * (double)m)) *
			   calibration_sigma(cal, z) :
		   0;
}

double calibration_cpu_floor(const struct calibration *cal, uint64_t size,
			     bool device, size_t m, double alpha)
{
	const struct calibration_size *z, *other;
	double sigma;

	if (!cal || !m || !(alpha > 0 && alpha < 1))
		return 0;
	z = find_for(cal, size, device);
	if (!z || !z->n_cpu)
		return 0;
	sigma = z->cpu_sigma;
	other = z->kind == CALIBRATION_ANY ? NULL :
		find(cal, size, z->kind == CALIBRATION_DEVICE ?
				CALIBRATION_MEMORY : CALIBRATION_DEVICE);
	/* as calibration_sigma(): a kind with few changes takes both's */
	if (z->n_cpu < CALIBRATION_MIN_CHANGES && other &&
	    other->cpu_sigma > sigma)
		sigma = other->cpu_sigma;
	return gsl_cdf_ugaussian_Qinv(alpha / (2.0 * (double)m)) * sigma;
}

char *calibration_variant_key(const char *key, char *out, size_t len)
{
	const char *sp = strchr(key, ' ');
	const char *rest = sp ? strchr(sp + 1, ' ') : NULL;

	snprintf(out, len, "%.*s%s", (int)(sp ? sp - key : (long)strlen(key)),
		 key, rest ? rest : "");
	return out;
}

/* Whether keys a and b differ only in their size. */
static bool same_but_size(const char *a, const char *b)
{
	char va[256], vb[256];

	return strcmp(a, b) &&
	       !strcmp(calibration_variant_key(a, va, sizeof(va)),
		       calibration_variant_key(b, vb, sizeof(vb)));
}

size_t calibration_variants(const struct calibration *cal)
{
	size_t n = 0;

	for (size_t i = 0; cal && i < cal->n_cells; i++) {
		bool first = true, more = false;

		/* counted at its first cell that has another size */
		for (size_t j = 0; j < cal->n_cells; j++) {
			if (!same_but_size(cal->cells[i].key,
					   cal->cells[j].key))
				continue;
			more = true;
			first = first && j > i;
		}
		n += more && first;
	}
	return n;
}

double calibration_cell_sigma(const struct calibration *cal, const char *key)
{
	for (size_t i = 0; cal && key && i < cal->n_cells; i++) {
		const struct calibration_cell *c = &cal->cells[i];
		double sum = 0;

		if (strcmp(c->key, key))
			continue;
		if (c->n < CALIBRATION_CELL_MIN)
			return 0;
		/* about 0, not the mean: A/A changes centre on no change */
		for (size_t k = 0; k < c->n; k++)
			sum += c->changes[k] * c->changes[k];
		return sqrt(sum / (double)c->n);
	}
	return 0;
}

bool calibration_has_cell(const struct calibration *cal, const char *key)
{
	for (size_t i = 0; cal && key && i < cal->n_cells; i++)
		if (!strcmp(cal->cells[i].key, key))
			return true;
	return false;
}

double calibration_cell_floor(const struct calibration *cal, uint64_t size,
			      bool device, const char *key, size_t m,
			      double alpha)
{
	double floor = calibration_floor(cal, size, device, m, alpha);
	double own = calibration_cell_sigma(cal, key);

	if (floor > 0 && own > 0)
		own *= gsl_cdf_ugaussian_Qinv(alpha / (2.0 * (double)m));
	else
		own = 0;	/* a cell's floor only where its size has one */
	return own > floor ? own : floor;
}

double calibration_shift_floor(double floor, double shift, size_t m,
			       double alpha)
{
	double z;

	if (!(floor > 0) || !m || !(alpha > 0 && alpha < 1) || isnan(shift))
		return floor;
	z = gsl_cdf_ugaussian_Qinv(alpha / (2.0 * (double)m)) *
	    CALIBRATION_SHIFT_K;
	return sqrt(floor * floor + z * z * fabs(shift));
}

double calibration_run_band(const struct calibration *cal, uint64_t size,
			    bool device, const char *key, size_t m,
			    double alpha)
{
	double floor = calibration_cell_floor(cal, size, device, key, m, alpha);
	const struct calibration_size *z;
	double s = 0, pool = 0, zq;
	size_t n_pool = 0;

	if (!(floor > 0))
		return 0;
	z = find_for(cal, size, device);
	if (!z || !z->n_shifts)
		return 0;
	/* about 0, not the mean: A/A shifts centre on no change; a few
	 * pairs' shifts drawn toward every size's (calibration.h) */
	for (size_t i = 0; i < z->n_shifts; i++)
		s += z->shifts[i] * z->shifts[i];
	for (size_t k = 0; k < cal->n_sizes; k++)
		for (size_t i = 0; i < cal->sizes[k].n_shifts; i++) {
			pool += cal->sizes[k].shifts[i] * cal->sizes[k].shifts[i];
			n_pool++;
		}
	s = sqrt((s + CALIBRATION_SHIFT_POOL * pool / (double)n_pool) /
		 ((double)z->n_shifts + CALIBRATION_SHIFT_POOL));
	zq = gsl_cdf_ugaussian_Qinv(alpha / (2.0 * (double)m));
	return sqrt(floor * floor + zq * zq * s * s +
		    zq * zq * CALIBRATION_SHIFT_K * CALIBRATION_SHIFT_K * s);
}

const char *calibration_kind_name(enum calibration_kind kind)
{
	return kind == CALIBRATION_DEVICE ? "device" :
	       kind == CALIBRATION_MEMORY ? "page cache" :
					    "all";
}

/* ---- the file ---- */

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

char *calibration_json(const struct calibration *cal)
{
	json_t *sizes = json_array(), *cells = json_array(), *root;
	char *doc;

	for (size_t k = 0; sizes && k < cal->n_sizes; k++) {
		const struct calibration_size *z = &cal->sizes[k];
		json_t *changes = json_array(), *shifts = json_array();
		json_t *cpu = json_array();

		for (size_t i = 0; changes && i < z->n; i++)
			json_array_append_new(changes, num(z->changes[i]));
		for (size_t i = 0; shifts && i < z->n_shifts; i++)
			json_array_append_new(shifts, num(z->shifts[i]));
		for (size_t i = 0; cpu && i < z->n_cpu; i++)
			json_array_append_new(cpu, num(z->cpu_changes[i]));
		json_array_append_new(sizes, json_pack(
			"{s:I, s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, "
			"s:o}",
			"size", (json_int_t)z->size,
			"kind", calibration_kind_name(z->kind),
			"cells", (json_int_t)z->n,
			"compared", (json_int_t)z->compared,
			"sigma_log", num(z->sigma), "q95_log", num(z->q95),
			"max_log", num(z->max),
			"changes_log", changes ? changes : json_null(),
			"shifts_log", shifts ? shifts : json_null(),
			"cpu_sigma_log", num(z->cpu_sigma),
			"cpu_changes_log", cpu ? cpu : json_null()));
	}
	for (size_t k = 0; cells && k < cal->n_cells; k++) {
		const struct calibration_cell *c = &cal->cells[k];
		json_t *changes = json_array();

		for (size_t i = 0; changes && i < c->n; i++)
			json_array_append_new(changes, num(c->changes[i]));
		json_array_append_new(cells, json_pack(
			"{s:s, s:o}", "key", c->key,
			"changes_log", changes ? changes : json_null()));
	}
	root = json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:I, s:b, s:o, "
			 "s:o}",
			 "schema", CALIBRATION_SCHEMA,
			 "hostname", cal->hostname, "kernel", cal->kernel,
			 "commit", cal->commit, "started", cal->started,
			 "command_line", cal->command,
			 "pairs", (json_int_t)cal->pairs,
			 "net_of_shift", cal->net_of_shift,
			 "sizes", sizes ? sizes : json_null(),
			 "cells", cells ? cells : json_null());
	if (!root)
		return NULL;
	doc = json_dumps(root, JSON_INDENT(2));
	json_decref(root);
	return doc;
}

static int dup_field(json_t *root, const char *key, char **out)
{
	const char *s = json_string_value(json_object_get(root, key));

	if (!s)
		return 0;
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

/* A JSON array of finite numbers into a new array (*out, *n; none when
 * it is empty). 0, -EINVAL or -ENOMEM. */
static int read_numbers(json_t *arr, double **out, size_t *n)
{
	size_t i;
	json_t *v;

	if (!json_is_array(arr))
		return -EINVAL;
	if (!json_array_size(arr))
		return 0;
	*out = malloc(json_array_size(arr) * sizeof(**out));
	if (!*out)
		return -ENOMEM;
	json_array_foreach(arr, i, v) {
		if (!json_is_number(v) || !isfinite(json_number_value(v)))
			return -EINVAL;
		(*out)[(*n)++] = json_number_value(v);
	}
	return 0;
}

static int read_size(json_t *o, struct calibration_size *z)
{
	json_t *size = json_object_get(o, "size");
	json_t *changes = json_object_get(o, "changes_log");
	json_t *shifts = json_object_get(o, "shifts_log");
	json_t *compared = json_object_get(o, "compared");
	json_t *cpu = json_object_get(o, "cpu_changes_log");
	const char *kind = json_string_value(json_object_get(o, "kind"));
	int ret;

	if (!json_is_integer(size) || json_integer_value(size) < 0 ||
	    !json_is_array(changes) || !json_array_size(changes))
		return -EINVAL;
	z->size = (uint64_t)json_integer_value(size);
	/* no kind: a file from before the split, one entry for both */
	z->kind = CALIBRATION_ANY;
	if (kind && !strcmp(kind, "device"))
		z->kind = CALIBRATION_DEVICE;
	else if (kind && !strcmp(kind, "page cache"))
		z->kind = CALIBRATION_MEMORY;
	else if (kind && strcmp(kind, "all"))
		return -EINVAL;
	ret = read_numbers(changes, &z->changes, &z->n);
	/* optional: files from before have neither */
	z->compared = z->n;
	if (json_is_integer(compared) &&
	    json_integer_value(compared) >= (json_int_t)z->n)
		z->compared = (size_t)json_integer_value(compared);
	if (!ret && shifts)
		ret = read_numbers(shifts, &z->shifts, &z->n_shifts);
	if (!ret && cpu)
		ret = read_numbers(cpu, &z->cpu_changes, &z->n_cpu);
	return ret;
}

/* The optional "cells" array (files from before have none). 0, -EINVAL
 * or -ENOMEM. */
static int read_cells(json_t *cells, struct calibration *cal)
{
	size_t i, k;
	json_t *o, *v;

	if (!cells)
		return 0;
	if (!json_is_array(cells))
		return -EINVAL;
	json_array_foreach(cells, i, o) {
		const char *key = json_string_value(json_object_get(o, "key"));
		json_t *changes = json_object_get(o, "changes_log");

		if (!key || !json_is_array(changes))
			return -EINVAL;
		json_array_foreach(changes, k, v) {
			int ret;

			if (!json_is_number(v) ||
			    !isfinite(json_number_value(v)))
				return -EINVAL;
			ret = calibration_add_cell_change(
				cal, key, json_number_value(v));
			if (ret)
				return ret;
		}
	}
	return 0;
}

int calibration_read(const char *path, struct calibration *cal, char *err,
		     size_t len)
{
	json_error_t jerr;
	json_t *root, *sizes, *v;
	const char *schema;
	size_t i;
	int ret = -EINVAL;

	memset(cal, 0, sizeof(*cal));
	root = json_load_file(path, 0, &jerr);
	if (!root) {
		if (json_error_code(&jerr) == json_error_cannot_open_file) {
			snprintf(err, len, "%s: %s", path, jerr.text);
			return -ENOENT;
		}
		snprintf(err, len, "%s:%d:%d: %s", path, jerr.line,
			 jerr.column, jerr.text);
		return -EINVAL;
	}
	schema = json_string_value(json_object_get(root, "schema"));
	sizes = json_object_get(root, "sizes");
	if (!schema || strcmp(schema, CALIBRATION_SCHEMA)) {
		snprintf(err, len, "%s: schema: expected %s", path,
			 CALIBRATION_SCHEMA);
		goto out;
	}
	if (!json_is_array(sizes)) {
		snprintf(err, len, "%s: sizes: expected an array", path);
		goto out;
	}
	cal->sizes = calloc(json_array_size(sizes) + 1, sizeof(*cal->sizes));
	if (!cal->sizes) {
		ret = -ENOMEM;
		goto out;
	}
	json_array_foreach(sizes, i, v) {
		ret = read_size(v, &cal->sizes[cal->n_sizes++]);
		if (ret) {
			snprintf(err, len, "%s: sizes[%zu]: %s", path, i,
				 ret == -ENOMEM ? strerror(ENOMEM) :
				 "expected a size, a kind (\"page cache\", "
				 "\"device\" or \"all\") and a non-empty "
				 "changes_log array of numbers");
			goto out;
		}
	}
	ret = read_cells(json_object_get(root, "cells"), cal);
	if (ret) {
		snprintf(err, len, "%s: cells: %s", path,
			 ret == -ENOMEM ? strerror(ENOMEM) :
			 "expected an array of a key and a changes_log "
			 "array of numbers each");
		goto out;
	}
	v = json_object_get(root, "pairs");
	cal->pairs = json_is_integer(v) && json_integer_value(v) > 0 ?
		     (size_t)json_integer_value(v) : 1;
	cal->net_of_shift = json_is_true(json_object_get(root, "net_of_shift"));
	ret = dup_field(root, "hostname", &cal->hostname);
	if (!ret)
		ret = dup_field(root, "kernel", &cal->kernel);
	if (!ret)
		ret = dup_field(root, "commit", &cal->commit);
	if (!ret)
		ret = dup_field(root, "started", &cal->started);
	if (!ret)
		ret = dup_field(root, "command_line", &cal->command);
	/* the figures are recomputed from the changes: one source of truth */
	if (!ret)
		ret = calibration_finish(cal);
	if (ret == -ENOMEM)
		snprintf(err, len, "%s: %s", path, strerror(ENOMEM));
out:
	json_decref(root);
	if (ret)
		calibration_free(cal);
	return ret;
}

void calibration_free(struct calibration *cal)
{
	for (size_t k = 0; k < cal->n_sizes; k++) {
		free(cal->sizes[k].changes);
		free(cal->sizes[k].shifts);
		free(cal->sizes[k].cpu_changes);
	}
	for (size_t k = 0; k < cal->n_cells; k++) {
		free(cal->cells[k].key);
		free(cal->cells[k].changes);
	}
	MEM_FREE_ALL(cal->sizes, cal->cells, cal->hostname, cal->kernel, cal->commit,
		     cal->started, cal->command);
	memset(cal, 0, sizeof(*cal));
}
