// SPDX-License-Identifier: MIT
/*
 * A sample's sources and copies outside the timing (sample_files.h):
 * generated, hashed, written back, checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dataset.h"
#include "sample_files.h"
#include "strategies.h"

int sample_files_make_source(const char *path, uint64_t size,
			     const struct run_request *rq, uint64_t index,
			     uint64_t *hash, char *why, size_t len)
{
	/* never follow a link planted in the scratch directory */
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC |
		      O_NOFOLLOW, 0644), ret;

	if (fd < 0)
		return strategy_why(why, len, -errno, "creating source %s: %s",
				    path, strerror(errno));
	ret = dataset_fill(fd, size, rq->content, rq->seed, index);
	if (!ret)
		ret = dataset_hash_fd(fd, size, hash);
	close(fd);
	if (ret) {
		/* a partial source must not be taken for a whole one */
		unlink(path);
		return strategy_why(why, len, ret,
				    "generating source files: %s",
				    strerror(-ret));
	}
	return 0;
}

int sample_files_write_back(int dir_fd, char *why, size_t len)
{
	if (syncfs(dir_fd))
		return strategy_why(why, len, -errno,
				    "writing source files back: %s",
				    strerror(errno));
	return 0;
}

int sample_files_hash_copy(const char *dst, unsigned i, uint64_t size,
			   uint64_t off, uint64_t range, uint64_t *hash,
			   char *why, size_t len)
{
	struct stat st;
	int fd = open(dst, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return strategy_why(why, len, -errno,
				    "verification failed: dst %u: %s", i,
				    strerror(errno));
	if (fstat(fd, &st))
		ret = -errno;
	else if ((uint64_t)st.st_size != size)
		ret = -EBADMSG;
	else
		ret = dataset_hash_mapped(fd, off, range, hash);
	close(fd);
	if (ret == -EBADMSG)
		return strategy_why(why, len, ret, "verification failed: dst "
				    "%u is %lld bytes, expected %llu", i,
				    (long long)st.st_size,
				    (unsigned long long)size);
	if (ret)
		return strategy_why(why, len, ret,
				    "verification failed: dst %u: %s", i,
				    strerror(-ret));
	return 0;
}
