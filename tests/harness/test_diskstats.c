// SPDX-License-Identifier: MIT
/*
 * diskstats_*: parsing canned /proc/diskstats text (current, old and
 * partition-only formats), deltas across a 32-bit wrap, the device chain
 * on a synthetic sysfs tree (dm -> partition -> disk), and on a real loop
 * device made here (skipped without root or loop support): O_DIRECT
 * bytes written and read show up in the deltas of the loop device, of a
 * partition on it and of its disk.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/loop.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "diskstats.h"
#include "strategies.h"

static const char canned[] =
	"   7       0 loop0 515 0 581607 2884 578 7 630237 6945 0 1080 "
	"10043 0 0 0 0 27 213\n"
	" 254       0 vda 1200 30 96000 700 3400 120 800000 9000 2 4100 "
	"9900 10 0 2048 5 60 40\n"
	" 254       1 vda1 1100 30 88000 650 3300 120 790000 8900 0 4000 "
	"9800\n"
	"   8      17 sdb1 44 5000 66 7000\n"
	"   8      32 sdc 12 x 1 2\n";

static void parse_reads_every_field(void **state)
{
	struct diskstats_counters c;

	(void)state;
	assert_int_equal(diskstats_parse(canned, 254, 0, &c), 0);
	assert_true(c.present);
	assert_int_equal(c.reads, 1200);
	assert_int_equal(c.read_merges, 30);
	assert_int_equal(diskstats_read_bytes(&c), 96000ull * 512);
	assert_int_equal(c.read_ms, 700);
	assert_int_equal(c.writes, 3400);
	assert_int_equal(c.write_merges, 120);
	assert_int_equal(diskstats_write_bytes(&c), 800000ull * 512);
	assert_int_equal(c.write_ms, 9000);
	assert_int_equal(c.in_flight, 2);
	assert_int_equal(c.busy_ms, 4100);
	assert_int_equal(c.queue_ms, 9900);
	assert_int_equal(c.discards, 10);
	assert_int_equal(c.discard_sectors, 2048);
	assert_int_equal(c.flushes, 60);
	assert_int_equal(c.flush_ms, 40);
}

static void parse_old_and_partition_formats(void **state)
{
	struct diskstats_counters c;

	(void)state;
	/* 11 fields (before 4.18): no discard or flush counters */
	assert_int_equal(diskstats_parse(canned, 254, 1, &c), 0);
	assert_int_equal(c.writes, 3300);
	assert_int_equal(c.queue_ms, 9800);
	assert_int_equal(c.discards, 0);
	/* 4 fields: reads, read sectors, writes, write sectors */
	assert_int_equal(diskstats_parse(canned, 8, 17, &c), 0);
	assert_int_equal(c.reads, 44);
	assert_int_equal(c.read_sectors, 5000);
	assert_int_equal(c.writes, 66);
	assert_int_equal(c.write_sectors, 7000);
	assert_int_equal(diskstats_parse(canned, 8, 32, &c), -EINVAL);
	assert_int_equal(diskstats_parse(canned, 9, 9, &c), -ENOENT);
	assert_false(c.present);
}

static void delta_subtracts_and_unwraps(void **state)
{
	struct diskstats_chain chain = { .n = 2 };
	struct diskstats_snapshot a, b, d;

	(void)state;
	chain.dev[0].major = 254;
	chain.dev[1].major = 99; /* no line: not present */
	assert_int_equal(diskstats_snapshot(&chain, canned, &a), 0);
	b = a;
	b.dev[0].write_sectors += 2048;
	b.dev[0].writes += 2;
	b.dev[0].in_flight = 0;
	a.dev[0].busy_ms = 4294967000u;
	b.dev[0].busy_ms = 100; /* wrapped at 2^32 */
	diskstats_delta(&a, &b, &d);
	assert_int_equal(d.n, 2);
	assert_true(d.dev[0].present);
	assert_false(d.dev[1].present);
	assert_int_equal(diskstats_write_bytes(&d.dev[0]), 2048 * 512);
	assert_int_equal(d.dev[0].writes, 2);
	assert_int_equal(d.dev[0].reads, 0);
	assert_int_equal(d.dev[0].busy_ms, 396);
	assert_int_equal(d.dev[0].in_flight, 0);
}

