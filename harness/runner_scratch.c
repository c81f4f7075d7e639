// SPDX-License-Identifier: MIT
/*
 * The runner's scratch directories (--dir, --src-dir), one fresh
 * directory per sample, and the generated sources of the size being run.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>

#include "cache.h"
#include "clock.h"
#include "dataset.h"
#include "ranks.h"
#include "runner_internal.h"
#include "sample_files.h"
#include "scratch.h"
#include "source_tree.h"
#include "strategies.h"
#include "targets.h"
#include "tree_copy.h"

void runner_src_path(const struct runner *r, size_t i, bool cold, char *out,
		     size_t len)
{
	snprintf(out, len, "%s/src-%zu-%zu%s",
		 r->src_top[0] ? r->src_scratch : r->scratch, r->size_idx, i,
		 cold ? "-cold" : "");
}

/* Removes a scratch top (closing *data_fd, its data-* directory): the
 * data-* directory and any sample directory an interrupted sample left,
 * then the top. */
static void remove_top(const char *path, int *data_fd)
{
	int top = path[0] ? open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
				 O_NOFOLLOW) : -1;
	struct dirent *de;
	DIR *d;

	if (*data_fd >= 0)
		close(*data_fd);
	*data_fd = -1;
	d = top >= 0 ? fdopendir(top) : NULL;
	if (!d && top >= 0)
		close(top);
	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			tree_copy_remove(dirfd(d), de->d_name);
	if (d)
		closedir(d);
	if (path[0])
		scratch_release(path);
}

/* Removes the scratch directory, --src-dir's and every target's. */
void runner_remove_scratch(struct runner *r)
{
	/* --dir A,B: every other target's first */
	for (size_t t = 0; r->sites && t < targets_count(&r->run->request);
	     t++)
		if (t != r->site)
			remove_top(r->sites[t].top, &r->sites[t].scratch_fd);
	remove_top(r->top, &r->scratch_fd);
	remove_top(r->src_top, &r->src_fd);
}

/* Empty files a candidate data directory's probe creates, and how many
 * candidates a scratch directory tries (see open_data_dir()). */
#define PROBE_FILES 64
#define PROBE_PLACES 3
#define PROBE_MIN_INODES 100000

double runner_probe_creates(int dirfd, const char *dir)
{
	char name[32];
	double t0;
	int pfd;

	if (mkdirat(dirfd, dir, 0700))
		return INFINITY;
	pfd = openat(dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0)
		return INFINITY;
	t0 = clock_now();
	for (int i = 0; i < PROBE_FILES; i++) {
		int fd;

		snprintf(name, sizeof(name), "p-%02d", i);
		fd = openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			    0600);
		if (fd < 0) {
			close(pfd);
			return INFINITY;
		}
		close(fd);
	}
	t0 = (clock_now() - t0) / PROBE_FILES;
	close(pfd);
	return t0;
}

/* Makes and opens top/data-RANDOM. 0 or -errno. */
static int make_data_dir(const char *top, char *data, size_t len,
			 int *data_fd)
{
	uint32_t salt;

	*data_fd = -1;
	/* a random name: ext4 picks a TOPDIR child's group from a hash of
	 * its name, so a fixed name would land every run in the same group,
	 * next to the previous runs' deleted inodes (measured: 200-300 us
	 * per 1K file with a fixed name, 14-18 us with random ones) */
	if (getrandom(&salt, sizeof(salt), 0) != sizeof(salt))
		salt = (uint32_t)getpid() ^ (uint32_t)time(NULL);
	if (snprintf(data, len, "%s/data-%08x", top, salt) >= (int)len)
		return -ENAMETOOLONG;
	if (mkdir(data, 0700))
		return -errno;
	*data_fd = open(data, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*data_fd < 0) {
		int ret = -errno;

		rmdir(data);
		return ret;
	}
	return 0;
}

