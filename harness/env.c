// SPDX-License-Identifier: MIT
/*
 * Environment probe: host, kernel, CPU and topology (hwloc), memory, and
 * the filesystem, mount and block device under the copy directory.
 * Every probe degrades to "unknown" / 0 / -1; only ENOMEM is an error.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cache.h"
#include "env.h"
#include "env_storage.h"
#include "env_sys.h"
#include "strategies.h"
#include "topology.h"

#define UNKNOWN "unknown"

/* The value of "key<spaces/tabs>: value" in a /proc file. */
static bool proc_field(const char *path, const char *key, char *out,
		       size_t len)
{
	size_t klen = strlen(key);
	char line[512];
	bool found = false;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *v;

		if (strncmp(line, key, klen) ||
		    !strchr(" \t:", line[klen]))
			continue;
		v = strchr(line, ':');
		if (!v)
			continue;
		v += strspn(v + 1, " \t") + 1;
		v[strcspn(v, "\n")] = '\0';
		snprintf(out, len, "%s", v);
		found = *v;
	}
	fclose(f);
	return found;
}

/* *dst = strdup(known ? s : "unknown"); false on ENOMEM. */
static bool set_str(char **dst, bool known, const char *s)
{
	*dst = strdup(known && s && *s ? s : UNKNOWN);
	return *dst != NULL;
}

const char *env_governor(void)
{
	static char governor[64];

	if (!env_read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor",
		       governor, sizeof(governor)))
		return UNKNOWN;
	return governor;
}

static bool probe_host(struct environment *env)
{
	struct utsname u;
	char buf[512];
	bool ok;

	ok = !uname(&u);
	snprintf(buf, sizeof(buf), "%s %s", ok ? u.release : "",
		 ok ? u.version : "");
	if (!set_str(&env->hostname, ok, u.nodename) ||
	    !set_str(&env->kernel, ok, buf))
		return false;
	/* x86 says "model name"; arm64 has no model line, only "CPU part" */
	ok = proc_field("/proc/cpuinfo", "model name", buf, sizeof(buf)) ||
	     proc_field("/proc/cpuinfo", "Processor", buf, sizeof(buf));
	if (!set_str(&env->cpu_model, ok, buf))
		return false;
	if (proc_field("/proc/meminfo", "MemTotal", buf, sizeof(buf)))
		env->mem_total = strtoull(buf, NULL, 10) * 1024; /* "N kB" */
	return true;
}

static void probe_topology(struct environment *env)
{
	struct topology_counts t;

	topology_counts(&t);
	env->packages = t.packages;
	env->numa_nodes = t.numa_nodes;
	env->cores = t.cores;
	env->pus = t.pus;
	env->l3_per_package = t.l3_per_package;
}

/*
 * A block device attribute from sysfs: /sys/dev/block/M:m/<attr>, or the
 * parent disk's (../<attr>) when M:m is a partition, which has no queue/
 * or device/ of its own.
 */
static bool block_attr(unsigned major, unsigned minor, const char *attr,
		       char *out, size_t len)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/%s", major, minor,
		 attr);
	if (env_read_line(path, out, len))
		return true;
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/../%s", major,
		 minor, attr);
	return env_read_line(path, out, len);
}

/* The driver's name ("virtio_blk") for devices with no model string. */
static bool block_driver(unsigned major, unsigned minor, char *out,
			 size_t len)
{
	static const char *const fmts[] = {
		"/sys/dev/block/%u:%u/device/driver",
		"/sys/dev/block/%u:%u/../device/driver",
	};
	char path[128], target[PATH_MAX];

	for (size_t i = 0; i < 2; i++) {
		ssize_t n;
		char *base;

		snprintf(path, sizeof(path), fmts[i], major, minor);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		base = strrchr(target, '/');
		/* a cut name is still a useful hint */
		return snprintf(out, len, "%s", base ? base + 1 : target) > 0;
	}
	return false;
}