/* ---- a synthetic sysfs: dm-0 on sda1, a partition of sda ---- */

static char fake_root[PATH_MAX];

static void mk(const char *fmt, const char *content)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", fake_root, fmt);
	if (content) {
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs(content, f);
		fclose(f);
	} else {
		assert_int_equal(mkdir(path, 0755), 0);
	}
}

static void ln(const char *target, const char *name)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", fake_root, name);
	assert_int_equal(symlink(target, path), 0);
}

static void chain_follows_dm_and_partitions(void **state)
{
	static const char *const dirs[] = {
		"dev",
		"dev/block",
		"class",
		"class/block",
		"devices",
		"devices/pci",
		"devices/pci/block",
		"devices/pci/block/sda",
		"devices/pci/block/sda/sda1",
		"devices/virtual",
		"devices/virtual/block",
		"devices/virtual/block/dm-0",
		"devices/virtual/block/dm-0/slaves",
	};
	struct diskstats_chain c;
	char why[256], desc[128], cmd[PATH_MAX + 16];

	(void)state;
	snprintf(fake_root, sizeof(fake_root), "/tmp/iobench-sysfs-XXXXXX");
	assert_non_null(mkdtemp(fake_root));
	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++)
		mk(dirs[i], NULL);
	mk("devices/pci/block/sda/dev", "8:0\n");
	mk("devices/pci/block/sda/sda1/dev", "8:1\n");
	mk("devices/pci/block/sda/sda1/partition", "1\n");
	mk("devices/virtual/block/dm-0/dev", "253:0\n");
	ln("../../devices/pci/block/sda", "dev/block/8:0");
	ln("../../devices/pci/block/sda/sda1", "dev/block/8:1");
	ln("../../devices/virtual/block/dm-0", "dev/block/253:0");
	ln("../../devices/pci/block/sda/sda1", "class/block/sda1");
	ln("../../../../pci/block/sda/sda1",
	   "devices/virtual/block/dm-0/slaves/sda1");

	assert_int_equal(
		diskstats_resolve_dev(fake_root, 253, 0, &c, why, sizeof(why)),
		0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.dev[0].name, "dm-0");
	assert_int_equal(c.dev[0].role, DISKSTATS_FILESYSTEM);
	assert_string_equal(c.dev[1].name, "sda1");
	assert_int_equal(c.dev[1].role, DISKSTATS_SLAVE);
	assert_int_equal(c.dev[1].depth, 1);
	assert_string_equal(c.dev[2].name, "sda");
	assert_int_equal(c.dev[2].role, DISKSTATS_WHOLE_DISK);
	assert_int_equal(c.dev[2].major, 8);
	assert_int_equal(c.dev[2].minor, 0);
	diskstats_chain_desc(&c, desc, sizeof(desc));
	assert_string_equal(desc, "dm-0 -> sda1 -> sda");

	/* a whole disk is a chain of one */
	assert_int_equal(
		diskstats_resolve_dev(fake_root, 8, 0, &c, why, sizeof(why)),
		0);
	assert_int_equal(c.n, 1);
	assert_int_equal(
		diskstats_resolve_dev(fake_root, 8, 5, &c, why, sizeof(why)),
		-ENODEV);
	assert_non_null(strstr(why, "8:5"));
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fake_root);
	assert_int_equal(system(cmd), 0);
}

static void no_block_device_is_named(void **state)
{
	struct diskstats_chain c;
	char why[256] = "";

	(void)state;
	assert_int_equal(diskstats_resolve_dir("/proc", &c, why, sizeof(why)),
			 -ENODEV);
	assert_non_null(strstr(why, "proc"));
	assert_int_equal(c.n, 0);
}

/* ---- a real loop device ---- */

struct loop {
	int fd; /* the loop device, autoclear on close */
	int num;
	char img[PATH_MAX];
};

