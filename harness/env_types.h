/* SPDX-License-Identifier: MIT */
/*
 * The environment facts a run embeds (struct environment, results.h):
 * the storage under --dir (probed by env_storage.h) and the other load
 * while it measured (env_load.h) and the machine's own steadiness
 * (env_noise.h). Types and freeing only.
 *
 * Layer: model; includes only lib/ and copy_strategies/.
 */
#ifndef IOBENCH_ENV_TYPES_H
#define IOBENCH_ENV_TYPES_H

#include <stdbool.h>
#include <stdint.h>

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
	/* free page reporting (/sys/module/page_reporting/parameters):
	 * the smallest free block it hands back (order: 2^order pages),
	 * and how long a page must have been free first (min_free_ms, a
	 * parameter only some kernels have); -1 unknown or absent */
	int64_t reporting_order, reporting_min_free_ms;
	/* proactive reclaim (DAMON): page-cache pages idle this many
	 * seconds are paged out; -1 none found */
	int64_t reclaim_idle_s;
	char *thp_enabled, *thp_defrag; /* "madvise", ... */
	int64_t dirty_ratio, dirty_bytes;
	int64_t dirty_background_ratio, dirty_background_bytes;
	int64_t dirty_expire_centisecs, dirty_writeback_centisecs;
	/* the filesystem */
	int ext4_journal;  /* 1, 0; -1 not ext4 or unknown */
	int reflink;	   /* FICLONE works in the directory: 1, 0, -1 */
	char *reflink_why; /* why not, or NULL */
};

/* Frees the strings and zeroes s; safe on a zeroed struct. */
void env_storage_free(struct env_storage *s);

/* The figures between two marks. Unknowns are negative. A zeroed struct
 * is "not measured" (files written before, other verbs). */
struct env_load {
	bool measured;
	double seconds;	   /* wall time between the marks */
	double other_cpus; /* CPUs other processes kept busy */
	double steal_cpus; /* CPUs the hypervisor took */
	double loadavg_start, loadavg_end;
	int64_t reported_kib; /* handed back to the host, -1 n/a */
	unsigned cpus;	      /* online CPUs */
	char text[80];	      /* "1.94 of 2 CPUs (steal 0.00)" */
};

/* The reference samples of env_noise.h. A zeroed struct is "not
 * measured". */
struct env_noise {
	bool measured;
	unsigned repeats;      /* 1 MiB copies per sample */
	size_t samples;
	double median;	       /* seconds of one sample */
	double spread;	       /* IQR / median, as a cell's */
	double mad_rel;	       /* 1.4826 MAD / median */
	double max_rel;	       /* the slowest sample / median */
	/* the per-round CPU probes (env_noise_pick_cpu()); 0 rounds: none */
	unsigned cpu_rounds;   /* rounds whose CPU a probe chose */
	unsigned cpu_uneven;   /* of them, where a CPU ran >= 10% slower */
	double cpu_max_ratio;  /* the slowest CPU / the fastest, at most */
};

#endif
