/* SPDX-License-Identifier: MIT */
/* Running the pipe: the reader thread, the writer thread and the main loop. */
#ifndef TCA_PROCESSOR_H
#define TCA_PROCESSOR_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "gaps.h"
#include "namerecs.h"
#include "plugin-loader.h"
#include "queue.h"
#include "relay.h"
#include "runstate.h"
#include "spool.h"
#include "stats.h"

/* What each thread is doing, for the watchdog: a thread inside a plugin
 * call for too long is wedged; one waiting for work is idle by design. */
struct heartbeat {
	uint64_t busy_since_ms;  /* CLOCK_MONOTONIC when the current plugin call began; 0: none */
	const char *call;        /* its name, for the log */
};

struct processor {
	struct plugin *eventer;
	struct plugin *sinker;
	struct queue queue;
	struct gaps gaps;
	struct namerecs names;      /* this run's name records, before its events */
	struct stats stats;
	struct runstate runstate;   /* owned by the writer once the threads run */
	struct tca_origin origin;   /* this run: every event the eventer hands over */
	struct spool spool;         /* owned by the writer once the threads run */
	unsigned spool_high_water;  /* % of the queue past which the writer spools */
	uint64_t start_ns;

	uint64_t stats_interval_ms;
	uint64_t shutdown_timeout_ms;

	struct relay relay;         /* a relay eventer's origins and records; else unused */
	bool relaying;              /* the eventer is a relay (TCA_EVF_RELAY) */

	int wake_fd;            /* eventfd: tells the reader to stop polling */
	int settle_fd;          /* eventfd: a relay's settled count moved (-1: no relay) */
	int done_fd;            /* eventfd: a thread has ended */

	/* Set by the main thread, read by the others. */
	bool stop_reading;
	bool force;             /* second signal: give up on retries */
	bool reopen;            /* SIGHUP: reopen the sink's outputs */
	uint64_t deadline_ms;   /* while stopping: when the writer must give up */

	/* Set by the writer, read by the reader and the main thread. */
	uint64_t durable_seq;   /* every seq up to this is stored or in a gap */
	uint64_t last_seq;      /* set by the reader: the last seq given out */

	struct heartbeat reader_beat;
	struct heartbeat writer_beat;
	bool wd_stalled;        /* main thread: the watchdog is held back */
	uint64_t forced_at_ms;  /* when reading was forced to stop; atomic: main and writer set it */

	/* Set by each thread before it ends. */
	bool reader_done;
	bool writer_done;
	int reader_status;      /* exit status the reader asks for, 0 when fine */
	int writer_status;
	bool source_ended;      /* the eventer said -ENODATA */
};

/* Set up the queue and descriptors; the plugins are already open. */
int processor_init(struct processor *p, struct plugin *eventer, struct plugin *sinker,
		   uint64_t queue_memory, const char *state_dir);
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
/* The writer settled more relayed items: let the reader tell the eventer. */
void processor_relay_settled(struct processor *p);
/* The writer cannot store any more: stop the reader at once. */
void processor_stop_reading(struct processor *p);
/* CLOCK_REALTIME in ns since the epoch: the time of gap and run records. */
uint64_t processor_realtime_ns(void);

/* Mark the start and the end of a plugin call, for the watchdog. */
#define heartbeat_enter(hb, name) \
	(__atomic_store_n(&(hb)->call, (name), __ATOMIC_RELAXED), \
	 __atomic_store_n(&(hb)->busy_since_ms, queue_now_ms(), __ATOMIC_RELEASE))
#define heartbeat_leave(hb) __atomic_store_n(&(hb)->busy_since_ms, 0, __ATOMIC_RELEASE)

#define flag_get(f) __atomic_load_n(&(f), __ATOMIC_ACQUIRE)
#define flag_set(f, v) __atomic_store_n(&(f), (v), __ATOMIC_RELEASE)

#endif