/*
 * Creates top/data-RANDOM and opens it as the scratch directory. top gets
 * the ext4 "top of directory hierarchy" flag (FS_TOPDIR_FL; ignored where
 * unsupported), so the allocator spreads its child to a block group of
 * its own rather than next to its parent. On ext4 without a journal new
 * inodes skip those deleted in the last 1-6 minutes (recently_deleted()
 * in ialloc.c), and --dir's own group may hold thousands of them (a
 * previous run's scratch files): creating 1K files there measured 111 us
 * per file against 9 us in a fresh group.
 *
 * A random group can still be such a group - the one the previous run,
 * or compare REF's previous pair of passes, emptied seconds ago: then
 * every copy of the run creates its file there and the whole run is
 * slower (compare REF, 1M copies: 1 sweep in about 15 ran all its cells
 * 20-35% slower than the other binary's, sample after sample, its data
 * directory in the group next to the other's). So PROBE_PLACES data
 * directories are made and PROBE_FILES empty files created in each
 * (runner_probe_creates(), under a millisecond in a fresh group); the
 * fastest is used, the others stay empty until the run ends (on a
 * filesystem with fewer than PROBE_MIN_INODES free inodes, one place,
 * not probed). 0 or -errno.
 */
static int open_data_dir(const char *top, char *data, size_t len,
			 int *data_fd, double *probe)
{
	int fd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC), flags;
	char cand[PATH_MAX];
	double best = INFINITY;
	struct statvfs vfs;
	int ret = 0, places = PROBE_PLACES;

	if (fd < 0)
		return -errno;
	if (!ioctl(fd, FS_IOC_GETFLAGS, &flags)) {
		flags |= FS_TOPDIR_FL;
		(void)ioctl(fd, FS_IOC_SETFLAGS, &flags);
	}
	close(fd);
	/* a filesystem short of inodes (a small tmpfs) is not probed: the
	 * probes' 200 inodes could be the run's */
	if (!statvfs(top, &vfs) && vfs.f_files &&
	    vfs.f_favail < PROBE_MIN_INODES)
		places = 1;
	*data_fd = -1;
	for (int i = 0; i < places; i++) {
		double t;

		ret = make_data_dir(top, cand, sizeof(cand), &fd);
		if (ret && *data_fd >= 0)
			ret = 0;	/* no room for another: the best made */
		if (ret || fd < 0)
			break;
		t = places > 1 ? runner_probe_creates(fd, "probe") : 0;
		if (*data_fd < 0 || t < best) {
			if (*data_fd >= 0)
				close(*data_fd);
			*data_fd = fd;
			best = t;
			if (snprintf(data, len, "%s", cand) >= (int)len)
				ret = -ENAMETOOLONG;
		} else {
			close(fd);
		}
		if (ret)
			break;
	}
	/* what was made stays until the run ends: the scratch removal
	 * takes it (nothing deleted now, in no group) */
	if (*data_fd >= 0 && !ret) {
		*probe = isfinite(best) ? best : 0;
		return 0;
	}
	if (*data_fd >= 0)
		close(*data_fd);
	*data_fd = -1;
	return ret ? ret : -EIO;
}

/* Makes DIR/iobench-XXXXXX (owner-marked) and its data-* directory in
 * top and data; err says what failed. 0 or -errno (nothing left). */
int runner_make_scratch(const char *dir, char *top, char *data, size_t len,
			int *data_fd, struct sample_home *home, char *err,
			size_t err_len)
{
	int ret = scratch_make_top(dir, "iobench", top, len);
	double probe = 0;

	if (ret) {
		top[0] = '\0';
		return strategy_why(err, err_len, ret, "creating a scratch "
				    "directory in %s: %s", dir,
				    strerror(-ret));
	}
	ret = open_data_dir(top, data, len, data_fd, &probe);
	if (ret) {
		strategy_why(err, err_len, ret, "creating a directory in "
			     "%s: %s", top, strerror(-ret));
		scratch_release(top);
		top[0] = '\0';
		return ret;
	}
	if (home) {
		memset(home, 0, sizeof(*home));
		snprintf(home->dir, sizeof(home->dir), "%s", data);
		home->probe = probe;
	}
	return 0;
}

