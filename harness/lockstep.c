// SPDX-License-Identifier: MIT
/* Two sweeps taking turns (see lockstep.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "env_load.h"
#include "lockstep.h"

static int lockstep_fd = -1;

int lockstep_attach(int fd, char *why, size_t len)
{
	struct stat st;

	if (fd < 0 || fstat(fd, &st)) {
		snprintf(why, len, "descriptor %d is not open", fd);
		return -EBADF;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(why, len, "descriptor %d is no socket", fd);
		return -ENOTSOCK;
	}
	/* the sample processes and tools it runs must not hold it */
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	lockstep_fd = fd;
	return 0;
}

bool lockstep_on(void)
{
	return lockstep_fd >= 0;
}

int lockstep_turn(void)
{
	char c = 'w';
	ssize_t n;
	int err;

	if (lockstep_fd < 0)
		return 0;
	env_load_pause();
	do
		n = send(lockstep_fd, &c, 1, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n == 1) {
		do
			n = read(lockstep_fd, &c, 1);
		while (n < 0 && errno == EINTR);
	}
	/* env_load_resume() reads /proc: keep the socket's errno */
	err = errno;
	env_load_resume();
	if (n < 0)
		return err == EPIPE || err == ECONNRESET ? -EPIPE : -err;
	if (n == 0)
		return -EPIPE;
	return c == 'g' ? 0 : -EPROTO;
}

/* The next message of a sweep: 1 ('w': it waits for a turn), 0 (it has
 * ended), -EINTR (stop), -errno. Polls so a stop signal is seen. */
static int next_message(int fd, volatile sig_atomic_t *stop)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;
	ssize_t n;

	for (;;) {
		if (stop && *stop)
			return -EINTR;
		if (poll(&p, 1, 200) < 0 && errno != EINTR)
			return -errno;
		if (!(p.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == ECONNRESET ? 0 : -errno;
		if (n == 0)
			return 0;
		return c == 'w' ? 1 : -EPROTO;
	}
}

int lockstep_coordinate(const int fds[2], unsigned first,
			volatile sig_atomic_t *stop, unsigned *turns)
{
	bool waiting[2] = { false, false }, ended[2] = { false, false };
	unsigned k = 0;
	int ret = 0;

	*turns = 0;
	while (!ended[0] || !ended[1]) {
		/* the order A B B A A B ... (as passes_abba()): drift that
		 * is linear in time falls on both alike over four turns */
		unsigned s = (first + (k + 1) / 2 % 2) % 2;
		const char go = 'g';

		if (ended[s])
			s = 1 - s;
		if (!waiting[s]) {
			ret = next_message(fds[s], stop);
			if (ret < 0)
				return ret;
			waiting[s] = ret;
			ended[s] = !ret;
			continue;
		}
		if (send(fds[s], &go, 1, MSG_NOSIGNAL) != 1) {
			/* it ended between asking and now */
			waiting[s] = false;
			ended[s] = true;
			continue;
		}
		waiting[s] = false;
		++*turns;
		++k;
		/* its turn lasts until it asks for the next or ends */
		ret = next_message(fds[s], stop);
		if (ret < 0)
			return ret;
		waiting[s] = ret;
		ended[s] = !ret;
	}
	return 0;
}
