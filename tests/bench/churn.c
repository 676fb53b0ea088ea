/* SPDX-License-Identifier: MIT */
/* Loopback connection churn for bench-tracefs.sh: PROCS client processes
 * connect to one listener (served by PROCS accepting processes) for SECONDS,
 * in all at RATE connections per second (0: as fast as possible), on PORT
 * if given (else any free one). Prints "<connections> <port>". Built by
 * the benchmark with cc. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 5, rate = argc > 3 ? atof(argv[3]) : 0;
	int procs = argc > 2 ? atoi(argv[2]) : 2, one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	long *counts = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t servers[64], clients[64];
	int lst = socket(AF_INET, SOCK_STREAM, 0);
	long total = 0;

	if (procs < 1 || procs > 64 || lst < 0 || counts == MAP_FAILED)
		return 2;
	setsockopt(lst, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (argc > 4)
		a.sin_port = htons((uint16_t)atoi(argv[4]));
	if (bind(lst, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(lst, 4096) < 0 ||
	    getsockname(lst, (struct sockaddr *)&a, &len) < 0)
		return 2;
	for (int i = 0; i < procs; i++)
		if ((servers[i] = fork()) == 0)
			for (;;) {
				int c = accept(lst, NULL, NULL);
				if (c >= 0)
					close(c);
			}
	for (int i = 0; i < procs; i++) {
		if ((clients[i] = fork()) == 0) {
			double start = now(), per = rate / procs;
			long n = 0;
			while (now() - start < secs) {
				int c;
				if (per > 0 && n >= per * (now() - start)) {
					usleep(500);
					continue;
				}
				c = socket(AF_INET, SOCK_STREAM, 0);
				if (c >= 0 && connect(c, (struct sockaddr *)&a, sizeof(a)) == 0) {
					char b;
					/* Wait for the server's close, so that each side
					 * closes in a known order. */
					if (read(c, &b, 1) >= 0)
						n++;
				}
				close(c);
			}
			counts[i] = n;
			_exit(0);
		}
	}
	for (int i = 0; i < procs; i++) {
		waitpid(clients[i], NULL, 0);
		total += counts[i];
	}
	for (int i = 0; i < procs; i++) {
		kill(servers[i], SIGKILL);
		waitpid(servers[i], NULL, 0);
	}
	printf("%ld %d\n", total, ntohs(a.sin_port));
	return 0;
}
