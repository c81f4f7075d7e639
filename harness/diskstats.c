// SPDX-License-Identifier: MIT
/*
 * /proc/diskstats for the devices under a directory: the chain from the
 * filesystem's device down through sysfs (partition, slaves, loop
 * backing file), snapshots and deltas.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <dirent.h>
#include <unistd.h>

#include "diskstats.h"
#include "env_sys.h"
#include "strategies.h"

const char *diskstats_role_name(enum diskstats_role r)
{
	switch (r) {
	case DISKSTATS_FILESYSTEM:
		return "filesystem";
	case DISKSTATS_WHOLE_DISK:
		return "whole disk";
	case DISKSTATS_SLAVE:
		return "slave";
	case DISKSTATS_LOOP_BACKING:
		return "loop backing";
	}
	return "unknown";
}

/* "M:m" in a sysfs dev file. */
static bool read_devno(const char *path, unsigned *major, unsigned *minor)
{
	char buf[32];

	return env_read_line(path, buf, sizeof(buf)) &&
	       sscanf(buf, "%u:%u", major, minor) == 2;
}

static bool in_chain(const struct diskstats_chain *c, unsigned major,
		     unsigned minor)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->dev[i].major == major && c->dev[i].minor == minor)
			return true;
	return false;
}

/* Appends a device unless the chain has it or is full. */
static void chain_add(struct diskstats_chain *c, unsigned major, unsigned minor,
		      const char *name, enum diskstats_role role,
		      unsigned depth)
{
	struct diskstats_device *d;

	if (c->n == DISKSTATS_MAX_DEVICES || in_chain(c, major, minor))
		return;
	d = &c->dev[c->n++];
	d->major = major;
	d->minor = minor;
	snprintf(d->name, sizeof(d->name), "%.31s", name);
	d->role = role;
	d->depth = depth;
}

/* A partition's disk: the parent directory of its sysfs node. */
static void follow_partition(const char *node, struct diskstats_chain *c,
			     unsigned depth)
{
	char path[PATH_MAX + 32], parent[PATH_MAX];
	unsigned major, minor;
	char *slash;

	snprintf(path, sizeof(path), "%s/partition", node);
	if (access(path, F_OK))
		return;
	snprintf(parent, sizeof(parent), "%s", node);
	slash = strrchr(parent, '/');
	if (!slash)
		return;
	*slash = '\0';
	snprintf(path, sizeof(path), "%s/dev", parent);
	slash = strrchr(parent, '/');
	if (read_devno(path, &major, &minor))
		chain_add(c, major, minor, slash ? slash + 1 : parent,
			  DISKSTATS_WHOLE_DISK, depth + 1);
}

/* dm / md: every device in slaves/ (names under /sys/class/block). */
static void follow_slaves(const char *root, const char *node,
			  struct diskstats_chain *c, unsigned depth)
{
	char path[PATH_MAX + 300];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/slaves", node);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		unsigned major, minor;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/class/block/%s/dev", root,
			 de->d_name);
		if (read_devno(path, &major, &minor))
			chain_add(c, major, minor, de->d_name, DISKSTATS_SLAVE,
				  depth + 1);
	}
	closedir(d);
}

/* The device holding a loop device's backing file. The backing file's
 * path is the live system's, so this is followed on /sys only. */
static void follow_loop(const char *root, const char *node,
			struct diskstats_chain *c, unsigned depth)
{
	char path[PATH_MAX + 32], file[PATH_MAX], sys[PATH_MAX + 32];
	struct stat st;
	char name[PATH_MAX], *base;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/loop/backing_file", node);
	if (!env_read_line(path, file, sizeof(file)) || strcmp(root, "/sys") ||
	    stat(file, &st) || !major(st.st_dev))
		return;
	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u", major(st.st_dev),
		 minor(st.st_dev));
	n = readlink(sys, name, sizeof(name) - 1);
	if (n <= 0)
		return;
	name[n] = '\0';
	base = strrchr(name, '/');
	chain_add(c, major(st.st_dev), minor(st.st_dev), base ? base + 1 : name,
		  DISKSTATS_LOOP_BACKING, depth + 1);
}

