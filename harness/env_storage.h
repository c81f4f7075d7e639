/* SPDX-License-Identifier: MIT */
/*
 * Storage facts of the environment: the block queue under a directory
 * (readahead, request sizes and counts, queue depth, write cache,
 * rotational, discard), virtualisation and the balloon's free-page
 * reporting, proactive reclaim (DAMON), transparent huge pages, writeback thresholds, and
 * filesystem features (ext4 journal, reflink).
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_ENV_STORAGE_H
#define IOBENCH_ENV_STORAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "env_types.h"

/* Fills s for files in dir (a reflink probe writes and removes two
 * unnamed files there). Every probe degrades to unknown. 0 or -ENOMEM. */
int env_storage_probe(const char *dir, struct env_storage *s);

/* The virtualisation: systemd-detect-virt --vm, else the CPUID
 * hypervisor signature ("kvm", "none", or NULL when unknown). Static. */
const char *env_storage_virtualization(void);

/* Proactive reclaim under root ("/sys"; a test gives its own tree): the
 * fewest seconds a page-cache page may stay idle before a running DAMON
 * scheme pages it out (a kdamond "on" with a "pageout" scheme: its
 * access_pattern/age/min aggregation intervals of aggr_us each), or
 * the damon_reclaim module's min_age when enabled; -1 when none. */
int64_t env_storage_reclaim_idle(const char *root);

/*
 * A VM's free page reporting hands freed memory back to the host, and a
 * page taken again is slow to touch. Handed back within this many ms of
 * its freeing, the memory one sample frees is gone before the next takes
 * it: on the development VM, 14 `sweep --sizes 1K,1M --cache warm` runs
 * each way, page-cache cells with a robust spread above 10% were 31 of
 * 252 at min_free_ms 0 against 10 at 60000 (widest 55% against 11.6%),
 * their medians unmoved (scripts/bench-variation --only reporting).
 */
#define ENV_REPORTING_QUIET_MS 60000
/* where the kernel keeps free page reporting's parameters */
#define ENV_REPORTING_PARAMS "/sys/module/page_reporting/parameters/"
/* Whether s's free page reporting is on and hands memory back sooner
 * than ENV_REPORTING_QUIET_MS (its min_free_ms known and below). */
bool env_storage_reporting_soon(const struct env_storage *s);

/* JSON object of s (null members for unknowns). New reference. */
json_t *env_storage_to_json(const struct env_storage *s);
/* Reads it back; every member is optional (older files lack some).
 * 0, or -EINVAL with "member: what" in why, or -ENOMEM. */
int env_storage_from_json(json_t *v, struct env_storage *s, char *why,
			  size_t len);
/* Reads root.environment.storage when present (s stays zeroed, not
 * probed, otherwise). 0, or -EINVAL with the reason in why. */
int env_storage_json_read(json_t *root, struct env_storage *s, char *why,
			  size_t len);
/* Markdown table rows ("| readahead | 8192 KiB |\n") for a report's
 * environment table; nothing when s was not probed. */
void env_storage_markdown_rows(FILE *f, const struct env_storage *s);

#endif