/* "mq-deadline" out of "[mq-deadline] kyber none". */
static bool active_scheduler(char *s)
{
	char *open = strchr(s, '['), *close;

	if (!open)
		return *s && !strchr(s, ' ');	/* a lone "none" */
	close = strchr(open, ']');
	if (!close)
		return false;
	*close = '\0';
	memmove(s, open + 1, strlen(open + 1) + 1);
	return true;
}

static bool probe_device(struct environment *env, unsigned major,
			 unsigned minor)
{
	char buf[256];
	bool ok;

	ok = major && (block_attr(major, minor, "device/model", buf,
				  sizeof(buf)) ||
		       block_driver(major, minor, buf, sizeof(buf)));
	if (!set_str(&env->device_model, ok, buf))
		return false;
	ok = major && block_attr(major, minor, "queue/rotational", buf,
				 sizeof(buf));
	env->rotational = ok ? (buf[0] == '1') : -1;
	ok = major && block_attr(major, minor, "queue/scheduler", buf,
				 sizeof(buf)) && active_scheduler(buf);
	if (!set_str(&env->scheduler, ok, buf))
		return false;
	ok = major && block_attr(major, minor, "queue/logical_block_size",
				 buf, sizeof(buf));
	env->logical_block_size = ok ? (unsigned)strtoul(buf, NULL, 10) : 0;
	return true;
}

static bool probe_filesystem(struct environment *env, const char *dir)
{
	struct env_mount *m;
	char real[PATH_MAX];
	bool found, ok;
	int fd;

	if (!set_str(&env->fs_type, true, strategy_fs_name(dir)))
		return false;
	m = calloc(1, sizeof(*m));
	if (!m)
		return false;
	found = realpath(dir, real) && env_find_mount(real, m);
	ok = set_str(&env->mount_options, found, m->options) &&
	     set_str(&env->device, found, m->source) &&
	     probe_device(env, found ? m->major : 0, m->minor);
	free(m);
	fd = strategy_tmpfile(dir, 0);
	if (fd >= 0) {
		strategy_dio_alignment(fd, &env->dio_mem_align,
				       &env->dio_offset_align);
		close(fd);
	}
	return ok;
}

int env_probe_src_dir(const char *dir, struct environment *env)
{
	struct env_mount *m = calloc(1, sizeof(*m));
	char real[PATH_MAX];
	bool found, ok;

	if (!m)
		return -ENOMEM;
	found = realpath(dir, real) && env_find_mount(real, m);
	ok = set_str(&env->src_fs_type, true, strategy_fs_name(dir)) &&
	     set_str(&env->src_device, found, m->source);
	free(m);
	return ok ? 0 : -ENOMEM;
}

bool env_ext4_without_journal(const char *dir)
{
	char link[PATH_MAX], target[PATH_MAX], jbd[PATH_MAX + 32];
	const char *name;
	struct stat st;
	ssize_t n;

	if (strcmp(strategy_fs_name(dir), "ext4") || stat(dir, &st) ||
	    access("/proc/fs/jbd2", F_OK))
		return false;
	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u",
		 major(st.st_dev), minor(st.st_dev));
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	name = strrchr(target, '/');
	name = name ? name + 1 : target;
	snprintf(jbd, sizeof(jbd), "/proc/fs/jbd2/%s-8", name);
	return access(jbd, F_OK) != 0;
}

int env_probe(const char *dir, struct environment *env)
{
	memset(env, 0, sizeof(*env));
	env->rotational = -1;
	probe_topology(env);
	if (!probe_host(env) || !probe_filesystem(env, dir) ||
	    !set_str(&env->governor, true, env_governor()) ||
	    !set_str(&env->cache_probe, true, cache_probe_name()) ||
	    env_storage_probe(dir, &env->storage)) {
		results_free_environment(env);
		return -ENOMEM;
	}
	return 0;
}