int diskstats_resolve_dev(const char *sysfs_root, unsigned major,
			  unsigned minor, struct diskstats_chain *c, char *why,
			  size_t len)
{
	const char *root = sysfs_root ? sysfs_root : "/sys";

	memset(c, 0, sizeof(*c));
	/* the chain grows while it is walked: each device's own parents */
	chain_add(c, major, minor, "", DISKSTATS_FILESYSTEM, 0);
	for (size_t i = 0; i < c->n; i++) {
		struct diskstats_device *d = &c->dev[i];
		char link[PATH_MAX], node[PATH_MAX];
		char *base;

		snprintf(link, sizeof(link), "%s/dev/block/%u:%u", root,
			 d->major, d->minor);
		if (!realpath(link, node)) {
			if (!i)
				return strategy_why(why, len, -ENODEV,
						    "no block device %u:%u in "
						    "%s/dev/block",
						    major, minor, root);
			continue;
		}
		base = strrchr(node, '/');
		if (!d->name[0])
			snprintf(d->name, sizeof(d->name), "%.31s",
				 base ? base + 1 : node);
		follow_partition(node, c, d->depth);
		follow_slaves(root, node, c, d->depth);
		follow_loop(root, node, c, d->depth);
	}
	return 0;
}

int diskstats_resolve_dir(const char *dir, struct diskstats_chain *c, char *why,
			  size_t len)
{
	char source[PATH_MAX];
	struct stat st, src;

	memset(c, 0, sizeof(*c));
	if (stat(dir, &st))
		return strategy_why(why, len, -errno, "%s: %s", dir,
				    strerror(errno));
	if (major(st.st_dev))
		return diskstats_resolve_dev(NULL, major(st.st_dev),
					     minor(st.st_dev), c, why, len);
	/* an anonymous device number: btrfs, or no device at all */
	if (env_mount_source(dir, source, sizeof(source)) &&
	    !stat(source, &src) && S_ISBLK(src.st_mode))
		return diskstats_resolve_dev(NULL, major(src.st_rdev),
					     minor(src.st_rdev), c, why, len);
	return strategy_why(why, len, -ENODEV,
			    "%s is on %s, which has no "
			    "block device",
			    dir, strategy_fs_name(dir));
}

int diskstats_parse(const char *text, unsigned major, unsigned minor,
		    struct diskstats_counters *out)
{
	const char *line = text;

	memset(out, 0, sizeof(*out));
	while (line && *line) {
		unsigned long long v[17] = { 0 };
		unsigned ma, mi;
		char name[64];
		int n = 0, used;
		const char *p, *eol = strchr(line, '\n');

		if (sscanf(line, " %u %u %63s%n", &ma, &mi, name, &used) == 3 &&
		    ma == major && mi == minor) {
			p = line + used;
			while (n < 17) {
				int k;

				if (eol && p >= eol)
					break;
				if (sscanf(p, " %llu%n", &v[n], &k) != 1)
					break;
				p += k;
				n++;
			}
			/* 4 fields: an old kernel's partition line (reads,
			 * read sectors, writes, write sectors) */
			if (n == 4) {
				out->reads = v[0];
				out->read_sectors = v[1];
				out->writes = v[2];
				out->write_sectors = v[3];
			} else if (n >= 11) {
				out->reads = v[0];
				out->read_merges = v[1];
				out->read_sectors = v[2];
				out->read_ms = v[3];
				out->writes = v[4];
				out->write_merges = v[5];
				out->write_sectors = v[6];
				out->write_ms = v[7];
				out->in_flight = v[8];
				out->busy_ms = v[9];
				out->queue_ms = v[10];
				out->discards = v[11];
				out->discard_merges = v[12];
				out->discard_sectors = v[13];
				out->discard_ms = v[14];
				out->flushes = v[15];
				out->flush_ms = v[16];
			} else {
				return -EINVAL;
			}
			out->present = true;
			return 0;
		}
		line = eol ? eol + 1 : NULL;
	}
	return -ENOENT;
}

/* All of /proc/diskstats into a malloc'd string (procfs has no size). */
static char *read_proc_diskstats(void)
{
	size_t cap = 16384, used = 0;
	char *buf = malloc(cap), *more;
	FILE *f = fopen("/proc/diskstats", "re");
	size_t n;

	if (!buf || !f) {
		free(buf);
		if (f)
			fclose(f);
		return NULL;
	}
	while ((n = fread(buf + used, 1, cap - used - 1, f)) > 0) {
		used += n;
		if (cap - used > 1)
			continue;
		more = realloc(buf, cap * 2);
		if (!more) {
			free(buf);
			fclose(f);
			errno = ENOMEM;
			return NULL;
		}
		buf = more;
		cap *= 2;
	}
	fclose(f);
	buf[used] = '\0';
	return buf;
}

int diskstats_snapshot(const struct diskstats_chain *c, const char *text,
		       struct diskstats_snapshot *s)
{
	char *own = NULL;

