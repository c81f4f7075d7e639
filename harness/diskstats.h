/* SPDX-License-Identifier: MIT */
/*
 * What the block devices did: a directory mapped to the devices under it
 * (partition -> disk, dm -> its slaves, loop -> its backing file's
 * device), and /proc/diskstats snapshots and deltas for them.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_DISKSTATS_H
#define IOBENCH_DISKSTATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Devices followed from one filesystem at most (the rest are dropped). */
#define DISKSTATS_MAX_DEVICES 8
/* /proc/diskstats counts sectors of 512 bytes, whatever the device's. */
#define DISKSTATS_SECTOR 512u

/* How a device in a chain relates to the one it was found from. */
enum diskstats_role {
	DISKSTATS_FILESYSTEM,	/* holds the directory's filesystem */
	DISKSTATS_WHOLE_DISK,	/* the disk a partition is part of */
	DISKSTATS_SLAVE,	/* under a dm / md device (holders/slaves) */
	DISKSTATS_LOOP_BACKING, /* holds a loop device's backing file */
};

struct diskstats_device {
	unsigned major, minor;
	char name[32]; /* kernel name: "vda1", "dm-0", "loop3" */
	enum diskstats_role role;
	unsigned depth; /* 0 for the filesystem's device */
};

/* The filesystem's device first, then what it sits on, breadth first:
 * the last entries are the physical devices where the chain is known. */
struct diskstats_chain {
	size_t n;
	struct diskstats_device dev[DISKSTATS_MAX_DEVICES];
};

/* The /proc/diskstats fields of one device (kernel 5.5 has 17; older
 * kernels fewer: the missing ones read 0). Times are milliseconds. */
struct diskstats_counters {
	bool present; /* the device had a line */
	uint64_t reads, read_merges, read_sectors, read_ms;
	uint64_t writes, write_merges, write_sectors, write_ms;
	uint64_t in_flight; /* a gauge: a delta keeps the later value */
	uint64_t busy_ms, queue_ms;
	uint64_t discards, discard_merges, discard_sectors, discard_ms;
	uint64_t flushes, flush_ms;
};

/* Counters of every device of a chain, in chain order. */
struct diskstats_snapshot {
	size_t n;
	struct diskstats_counters dev[DISKSTATS_MAX_DEVICES];
};

/* "filesystem", "whole disk", "slave", "loop backing". */
const char *diskstats_role_name(enum diskstats_role r);

/*
 * The chain under the filesystem holding dir. A filesystem on no block
 * device (tmpfs, a network filesystem) is -ENODEV with the reason in why;
 * a filesystem with an anonymous device number (btrfs) is mapped through
 * its mount source. Devices the chain cannot follow further (a loop
 * device backed by a file on tmpfs) just end it. 0 or -errno.
 */
int diskstats_resolve_dir(const char *dir, struct diskstats_chain *c, char *why,
			  size_t len);
/* The chain from device major:minor, reading sysfs under sysfs_root
 * ("/sys" when NULL: another root is for tests). 0 or -errno + why. */
int diskstats_resolve_dev(const char *sysfs_root, unsigned major,
			  unsigned minor, struct diskstats_chain *c, char *why,
			  size_t len);

/* One device's line out of /proc/diskstats text. 0, -ENOENT (no such
 * line) or -EINVAL (a malformed one). */
int diskstats_parse(const char *text, unsigned major, unsigned minor,
		    struct diskstats_counters *out);
/* Counters of the chain's devices from /proc/diskstats (or from `text`
 * when not NULL). A device without a line reads present = false.
 * 0 or -errno (the file cannot be read). */
int diskstats_snapshot(const struct diskstats_chain *c, const char *text,
		       struct diskstats_snapshot *s);
/*
 * after - before, device by device; a counter that went down wrapped
 * (the kernel's time fields are 32-bit) and is unwrapped at 2^32.
 * A device missing from either snapshot is not present in the delta.
 */
void diskstats_delta(const struct diskstats_snapshot *before,
		     const struct diskstats_snapshot *after,
		     struct diskstats_snapshot *delta);

/* sum += d, device by device (a repeat's delta into a job's total); a
 * device present in d becomes present in sum. */
void diskstats_add(struct diskstats_snapshot *sum,
		   const struct diskstats_snapshot *d);

static inline uint64_t diskstats_read_bytes(const struct diskstats_counters *c)
{
	return c->read_sectors * DISKSTATS_SECTOR;
}

static inline uint64_t diskstats_write_bytes(const struct diskstats_counters *c)
{
	return c->write_sectors * DISKSTATS_SECTOR;
}

/* [{name, major, minor, role, depth, read_bytes, reads, read_merges,
 *   write_bytes, writes, write_merges, discard_bytes, flushes, busy_ms},
 *  ...] for a delta of chain c. New reference, NULL on ENOMEM. */
json_t *diskstats_delta_to_json(const struct diskstats_chain *c,
				const struct diskstats_snapshot *delta);
/* "loop3 -> vda" (depth order) into out. */
void diskstats_chain_desc(const struct diskstats_chain *c, char *out,
			  size_t len);

#endif
