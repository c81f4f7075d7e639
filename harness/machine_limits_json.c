// SPDX-License-Identifier: MIT
/*
 * The machine's limits in results.json: the "limits" object (memcpy,
 * O_DIRECT, device ceilings, sustained rate) and the request's limit and
 * reference fields, written and read back.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "json_num.h"
#include "machine_limits.h"
#include "strategies.h"

static double real_or_nan(json_t *v);

/* The device ceilings, with the device measurement they came from
 * (device.json's target) when this run made it. */
static json_t *ceilings_to_json(const struct run_limits *l)
{
	if (!l->ceilings)
		return json_null();
	return json_pack("{s:o, s:I, s:I, s:o, s:o, s:o, s:I, s:I, s:o, "
			 "s:o}",
			 "device_read_mib_s", json_num(l->dev_read_mib_s),
			 "device_read_bs", (json_int_t)l->dev_read_bs,
			 "device_read_qd", (json_int_t)l->dev_read_qd,
			 "page_cache_read_mib_s", json_num(l->pc_read_mib_s),
			 "page_cache_write_mib_s", json_num(l->pc_write_mib_s),
			 "metadata_files_s", json_num(l->meta_files_s),
			 "cache_set", (json_int_t)l->cache_set,
			 "llc", (json_int_t)l->llc,
			 "why", results_json_text(l->ceilings_why),
			 "device", l->device && l->device->n_targets ?
			 device_target_to_json(&l->device->targets[0]) :
			 json_null());
}

/* --sustained: null when not asked for. */
static json_t *sustained_to_json(const struct run_limits *l)
{
	if (!(l->sus_seconds > 0) && !l->sustained_why)
		return json_null();
	return json_pack("{s:o, s:I, s:o, s:o, s:o, s:o}",
			 "seconds", json_num(l->sus_seconds),
			 "bytes", (json_int_t)l->sus_bytes,
			 "burst_seconds", json_num(l->sus_burst_seconds),
			 "burst_mib_s", json_num(l->sus_burst_mib_s),
			 "mib_s", json_num(l->sus_mib_s),
			 "why", results_json_text(l->sustained_why));
}

static int sustained_from_json(json_t *v, struct run_limits *l)
{
	json_t *why = json_object_get(v, "why");

	l->sus_burst_mib_s = l->sus_mib_s = NAN;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return -EINVAL;
	l->sus_seconds = real_or_nan(json_object_get(v, "seconds"));
	l->sus_bytes = json_integer_value(json_object_get(v, "bytes"));
	l->sus_burst_seconds = real_or_nan(json_object_get(v,
							   "burst_seconds"));
	l->sus_burst_mib_s = real_or_nan(json_object_get(v, "burst_mib_s"));
	l->sus_mib_s = real_or_nan(json_object_get(v, "mib_s"));
	if (json_is_string(why) &&
	    !(l->sustained_why = strdup(json_string_value(why))))
		return -ENOMEM;
	return 0;
}

/* Reads what ceilings_to_json() wrote (absent or null: none). */
static int ceilings_from_json(json_t *v, struct run_limits *l)
{
	json_t *why = json_object_get(v, "why");

	limits_no_ceilings(l);
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return -EINVAL;
	l->dev_read_mib_s = real_or_nan(json_object_get(v,
							"device_read_mib_s"));
	l->dev_read_bs = json_integer_value(json_object_get(v,
							    "device_read_bs"));
	l->dev_read_qd = json_integer_value(json_object_get(v,
							    "device_read_qd"));
	l->pc_read_mib_s = real_or_nan(json_object_get(
		v, "page_cache_read_mib_s"));
	l->pc_write_mib_s = real_or_nan(json_object_get(
		v, "page_cache_write_mib_s"));
	l->meta_files_s = real_or_nan(json_object_get(v, "metadata_files_s"));
	l->cache_set = json_integer_value(json_object_get(v, "cache_set"));
	l->llc = json_integer_value(json_object_get(v, "llc"));
	if (json_is_string(why) &&
	    !(l->ceilings_why = strdup(json_string_value(why))))
		return -ENOMEM;
	l->ceilings = true;
	return 0;
}

json_t *limits_to_json(const struct run_limits *l)
{
	json_t *a;

	if (!l->measured)
		return json_null();
	a = json_array();
	for (size_t i = 0; a && i < l->n_memcpy; i++) {
		json_t *m = json_pack("{s:I, s:I, s:o}",
				      "size", (json_int_t)l->memcpy[i].size,
				      "buffer",
				      (json_int_t)l->memcpy[i].buffer,
				      "mib_s", json_num(l->memcpy[i].mib_s));

		if (json_array_append_new(a, m)) {
			json_decref(a);
			return NULL;
		}
	}
	/* the reason quotes --dir: bytes, maybe not UTF-8 */
	return json_pack("{s:o?, s:{s:I, s:I, s:o, s:o, s:o}, s:o, s:o}",
			 "memcpy", a, "direct",
			 "bytes", (json_int_t)l->direct_bytes,
			 "block", (json_int_t)l->direct_block,
			 "read_mib_s", json_num(l->direct_read_mib_s),
			 "write_mib_s", json_num(l->direct_write_mib_s),
			 "reason", results_json_text(l->direct_reason),
			 "ceilings", ceilings_to_json(l),
			 "sustained", sustained_to_json(l));
}