	memset(s, 0, sizeof(*s));
	if (!text) {
		own = read_proc_diskstats();
		if (!own)
			return -(errno ? errno : EIO);
		text = own;
	}
	s->n = c->n;
	for (size_t i = 0; i < c->n; i++)
		(void)diskstats_parse(text, c->dev[i].major, c->dev[i].minor,
				      &s->dev[i]);
	free(own);
	return 0;
}

/* after - before; a counter that went down wrapped at 2^32 (the kernel
 * prints its tick counters as unsigned int). */
static uint64_t counter_delta(uint64_t before, uint64_t after)
{
	if (after >= before)
		return after - before;
	return after + (1ull << 32) - before;
}

void diskstats_delta(const struct diskstats_snapshot *before,
		     const struct diskstats_snapshot *after,
		     struct diskstats_snapshot *delta)
{
	memset(delta, 0, sizeof(*delta));
	delta->n = before->n < after->n ? before->n : after->n;
	for (size_t i = 0; i < delta->n; i++) {
		const struct diskstats_counters *a = &before->dev[i];
		const struct diskstats_counters *b = &after->dev[i];
		struct diskstats_counters *d = &delta->dev[i];

		if (!a->present || !b->present)
			continue;
		d->present = true;
#define D(f) d->f = counter_delta(a->f, b->f)
		D(reads);
		D(read_merges);
		D(read_sectors);
		D(read_ms);
		D(writes);
		D(write_merges);
		D(write_sectors);
		D(write_ms);
		D(busy_ms);
		D(queue_ms);
		D(discards);
		D(discard_merges);
		D(discard_sectors);
		D(discard_ms);
		D(flushes);
		D(flush_ms);
#undef D
		d->in_flight = b->in_flight;
	}
}

void diskstats_add(struct diskstats_snapshot *sum,
		   const struct diskstats_snapshot *d)
{
	if (d->n > sum->n)
		sum->n = d->n;
	for (size_t i = 0; i < d->n; i++) {
		struct diskstats_counters *s = &sum->dev[i];
		const struct diskstats_counters *k = &d->dev[i];

		if (!k->present)
			continue;
		s->present = true;
#define A(f) s->f += k->f
		A(reads);
		A(read_merges);
		A(read_sectors);
		A(read_ms);
		A(writes);
		A(write_merges);
		A(write_sectors);
		A(write_ms);
		A(busy_ms);
		A(queue_ms);
		A(discards);
		A(discard_merges);
		A(discard_sectors);
		A(discard_ms);
		A(flushes);
		A(flush_ms);
#undef A
		s->in_flight = k->in_flight;
	}
}

json_t *diskstats_delta_to_json(const struct diskstats_chain *c,
				const struct diskstats_snapshot *delta)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < c->n && i < delta->n; i++) {
		const struct diskstats_device *d = &c->dev[i];
		const struct diskstats_counters *k = &delta->dev[i];
		json_t *o;

		if (!k->present)
			o = json_pack("{s:s, s:I, s:I, s:s, s:I, s:b}", "name",
				      d->name, "major", (json_int_t)d->major,
				      "minor", (json_int_t)d->minor, "role",
				      diskstats_role_name(d->role), "depth",
				      (json_int_t)d->depth, "present", 0);
		else
			o = json_pack(
				"{s:s, s:I, s:I, s:s, s:I, s:b, s:I, "
				"s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
				"s:I}",
				"name", d->name, "major", (json_int_t)d->major,
				"minor", (json_int_t)d->minor, "role",
				diskstats_role_name(d->role), "depth",
				(json_int_t)d->depth, "present", 1,
				"read_bytes",
				(json_int_t)diskstats_read_bytes(k), "reads",
				(json_int_t)k->reads, "read_merges",
				(json_int_t)k->read_merges, "write_bytes",
				(json_int_t)diskstats_write_bytes(k), "writes",
				(json_int_t)k->writes, "write_merges",
				(json_int_t)k->write_merges, "discard_bytes",
				(json_int_t)(k->discard_sectors *
					     DISKSTATS_SECTOR),
				"flushes", (json_int_t)k->flushes, "busy_ms",
				(json_int_t)k->busy_ms);
		if (json_array_append_new(a, o)) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

void diskstats_chain_desc(const struct diskstats_chain *c, char *out,
			  size_t len)
{
	size_t used = 0;

	if (len)
		out[0] = '\0';
	for (size_t i = 0; i < c->n && used < len; i++) {
		const char *sep = !i ? ""
				  : c->dev[i].depth != c->dev[i - 1].depth
					  ? " -> "
					  : ", ";
		int n = snprintf(out + used, len - used, "%s%s", sep,
				 c->dev[i].name);

		if (n < 0)
			break;
		used += (size_t)n;
	}
}