/* Makes parent/PREFIX-RANDOM in path (len bytes). 0 or -errno. */
static int make_random_dir(const char *parent, const char *prefix,
			   char *path, size_t len)
{
	/* emptied sample directories stay until the run ends: a random
	 * name may be taken */
	for (int tries = 0; tries < 16; tries++) {
		uint32_t salt;

		if (getrandom(&salt, sizeof(salt), 0) != sizeof(salt))
			salt = (uint32_t)clock_now() ^ (uint32_t)getpid() ^
			       (uint32_t)tries;
		if (snprintf(path, len, "%s/%s-%08x", parent, prefix, salt) >=
		    (int)len)
			return -ENAMETOOLONG;
		if (!mkdir(path, 0700))
			return 0;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

/* Test-only (tests/faults): IOBENCH_FAULT=slow-creates:N makes the
 * first N probes of home_fast() read as slow, so a test can show the
 * sample directories move and the run goes on. */
static bool fault_slow_creates(void)
{
	static int left = -1;
	const char *f = getenv("IOBENCH_FAULT");

	if (left < 0)
		left = f && !strncmp(f, "slow-creates:", 13) ?
		       atoi(f + 13) : 0;
	return left > 0 && left--;
}

/*
 * Whether creating files next to the new directory dir is as fast as in
 * the home when it was made. A data directory's children stay in its
 * flex block group only while that has more than about 3/4 of the
 * average free inodes (ext4's Orlov allocator); past that, about 33,000
 * files in (a default sweep copies 100,000), each new sample directory
 * goes to the next flex group with room - which may be one whose inodes
 * the previous run freed on exit seconds ago, where every create skips
 * them (see open_data_dir()). Measured: a run started right after
 * another ran its 1K and 1M copies 1.5-4.8x slower from its second or
 * fourth round on, 30-80 us more per file. So the first directory in
 * each new range of inode numbers is probed as the data directory was
 * (PROBE_FILES creates, beside it): slower than twice the data
 * directory's probe and by over 10 us a file, the home moves.
 */
static bool home_fast(struct sample_home *home, const char *dir)
{
	char probe[PATH_MAX];
	struct stat st;
	uint64_t region;
	double t;
	int fd;

	if (home->probe <= 0 || home->moves >= SAMPLE_HOME_MOVES ||
	    stat(dir, &st))
		return true;
	region = (uint64_t)st.st_ino >> SAMPLE_HOME_SHIFT;
	for (size_t i = 0; i < home->n_fast; i++)
		if (home->fast[i] == region)
			return true;
	if (home->n_fast == SAMPLE_HOME_REGIONS)
		return true;
	/* the probe's directory, made right after dir beside it, lands
	 * with it; its files stay until the run ends */
	if (make_random_dir(home->dir, "p", probe, sizeof(probe)))
		return true;
	fd = open(probe, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	t = fd >= 0 ? runner_probe_creates(fd, "probe") : 0;
	if (fd >= 0)
		close(fd);
	if (fault_slow_creates())
		t = 2 * home->probe + 20e-6;
	if (!isfinite(t) || t <= 2 * home->probe ||
	    t - home->probe <= 10e-6) {
		home->fast[home->n_fast++] = region;
		return true;
	}
	if (t > home->slowest)
		home->slowest = t;
	return false;
}

/*
 * Every sample writes its destinations into a directory of its own, made
 * right before it and emptied right after it (untimed), so every sample
 * starts from the same state (no policy changes mid-run):
 *  - the destinations' page-cache pages are freed, and the next sample
 *    reuses them; on a VM, pages the host has not backed yet make page-
 *    cache writes up to 10x slower (33 vs 300 ms for 100M measured here),
 *    so keeping finished files made later samples slow once they had
 *    used up the recycled pages;
 *  - no inode is freed until the run ends (runner_keep_inodes()): ext4
 *    without a journal skips, for each new inode, every inode freed in
 *    the last 60-300 s in its block group, so removing each sample's files
 *    made the next samples' creates 2-10x slower, by an amount that moved
 *    with the sample order;
 *  - the sample directories live in the data directory, not beside it:
 *    a run's inodes stay in the few block groups of its data directory
 *    (itself placed at random by the TOPDIR flag of the top), so the
 *    files the previous run removed on exit, minutes ago, are most
 *    likely in other groups. Spread over every group (under the top),
 *    the next back-to-back run created its 4K files 10-20x slower
 *    (100-350 vs 10-16 ms per 256 files, ext4 without a journal).
 * The sample directories that land in a new range of inode numbers are
 * probed (home_fast()). dir receives the directory's path. 0 or -errno.
 */
int runner_make_sample_dir(struct runner *r, char *dir, size_t len)
{
	struct sample_home *home = &r->home;
	int ret;

	if (!home->dir[0])
		snprintf(home->dir, sizeof(home->dir), "%s", r->scratch);
	for (;;) {
		char data[PATH_MAX];
		double probe;
		int fd;

		ret = make_random_dir(home->dir, "s", dir, len);
		if (ret || home_fast(home, dir))
			return ret;
		/* the slow directory stays, empty, until the run ends; the
		 * next ones go into a fresh data directory, itself the
		 * fastest of PROBE_PLACES */
		home->moves++;
		if (open_data_dir(r->top, data, sizeof(data), &fd, &probe))
			continue;
		close(fd);
		snprintf(home->dir, sizeof(home->dir), "%s", data);
		home->n_fast = 0;
	}
}

/* The sample directories that moved (runner_make_sample_dir()), in the
 * run's warnings: nothing was measured where creates had slowed, but
 * the machine's state is part of what a run records. */
void runner_note_home_moves(const struct runner *r)
{
	size_t nt = r->sites ? targets_count(&r->run->request) : 1;

	for (size_t t = 0; t < nt; t++) {
		bool cur = t == r->site;
		const struct sample_home *h = cur ? &r->home :
						    &r->sites[t].home;

		if (h->moves)
			results_add_warning(r->run, "sample directories moved "
					    "to a fresh place %u time%s in %s: "
					    "creating files where they had "
					    "landed took %.0f us each against "
					    "%.0f us at the start (inodes "
					    "freed minutes ago nearby, ext4 "
					    "without a journal)", h->moves,
					    h->moves == 1 ? "" : "s",
					    cur ? r->top : r->sites[t].top,
					    h->slowest * 1e6, h->probe * 1e6);
	}
}

/*
 * Whether the size's used files can be emptied (truncated to 0 bytes,
 * which frees their pages and blocks) and kept until the run ends,
 * rather than removed after each sample: when `files` more inodes fit in
 * half of the filesystem's free ones (no limit: yes).
 *
 * Why: ext4 without a journal does not reuse an inode freed in the last
 * 60 s (300 s while its inode-table block is dirty; RECENTCY_MIN, 5 s
 * in older kernels). Each new inode's
 * search skips every such inode of its block group, one buffer-cache
 * lookup each (find_inode_bit -> recently_deleted), so a sample creating
 * files right after earlier samples removed theirs paid for each of
 * those removals: 256 copies of 4 KiB took 9-100 ms of system time, the
 * same copies (profile: recently_deleted and find_get_block_common 18%
 * of the run). Freed blocks have no such rule, so emptying keeps every
 * sample's state the same.
 */
bool runner_keep_inodes(const struct runner *r, uint64_t files)
{
	struct statvfs vfs;

	if (fstatvfs(r->scratch_fd, &vfs))
		return false;
	return !vfs.f_files || files <= vfs.f_favail / 2;
}

void runner_retire_sample_dir(const struct runner *r, const char *dir)
{
	if (r->keep_inodes)
		tree_copy_empty(AT_FDCWD, dir);
	else
		tree_copy_remove(AT_FDCWD, dir);
}

void runner_remove_sources(struct runner *r)
{
	char p[FILE_PATH_MAX];

	if (r->ranks) {
		ranks_remove_sources(r->ranks);
		return;
	}
	for (size_t i = 0; i < r->n_sources; i++)
		for (int cold = 0; cold <= r->cold_pool; cold++) {
			runner_src_path(r, i, cold, p, sizeof(p));
			/* names are per size: an emptied source stays until
			 * the run ends, like the sample directories */
			if (r->keep_inodes)
				tree_copy_empty(AT_FDCWD, p);
			else
				unlink(p);
		}
	r->n_sources = 0;
}

/* Makes sure sources 0..want-1 of the current size exist, with their
 * hashes. Generation and hashing are untimed; the new files are written
 * back so their writeback does not land in a later timed region. */
int runner_ensure_sources(struct runner *r, size_t want, char *why, size_t len)
{
	const struct run_request *rq = &r->run->request;
	size_t first = r->n_sources;
	char p[FILE_PATH_MAX];
	int ret;

	if (r->ranks)
		return ranks_sources(r->ranks, r->size, r->size_idx, want, why,
				     len);
	if (want <= r->n_sources)
		return 0;
	if (want > r->cap_sources) {
		uint64_t *h = realloc(r->hashes, want * sizeof(*h));

		if (!h)
			return strategy_why(why, len, -ENOMEM,
					    "generating sources: %s",
					    strerror(ENOMEM));
		r->hashes = h;
		r->cap_sources = want;
	}
	for (size_t i = first; i < want; i++) {
		runner_src_path(r, i, false, p, sizeof(p));
		ret = sample_files_make_source(p, r->size, rq, i,
					       &r->hashes[i], why, len);
		if (!ret && r->cold_pool) {
			/* the cold cells' copy: the same content, generated
			 * again from the seed (hashes[i] verifies both) */
			uint64_t h = 0;

			runner_src_path(r, i, true, p, sizeof(p));
			ret = sample_files_make_source(p, r->size, rq, i, &h,
						       why, len);
			if (!ret && h != r->hashes[i])
				ret = strategy_why(why, len, -EIO,
						   "generating sources: %s "
						   "differs from its warm "
						   "copy", p);
		}
		if (ret)
			return ret;
		r->n_sources = i + 1;
	}
	ret = sample_files_write_back(r->src_top[0] ? r->src_fd :
				      r->scratch_fd, why, len);
	/* written back, then evicted: a source is cached in folios of the
	 * sizes its writes made, and a warm sample finds it read back in
	 * those of the warm-up's reads instead - every warm sample alike,
	 * as after a cold sample (runner_sample.c) */
	for (size_t i = first; !ret && i < want; i++)
		for (int cold = 0; cold <= r->cold_pool; cold++) {
			runner_src_path(r, i, cold, p, sizeof(p));
			runner_evict_source(r, i, p);
		}
	return ret;
}

void runner_evict_source(const struct runner *r, size_t i, const char *path)
{
	int fd = r->tree ? source_tree_open(r->tree, i, 0)
			 : open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (r->tree)
		/* no fdatasync: a user's dirty pages are not ours */
		(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	else
		(void)cache_evict_fd(fd);
	close(fd);
}

/* --source, --dataset: the scanned tree's files are the sources and
 * their hashes, taken before the run, what every copy is verified
 * against. */
int runner_use_tree(struct runner *r, const struct source_tree *t, char *err,
		    size_t len)
{
	if (!t)
		return strategy_why(err, len, -EINVAL, "the tree was not "
				    "scanned");
	free(r->hashes);
	r->hashes = malloc(t->n_files * sizeof(*r->hashes));
	if (!r->hashes)
		return strategy_why(err, len, -ENOMEM, "%s", strerror(ENOMEM));
	for (size_t i = 0; i < t->n_files; i++)
		r->hashes[i] = t->files[i].hash;
	r->cap_sources = t->n_files;
	r->tree = t;
	return 0;
}