static bool skip_loop(const char *why)
{
	printf("SKIP real loop device: %s\n", why);
	return false;
}

/* A 16 MiB image with an MBR: one partition from 1 MiB, 8 MiB long. */
static int make_image(const char *path)
{
	unsigned char mbr[512] = { 0 };
	uint32_t start = 2048, sectors = 16384;
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		return -errno;
	mbr[446 + 4] = 0x83;
	memcpy(mbr + 446 + 8, &start, 4);
	memcpy(mbr + 446 + 12, &sectors, 4);
	mbr[510] = 0x55;
	mbr[511] = 0xaa;
	if (ftruncate(fd, 16 << 20) || pwrite(fd, mbr, 512, 0) != 512) {
		close(fd);
		return -errno;
	}
	return fd;
}

static bool attach_loop(struct loop *l)
{
	const char *dir = getenv("IOBENCH_TEST_DIR");
	struct loop_config cfg = { 0 };
	int ctl, img, tries;

	if (geteuid())
		return skip_loop("needs root");
	snprintf(l->img, sizeof(l->img), "%s/iobench-loop-XXXXXX",
		 dir ? dir : "/var/tmp");
	img = mkstemp(l->img);
	if (img < 0)
		return skip_loop("cannot create the image file");
	close(img);
	unlink(l->img);
	img = make_image(l->img);
	if (img < 0)
		return skip_loop("cannot write the image file");
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		close(img);
		unlink(l->img);
		return skip_loop("no /dev/loop-control");
	}
	cfg.fd = (unsigned)img;
	cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR | LO_FLAGS_PARTSCAN;
	/* another test may take the free device between the two calls */
	for (tries = 0, l->fd = -1; tries < 10 && l->fd < 0; tries++) {
		char dev[32];

		l->num = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (l->num < 0)
			break;
		snprintf(dev, sizeof(dev), "/dev/loop%d", l->num);
		l->fd = open(dev, O_RDWR | O_CLOEXEC);
		if (l->fd >= 0 && ioctl(l->fd, LOOP_CONFIGURE, &cfg)) {
			close(l->fd);
			l->fd = -1;
			if (errno != EBUSY)
				break;
		}
	}
	close(ctl);
	close(img);
	if (l->fd < 0) {
		unlink(l->img);
		return skip_loop("LOOP_CONFIGURE refused here");
	}
	return true;
}

static void detach_loop(struct loop *l)
{
	ioctl(l->fd, LOOP_CLR_FD, 0);
	close(l->fd);
	unlink(l->img);
}

/* O_DIRECT writes then reads `bytes` at offset 0 of the block device
 * `path`, between snapshots of chain c; returns the two deltas. */
static void direct_io_deltas(const char *path, const struct diskstats_chain *c,
			     size_t bytes, struct diskstats_snapshot *wr,
			     struct diskstats_snapshot *rd)
{
	struct diskstats_snapshot a, b;
	char *buf = strategy_alloc_aligned(4096, bytes);
	int fd = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);

	assert_non_null(buf);
	assert_true(fd >= 0);
	memset(buf, 0x5a, bytes);
	assert_int_equal(diskstats_snapshot(c, NULL, &a), 0);
	assert_int_equal(pwrite(fd, buf, bytes, 0), (ssize_t)bytes);
	assert_int_equal(fsync(fd), 0);
	assert_int_equal(diskstats_snapshot(c, NULL, &b), 0);
	diskstats_delta(&a, &b, wr);
	assert_int_equal(pread(fd, buf, bytes, 0), (ssize_t)bytes);
	assert_int_equal(diskstats_snapshot(c, NULL, &a), 0);
	diskstats_delta(&b, &a, rd);
	close(fd);
	free(buf);
}

