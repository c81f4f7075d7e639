/* SPDX-License-Identifier: MIT */
/*
 * A figure for results.json, compare.json and the other JSON outputs: a
 * real number, or null where it is NaN or infinite (not measured, no
 * data), which JSON cannot hold.
 *
 * Layer: model; includes nothing of the harness.
 */
#ifndef IOBENCH_JSON_NUM_H
#define IOBENCH_JSON_NUM_H

#include <jansson.h>

/* A new reference (NULL only when out of memory). */
json_t *json_num(double v);

#endif
