/* SPDX-License-Identifier: MIT */
/* Running the pipe: the reader thread, the writer thread and the main loop. */
#ifndef TCA_PROCESSOR_H
#define TCA_PROCESSOR_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "plugin-loader.h"
#include "queue.h"
#include "stats.h"

struct processor {
	struct plugin *eventer;
	struct plugin *sinker;
	struct queue queue;
	struct stats stats;

	uint64_t stats_interval_ms;
	uint64_t shutdown_timeout_ms;

	int wake_fd;            /* eventfd: tells the reader to stop polling */
	int done_fd;            /* eventfd: a thread has ended */

	/* Set by the main thread, read by the others. */
	bool stop_reading;
	bool force;             /* second signal: give up on retries */
	bool reopen;            /* SIGHUP: reopen the sink's outputs */
	uint64_t deadline_ms;   /* while stopping: when the writer must give up */

	/* Set by each thread before it ends. */
	bool reader_done;
	bool writer_done;
	int reader_status;      /* exit status the reader asks for, 0 when fine */
	int writer_status;
	bool source_ended;      /* the eventer said -ENODATA */
};

/* Set up the queue and descriptors; the plugins are already open. */
int processor_init(struct processor *p, struct plugin *eventer, struct plugin *sinker,
		   uint64_t queue_memory);
void processor_destroy(struct processor *p);
/* Block the signals the main loop takes over; call before any thread starts. */
int processor_block_signals(void);
/* Run until a signal, the end of the source, or a fatal error. Returns the
 * exit status. */
int processor_run(struct processor *p);

/* In reader.c and writer.c: the thread bodies. */
void *reader_main(void *arg);
void *writer_main(void *arg);
/* Tell the main loop that a thread has ended. */
void processor_thread_done(struct processor *p);

#define flag_get(f) __atomic_load_n(&(f), __ATOMIC_ACQUIRE)
#define flag_set(f, v) __atomic_store_n(&(f), (v), __ATOMIC_RELEASE)

#endif
