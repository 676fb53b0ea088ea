/* SPDX-License-Identifier: MIT */
/*
 * The benchmark's floor for the tracefs eventer: the least a reader of the
 * same pages can do. A private instance with sock/inet_sock_set_state,
 * the same buffer size and wake-up threshold (buffer_percent 25, woken at
 * least every 100 ms), every CPU's trace_pipe_raw read page by page and
 * its records counted; nothing decoded, merged or attributed.
 * Usage: minreader TRACEFS_DIR INSTANCE [FILTER]; SIGTERM ends it with
 * "events N". FILTER: the event's filter, as the eventer's ports= sets it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_CPUS 256

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int put(const char *dir, const char *file, const char *text)
{
	char path[4096];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n < 0 ? -1 : 0;
}

/* Records in one page as trace_pipe_raw hands it over (64-bit commit). */
static uint64_t count_page(const uint8_t *p, ssize_t size)
{
	uint64_t commit, n = 0;
	size_t pos = 16, end;

	if (size < 16)
		return 0;
	memcpy(&commit, p + 8, 8);
	end = 16 + (size_t)(commit & 0xfffffff);
	if (end > (size_t)size)
		end = (size_t)size;
	while (pos + 4 <= end) {
		uint32_t h, len;
		unsigned type;
		memcpy(&h, p + pos, 4);
		type = h & 31;
		if (type == 29 && (h >> 5) == 0)
			break;
		if (type == 0 || type == 29) {
			if (pos + 8 > end)
				break;
			memcpy(&len, p + pos + 4, 4);
			pos += type == 0 ? 8 + ((len - 4 + 3) & ~3u) : 4 + ((len + 3) & ~3u);
			n += type == 0;
		} else if (type >= 30) {
			pos += 8;
		} else {
			pos += 4 + (size_t)type * 4;
			n++;
		}
	}
	return n;
}

int main(int argc, char **argv)
{
	char inst[4096], path[4096];
	static uint8_t page[1 << 16];
	int fds[MAX_CPUS], ncpus = 0, ep;
	long psize = sysconf(_SC_PAGESIZE);
	uint64_t events = 0;

	if (argc != 3 && argc != 4)
		return 2;
	snprintf(inst, sizeof(inst), "%s/instances/%s", argv[1], argv[2]);
	if (mkdir(inst, 0700) < 0 || put(inst, "buffer_size_kb", "4096") < 0 ||
	    (argc == 4 && put(inst, "events/sock/inet_sock_set_state/filter", argv[3]) < 0) ||
	    put(inst, "events/sock/inet_sock_set_state/enable", "1") < 0 ||
	    put(inst, "buffer_percent", "25") < 0) {
		perror(inst);
		rmdir(inst);
		return 1;
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	ep = epoll_create1(0);
	for (int cpu = 0; cpu < MAX_CPUS; cpu++) {
		struct epoll_event ee = { .events = EPOLLIN };
		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d/trace_pipe_raw", inst, cpu);
		int fd = open(path, O_RDONLY | O_NONBLOCK);
		if (fd < 0)
			break;
		fds[ncpus] = fd;
		ee.data.u32 = (uint32_t)ncpus++;
		epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ee);
	}
	fprintf(stderr, "minreader: capturing on %d CPUs\n", ncpus);
	for (;;) {
		struct epoll_event ee[MAX_CPUS];
		int done = stop;
		if (!done && epoll_wait(ep, ee, MAX_CPUS, 100) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < ncpus; i++) {
			ssize_t n;
			while ((n = read(fds[i], page, (size_t)psize)) > 0)
				events += count_page(page, n);
		}
		if (done)
			break;
	}
	for (int i = 0; i < ncpus; i++)
		close(fds[i]);
	put(inst, "events/sock/inet_sock_set_state/enable", "0");
	rmdir(inst);
	printf("events %llu\n", (unsigned long long)events);
	return 0;
}