/* The partition's sysfs node appears after the partition scan. */
static bool wait_partition(int num, unsigned *major, unsigned *minor)
{
	char path[64], buf[32];

	snprintf(path, sizeof(path), "/sys/block/loop%d/loop%dp1/dev", num,
		 num);
	for (int i = 0; i < 200; i++) {
		FILE *f = fopen(path, "re");

		if (f) {
			bool ok = fgets(buf, sizeof(buf), f) &&
				  sscanf(buf, "%u:%u", major, minor) == 2;

			fclose(f);
			if (ok)
				return true;
		}
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
	return false;
}

static void loop_device_deltas_cover_direct_io(void **state)
{
	enum { BYTES = 4 << 20 };
	struct diskstats_snapshot wr, rd;
	struct diskstats_chain c;
	struct loop l;
	struct stat dev, img;
	char why[256], path[64];
	unsigned pmaj, pmin;

	(void)state;
	if (!attach_loop(&l))
		skip();
	snprintf(path, sizeof(path), "/dev/loop%d", l.num);
	assert_int_equal(stat(path, &dev), 0);
	assert_int_equal(stat(getenv("IOBENCH_TEST_DIR")
				      ? getenv("IOBENCH_TEST_DIR")
				      : "/var/tmp",
			      &img),
			 0);
	assert_int_equal(diskstats_resolve_dev(NULL, major(dev.st_rdev),
					       minor(dev.st_rdev), &c, why,
					       sizeof(why)),
			 0);
	assert_true(c.n >= 1);
	snprintf(path, sizeof(path), "loop%d", l.num);
	assert_string_equal(c.dev[0].name, path);
	/* the backing file's filesystem device, where it has one */
	if (major(img.st_dev)) {
		assert_true(c.n >= 2);
		assert_int_equal(c.dev[1].role, DISKSTATS_LOOP_BACKING);
		assert_int_equal(c.dev[1].major, major(img.st_dev));
		assert_int_equal(c.dev[1].minor, minor(img.st_dev));
	}
	snprintf(path, sizeof(path), "/dev/loop%d", l.num);
	direct_io_deltas(path, &c, BYTES, &wr, &rd);
	assert_true(wr.dev[0].present);
	if (diskstats_write_bytes(&wr.dev[0]) < BYTES)
		fail_msg("loop write delta %llu < %d",
			 (unsigned long long)diskstats_write_bytes(&wr.dev[0]),
			 BYTES);
	assert_true(wr.dev[0].writes >= 1);
	if (diskstats_read_bytes(&rd.dev[0]) < BYTES)
		fail_msg("loop read delta %llu < %d",
			 (unsigned long long)diskstats_read_bytes(&rd.dev[0]),
			 BYTES);

	/* the partition: its own line and its disk's both count the I/O */
	if (!wait_partition(l.num, &pmaj, &pmin)) {
		printf("note: no partition scan here, partition not checked\n");
		detach_loop(&l);
		return;
	}
	assert_int_equal(
		diskstats_resolve_dev(NULL, pmaj, pmin, &c, why, sizeof(why)),
		0);
	assert_true(c.n >= 2);
	assert_int_equal(c.dev[1].role, DISKSTATS_WHOLE_DISK);
	assert_int_equal(c.dev[1].major, major(dev.st_rdev));
	assert_int_equal(c.dev[1].minor, minor(dev.st_rdev));
	snprintf(path, sizeof(path), "/dev/loop%dp1", l.num);
	if (access(path, F_OK)) {
		printf("note: no %s node, partition I/O not checked\n", path);
		detach_loop(&l);
		return;
	}
	direct_io_deltas(path, &c, BYTES, &wr, &rd);
	assert_true(diskstats_write_bytes(&wr.dev[0]) >= BYTES);
	assert_true(diskstats_write_bytes(&wr.dev[1]) >= BYTES);
	assert_true(diskstats_read_bytes(&rd.dev[0]) >= BYTES);
	assert_true(diskstats_read_bytes(&rd.dev[1]) >= BYTES);
	detach_loop(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_reads_every_field),
		cmocka_unit_test(parse_old_and_partition_formats),
		cmocka_unit_test(delta_subtracts_and_unwraps),
		cmocka_unit_test(chain_follows_dm_and_partitions),
		cmocka_unit_test(no_block_device_is_named),
		cmocka_unit_test(loop_device_deltas_cover_direct_io),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