static double real_or_nan(json_t *v)
{
	return json_is_number(v) ? json_number_value(v) : NAN;
}

int limits_from_json(json_t *v, struct run_limits *l, char *why,
		     size_t len)
{
	json_t *a, *d, *reason, *m;
	size_t i;
	int ret;

	memset(l, 0, sizeof(*l));
	limits_no_ceilings(l);
	if (!v || json_is_null(v))
		return 0;
	a = json_object_get(v, "memcpy");
	d = json_object_get(v, "direct");
	if (!json_is_object(v) || !json_is_array(a) || !json_is_object(d))
		return strategy_why(why, len, -EINVAL, "limits: expected an "
				    "object with memcpy (array) and direct "
				    "(object)");
	l->memcpy = calloc(json_array_size(a) ? json_array_size(a) : 1,
			   sizeof(*l->memcpy));
	if (!l->memcpy)
		return strategy_why(why, len, -ENOMEM,
				    "limits: out of memory");
	json_array_foreach(a, i, m) {
		json_int_t size, buffer;
		json_t *bw = NULL;

		if (json_unpack(m, "{s:I, s:I, s:o}", "size", &size, "buffer",
				&buffer, "mib_s", &bw) || size < 0 ||
		    buffer < 0 || !(json_is_number(bw) || json_is_null(bw))) {
			free(l->memcpy);
			memset(l, 0, sizeof(*l));
			return strategy_why(why, len, -EINVAL,
					    "limits.memcpy[%zu]: expected size, "
					    "buffer and mib_s", i);
		}
		l->memcpy[i] = (struct limit_memcpy){ size, buffer,
						      real_or_nan(bw) };
	}
	l->n_memcpy = json_array_size(a);
	l->direct_bytes = json_integer_value(json_object_get(d, "bytes"));
	l->direct_block = json_integer_value(json_object_get(d, "block"));
	l->direct_read_mib_s = real_or_nan(json_object_get(d, "read_mib_s"));
	l->direct_write_mib_s = real_or_nan(json_object_get(d,
							    "write_mib_s"));
	reason = json_object_get(d, "reason");
	if (json_is_string(reason)) {
		l->direct_reason = strdup(json_string_value(reason));
		if (!l->direct_reason) {
			free(l->memcpy);
			memset(l, 0, sizeof(*l));
			return strategy_why(why, len, -ENOMEM,
					    "limits: out of memory");
		}
	}
	ret = ceilings_from_json(json_object_get(v, "ceilings"), l);
	if (!ret)
		ret = sustained_from_json(json_object_get(v, "sustained"), l);
	if (ret) {
		limits_free(l);
		return strategy_why(why, len, ret, "limits.ceilings, "
				    "limits.sustained: %s",
				    ret == -ENOMEM ? "out of memory" :
				    "expected objects or null");
	}
	l->measured = true;
	return 0;
}

int limits_json_read(json_t *root, struct run *run, char *why, size_t len)
{
	struct run_request *q = &run->request;
	json_t *request = json_object_get(root, "request");
	json_t *refs = json_object_get(request, "references");
	json_t *lim = json_object_get(request, "limits");
	json_t *v;
	size_t i;

	/* absent in files written before these fields: limits off, no
	 * references */
	if (lim && !json_is_boolean(lim))
		return strategy_why(why, len, -EINVAL,
				    "request.limits: expected a boolean");
	q->limits = json_is_true(lim);
	v = json_object_get(request, "sustained");
	if (v && !(json_is_number(v) && json_number_value(v) > 0))
		return strategy_why(why, len, -EINVAL,
				    "request.sustained: expected seconds");
	q->sustained = v ? json_number_value(v) : 0;
	if (refs && !json_is_array(refs))
		return strategy_why(why, len, -EINVAL,
				    "request.references: expected an array");
	if (refs && json_array_size(refs)) {
		q->references = calloc(json_array_size(refs),
				       sizeof(*q->references));
		if (!q->references)
			return strategy_why(why, len, -ENOMEM,
					    "request.references: out of "
					    "memory");
	}
	json_array_foreach(refs, i, v) {
		if (!json_is_string(v))
			return strategy_why(why, len, -EINVAL,
					    "request.references[%zu]: "
					    "expected a string", i);
		q->references[i] = strdup(json_string_value(v));
		if (!q->references[i])
			return strategy_why(why, len, -ENOMEM,
					    "request.references: out of "
					    "memory");
		q->n_references = i + 1;
	}
	return limits_from_json(json_object_get(root, "limits"), &run->limits,
				why, len);
}
