/* SPDX-License-Identifier: MIT */
/*
 * Storage facts of the environment: the block queue under a directory
 * (readahead, request sizes and counts, queue depth, write cache,
 * rotational, discard), virtualisation and the balloon's free-page
 * reporting, transparent huge pages, writeback thresholds, and
 * filesystem features (ext4 journal, reflink).
 */
#ifndef IOBENCH_ENV_STORAGE_H
#define IOBENCH_ENV_STORAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

/* Unknown numbers are -1, unknown strings NULL (JSON null). Strings are
 * owned (env_storage_free). A zeroed struct is "not probed". */
struct env_storage {
	bool probed;
	char *block_device; /* the filesystem's device: "vda", "loop3" */
	char *device_chain; /* down to the disks: "loop3 -> vda" */
	/* the queue of the filesystem's device (a partition: its disk's) */
	int64_t read_ahead_kb, max_sectors_kb, max_hw_sectors_kb;
	int64_t nr_requests;	   /* requests the scheduler may hold */
	int64_t queue_depth;	   /* device tags: SCSI queue_depth, else the
				    * first blk-mq hardware queue's nr_tags */
	int64_t hw_queues;	   /* blk-mq hardware queues */
	char *write_cache;	   /* "write back" / "write through" */
	int rotational;		   /* 1, 0, -1 */
	int64_t discard_max_bytes; /* 0: no discard */
	/* the machine */
	char *virtualization; /* "kvm", "vmware", "none", ... */
	char *container;      /* "docker", "lxc", "none", ... */
	int balloon;	      /* virtio balloon: -1 none, 0 present, 1 free
			       * page reporting on */
	char *thp_enabled, *thp_defrag; /* "madvise", ... */
	int64_t dirty_ratio, dirty_bytes;
	int64_t dirty_background_ratio, dirty_background_bytes;
	int64_t dirty_expire_centisecs, dirty_writeback_centisecs;
	/* the filesystem */
	int ext4_journal;  /* 1, 0; -1 not ext4 or unknown */
	int reflink;	   /* FICLONE works in the directory: 1, 0, -1 */
	char *reflink_why; /* why not, or NULL */
};

/* Fills s for files in dir (a reflink probe writes and removes two
 * unnamed files there). Every probe degrades to unknown. 0 or -ENOMEM. */
int env_storage_probe(const char *dir, struct env_storage *s);
/* Frees the strings and zeroes s; safe on a zeroed struct. */
void env_storage_free(struct env_storage *s);

/* The virtualisation: systemd-detect-virt --vm, else the CPUID
 * hypervisor signature ("kvm", "none", or NULL when unknown). Static. */
const char *env_storage_virtualization(void);

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
