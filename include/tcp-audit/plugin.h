/* SPDX-License-Identifier: MIT */
/*
 * tcp-audit plugin ABI: the one header a plugin needs.
 *
 * A plugin is a shared object that exports exactly one symbol,
 * TCA_PLUGIN_SYMBOL ("tcp_audit_plugin"), a const struct tca_plugin.
 * Nothing runs at load time: the processor dlopen()s the file, reads the
 * descriptor, checks abi_major and struct_size, and only then calls open().
 *
 * ABI history (bump TCA_ABI_MAJOR on any incompatible change, and
 * TCA_ABI_MINOR when something is appended in a compatible way):
 *   1.0  first version: batched eventer read / sinker write, table-driven
 *        options, host services with logging and run identity.
 *   2.0  evidence-grade pipeline:
 *        - eventer read() fills a struct tca_read, which can report losses
 *          at the point in the stream where they happened (tca_loss);
 *        - the optional eventer stop() ends recording before the final
 *          drain, so that the final count is the last word;
 *        - the eventer's descriptor says which optional fields it fills
 *          (provides) and whether it wants back-pressure instead of drops;
 *        - sinker write() takes a struct tca_batch, which carries the
 *          events' origin (host, boot, run), and returns how many events
 *          it stored, so that a partial write is reported exactly;
 *        - gap and run records (write_gaps(), write_run()), so that a
 *          store can prove its own completeness;
 *        - flush() is gone: what write() reports stored is stored;
 *        - host->retry_reason() says why a write must be retried, and the
 *          processor alone logs outages and backs off;
 *        - tca_event.owner says whose pid and comm an event carries;
 *        - gap reason TCA_GAP_SPOOL: events lost in the processor's disk
 *          spool (a damaged record, found and cut before replay).
 *   2.1  restarts and relays:
 *        - struct tca_host gains state_dir and flags (TCA_HOST_CHECK,
 *          TCA_HOST_RELEASE), so that an eventer can keep its kernel state
 *          for the next run and hand it over; an eventer that does sets
 *          TCA_EVF_RELEASE, and only such a one is opened for --release;
 *        - eventer flag TCA_EVF_RELAY (a collector reading what other
 *          hosts captured): read() hands over events that keep their own
 *          origin and seq, with the gap and run records of those origins
 *          (the relay fields at the end of struct tca_read), and the sink
 *          stores them under that origin;
 *        - for such an eventer, tca_read.settled counts every item it
 *          handed over (events and records), and the optional settle()
 *          at the end of the descriptor gives it the final count.
 *   2.2  name records:
 *        - struct tca_name says what an id in the events stands for (a
 *          cgroup id's path), as it was when the eventer met it; an
 *          eventer hands names through the name fields at the end of
 *          struct tca_read, a relay eventer as TCA_RELAY_NAME records;
 *        - the optional sinker write_names() at the end of the
 *          descriptor stores them; the processor orders them before the
 *          events that carry the id, and spools them with the events.
 *
 * Compatibility: a plugin is loaded when its abi_major equals
 * TCA_ABI_MAJOR and its struct_size is at least TCA_PLUGIN_MIN_SIZE.
 * A plugin built against an older minor version has a smaller struct_size:
 * the processor reads the fields it lacks as zero (absent, or "no").
 * A plugin built against a newer minor version has a larger one: the
 * processor ignores what it does not know. The same rule holds for
 * struct tca_host, which the processor gives to the plugin.
 */
#ifndef TCP_AUDIT_PLUGIN_H
#define TCP_AUDIT_PLUGIN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TCA_ABI_MAJOR 2
#define TCA_ABI_MINOR 2

/* The name of the one symbol every plugin exports. */
#define TCA_PLUGIN_SYMBOL "tcp_audit_plugin"

/* ------------------------------------------------------------------ */
/* The event record                                                    */
/* ------------------------------------------------------------------ */

/* Kernel TCP state numbers (include/net/tcp_states.h); the names used in
 * every output are these without the TCP_ prefix. */
enum tca_state {
	TCA_STATE_UNKNOWN = 0,
	TCA_STATE_ESTABLISHED = 1,
	TCA_STATE_SYN_SENT = 2,
	TCA_STATE_SYN_RECV = 3,
	TCA_STATE_FIN_WAIT1 = 4,
	TCA_STATE_FIN_WAIT2 = 5,
	TCA_STATE_TIME_WAIT = 6,
	TCA_STATE_CLOSE = 7,
	TCA_STATE_CLOSE_WAIT = 8,
	TCA_STATE_LAST_ACK = 9,
	TCA_STATE_LISTEN = 10,
	TCA_STATE_CLOSING = 11,
	TCA_STATE_NEW_SYN_RECV = 12,
	TCA_STATE_MAX = 12,
};

enum tca_family {
	TCA_FAMILY_IPV4 = 4,
	TCA_FAMILY_IPV6 = 6,
};

/* IANA protocol numbers, as the kernel reports them. */
enum tca_protocol {
	TCA_PROTO_TCP = 6,
	TCA_PROTO_SCTP = 132,
	TCA_PROTO_MPTCP = 262,
};

/* Which optional fields of struct tca_event are meaningful. A field whose
 * flag is clear is unknown and must be written as null or left out, never
 * as zero. */
enum tca_event_flags {
	TCA_EV_PID = 1u << 0,      /* pid and comm */
	TCA_EV_NETNS = 1u << 1,    /* netns */
	TCA_EV_CGROUP = 1u << 2,   /* cgroup */
	TCA_EV_UID = 1u << 3,      /* uid */
	TCA_EV_BYTES = 1u << 4,    /* bytes_sent and bytes_received */
	TCA_EV_LIFETIME = 1u << 5, /* lifetime_ns */
};

/* Whose pid and comm an event carries (struct tca_event.owner). */
enum tca_owner {
	TCA_OWNER_UNKNOWN = 0,  /* no owner known: TCA_EV_PID is clear */
	TCA_OWNER_HOLDER = 1,   /* the task that holds the socket, seen in process context */
	TCA_OWNER_LISTENER = 2, /* the owner of the listener it was accepted from, not yet seen holding it */
};

#define TCA_COMM_LEN 16

/*
 * One change of state of one socket. Fixed size and free of pointers, so
 * that batches move by memcpy and the queue needs no allocation per event.
 * Addresses are in network byte order; an IPv4 address fills the first
 * four bytes of saddr/daddr and the rest is zero. Ports are in host order.
 */
struct tca_event {
	uint64_t time_ns;  /* kernel timestamp, ns since the Unix epoch, UTC */
	uint64_t sock;     /* opaque id, stable for one socket's life */
	uint64_t seq;      /* per-run sequence from 1, set by the processor
			    * (by a TCA_EVF_RELAY eventer: the origin's seq) */
	uint32_t flags;    /* enum tca_event_flags */
	int32_t pid;       /* owner of the socket, if TCA_EV_PID */
	char comm[TCA_COMM_LEN]; /* NUL-terminated, if TCA_EV_PID */
	uint8_t family;    /* enum tca_family */
	uint8_t oldstate;  /* enum tca_state */
	uint8_t newstate;  /* enum tca_state */
	uint8_t owner;     /* enum tca_owner: whose pid/comm this is, if TCA_EV_PID */
	uint16_t protocol; /* enum tca_protocol */
	uint16_t sport;
	uint16_t dport;
	uint16_t reserved1;
	uint32_t uid;      /* if TCA_EV_UID */
	uint8_t saddr[16];
	uint8_t daddr[16];
	uint64_t netns;    /* network namespace inode, if TCA_EV_NETNS */
	uint64_t cgroup;   /* cgroup v2 id, if TCA_EV_CGROUP */
	uint64_t bytes_sent;     /* if TCA_EV_BYTES */
	uint64_t bytes_received; /* if TCA_EV_BYTES */
	uint64_t lifetime_ns;    /* if TCA_EV_LIFETIME */
	uint64_t reserved2[2];   /* zero; room for later enrichment */
};

/* ------------------------------------------------------------------ */
/* Options                                                             */
/* ------------------------------------------------------------------ */

/*
 * Each plugin describes its options in a table. The processor parses
 * KEY=VALUE pairs from the command line and the config file against it,
 * rejects keys the table does not name, converts each value to its type,
 * and stores it at .offset inside a config struct of .config_size bytes,
 * which open() then receives. Strings stay valid until close().
 */
enum tca_opt_type {
	TCA_OPT_STRING = 1,   /* const char *; NULL when unset with no default */
	TCA_OPT_BOOL,         /* bool: yes/no, true/false, on/off, 1/0 */
	TCA_OPT_INT,          /* int64_t within [min, max] */
	TCA_OPT_SIZE,         /* uint64_t bytes: 512, 64K, 16M, 1G */
	TCA_OPT_DURATION,     /* uint64_t milliseconds: 250ms, 5s, 2m, 1h, 7d */
};

/* tca_option.flags */
#define TCA_OPTF_SECRET 1u /* may hold a password: the processor never prints it */

struct tca_option {
	const char *name;     /* lowercase, words joined by '_' */
	enum tca_opt_type type;
	const char *def;      /* default, in the same syntax as the user's; or NULL */
	const char *help;     /* one line, shown by --list-plugins -v */
	size_t offset;        /* where the parsed value goes in the config struct */
	int64_t min, max;     /* TCA_OPT_INT only; both 0 means unbounded */
	unsigned flags;       /* TCA_OPTF_* */
};

/* ------------------------------------------------------------------ */
/* Origin, gaps and runs: what lets a store prove its completeness     */
/* ------------------------------------------------------------------ */

/*
 * Who captured an event: the host, its boot and the run of tcp-audit.
 * Together with tca_event.seq it is the event's identity, which a sink
 * uses to make a retried write idempotent. It travels with each batch,
 * so that a relay or a replayed spool keeps the identity of the run that
 * captured the events, not the one that stores them.
 */
struct tca_origin {
	const char *host;     /* hostname */
	const char *boot_id;  /* /proc/sys/kernel/random/boot_id of that host */
	uint64_t run_id;      /* random, new at every start, below 2^63 */
};

/* Why events are missing. The names (tca_gap_reason_name() in the
 * processor, and every store) are the lowercase words after TCA_GAP_. */
enum tca_gap_reason {
	TCA_GAP_KERNEL = 1,      /* the kernel overwrote them before they were read */
	TCA_GAP_SOURCE = 2,      /* the eventer lost them some other way */
	TCA_GAP_QUEUE_FULL = 3,  /* read, but the memory queue was full */
	TCA_GAP_UNFLUSHED = 4,   /* still queued when the run ended (store down, deadline, forced) */
	TCA_GAP_REFUSED = 5,     /* the store refused them for good (bad data) */
	TCA_GAP_UNCLEAN_END = 6, /* the run ended without a clean stop (crash, SIGKILL,
				  * power loss): what came after first_seq is unknown */
	TCA_GAP_SPOOL = 7,       /* spooled on disk, but found damaged there (a torn
				  * tail after a crash, a changed file), or dropped
				  * from a full spool */
	TCA_GAP_REASON_MAX = 7,
};

/*
 * A gap record: the events first_seq .. first_seq + count - 1 of run run_id
 * are missing, for the reason given. Every seq a run gives out is either a
 * stored event or inside a gap, so that for a run that ended cleanly,
 * stored events + the counts of its gaps = its last_seq. count == 0 means
 * the number is unknown (TCA_GAP_UNCLEAN_END, and TCA_GAP_SPOOL for a
 * damaged spool record, whose seqs cannot be read): the record is then
 * incomplete from first_seq on, and says so.
 */
struct tca_gap {
	uint64_t run_id;     /* the run the events belong to (same host) */
	uint64_t first_seq;
	uint64_t count;      /* 0: unknown */
	uint64_t time_ns;    /* when the loss was noticed, ns since the epoch, UTC */
	uint32_t reason;     /* enum tca_gap_reason */
	int32_t cpu;         /* the CPU whose buffer overran (TCA_GAP_KERNEL), or -1 */
};

enum tca_run_state {
	TCA_RUN_RUNNING = 1,  /* started, not yet ended */
	TCA_RUN_CLEAN = 2,    /* stopped by a signal or the end of its source; last_seq is exact */
	TCA_RUN_FAILED = 3,   /* stopped on a fatal error; last_seq is exact */
	TCA_RUN_UNCLEAN = 4,  /* found later to have ended without a word; last_seq unknown (0) */
};

/*
 * A run record: written when a run starts (RUNNING), when it ends (CLEAN
 * or FAILED, with last_seq), and when the next run finds that it never
 * ended (UNCLEAN). A store keeps one row per run and updates it; runs of a
 * host chain through prev_run_id, so a missing run shows as a hole.
 */
struct tca_run {
	struct tca_origin origin;
	uint64_t prev_run_id;  /* the run before this one on this host; 0: none known */
	uint64_t start_ns;     /* ns since the epoch, UTC */
	uint64_t end_ns;       /* 0 while running, or unknown */
	uint64_t last_seq;     /* the last seq given out; 0 while running, or unknown */
	uint32_t state;        /* enum tca_run_state */
	uint32_t reserved;
};

/* ------------------------------------------------------------------ */
/* Names: what an id in the events stands for (ABI 2.2)                */
/* ------------------------------------------------------------------ */

/* What a name record names (struct tca_name.kind). The names (in every
 * store) are the lowercase words after TCA_NAME_. */
enum tca_name_kind {
	TCA_NAME_CGROUP = 1,  /* id: a cgroup v2 id (tca_event.cgroup); text: the
			       * cgroup's path below the cgroup2 mount, such as
			       * "/system.slice/nginx.service" */
	TCA_NAME_KIND_MAX = 1,
};

/* The longest text of a name, with its NUL (a cgroup path is a path). */
#define TCA_NAME_MAX 4096

/*
 * A name record: the id of that kind stood for text when the eventer
 * resolved it, at time_ns. A cgroup may be renamed or removed later, and
 * its events keep only the id: the record keeps what it was. An eventer
 * hands a name over before the first event of the run that carries the
 * id (again in a later run: it is harmless), and the processor stores it
 * before those events. A store keeps one per (host, boot, kind, id),
 * idempotent: the first text stored stays.
 */
struct tca_name {
	uint32_t kind;       /* enum tca_name_kind */
	uint32_t origin;     /* unused, 0: a relay's TCA_RELAY_NAME record names its
			      * origin in the record (tca_relay_rec.origin) */
	uint64_t id;
	uint64_t time_ns;    /* when it was resolved, ns since the epoch, UTC */
	uint64_t run_id;     /* the run that resolved it (write_names(): set by the processor) */
	const char *text;    /* NUL-terminated, shorter than TCA_NAME_MAX; it must stay
			      * valid until the eventer's next read() (or close()):
			      * the processor copies it after read() returns */
};

/* ------------------------------------------------------------------ */
/* Services the processor gives each plugin                            */
/* ------------------------------------------------------------------ */

/* syslog(3) priorities. */
#define TCA_LOG_ERR 3
#define TCA_LOG_WARNING 4
#define TCA_LOG_NOTICE 5
#define TCA_LOG_INFO 6
#define TCA_LOG_DEBUG 7

struct tca_host {
	uint32_t abi_major;
	uint32_t abi_minor;
	size_t struct_size;

	/* Log one line, tagged with the plugin's name. errnum is a positive
	 * errno value to attach, or 0. Never pass a password. */
	void (*log)(const struct tca_host *host, int priority, int errnum,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

	/* This run's identity; a sinker takes the events' origin from each
	 * batch instead, which may be another run's (a spool, a relay). */
	const char *hostname;
	const char *boot_id;  /* /proc/sys/kernel/random/boot_id */
	uint64_t run_id;      /* random, new at every start */

	/* A sinker about to return "retry later" says why, in a few words
	 * ("connection refused", "disk full"), with errnum as in log(). The
	 * processor logs it once when an outage starts and again only when
	 * the reason changes: a sink never logs its own outages. */
	void (*retry_reason)(const struct tca_host *host, int errnum, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));

	/* The optional fields (enum tca_event_flags) that the eventer of this
	 * run says it fills; a sinker may leave out the columns of the rest. */
	uint32_t eventer_provides;

	void *priv;           /* the processor's; plugins leave it alone */

	/* Since 2.1 (zero from an older processor: no state directory, no
	 * flags). A private directory that outlives the run (mode 0700),
	 * where an eventer may keep what the next run needs to continue this
	 * one; NULL: none, every run starts afresh. */
	const char *state_dir;
	uint32_t flags;       /* TCA_HOST_* */
};

/* tca_host.flags */
#define TCA_HOST_CHECK 1u   /* --check: open to validate, then close; touch no
			     * state that an earlier run kept for the next one */
#define TCA_HOST_RELEASE 2u /* --release: open() removes what earlier runs kept
			     * for a next one (kernel buffers, state files) and
			     * returns 0 with *state NULL, capturing nothing */

#ifdef __GNUC__
#define tca_log(host, prio, errnum, ...) ((host)->log((host), (prio), (errnum), __VA_ARGS__))
#define tca_retry_reason(host, errnum, ...) ((host)->retry_reason((host), (errnum), __VA_ARGS__))
#endif

/* ------------------------------------------------------------------ */
/* The descriptor                                                      */
/* ------------------------------------------------------------------ */

enum tca_plugin_kind {
	TCA_KIND_EVENTER = 1,
	TCA_KIND_SINKER = 2,
};

/* Counters a plugin reports; the processor folds them into its own. */
struct tca_plugin_stats {
	/* Eventer: every event the source lost so far, including those it
	 * reported in tca_read.loss. The processor records any part of this
	 * count that read() did not report as a TCA_GAP_SOURCE (or, with
	 * TCA_EVF_KERNEL_LOSS, TCA_GAP_KERNEL) gap where it notices it.
	 * Sinker: unused (a sink reports refusals through write()). */
	uint64_t lost;
	/* Sockets whose table entry was evicted while they may still live:
	 * such a socket's later events carry a new id. */
	uint64_t evicted;
	uint64_t reserved[6];
};

/* A loss an eventer reports at its place in the stream: count events
 * were lost just before ev[at] (at == n: after the last one). */
struct tca_loss {
	uint32_t at;
	int32_t cpu;          /* -1 when not per CPU */
	uint32_t reason;      /* TCA_GAP_KERNEL or TCA_GAP_SOURCE */
	uint32_t reserved;
	uint64_t count;       /* must be > 0 */
	uint64_t time_ns;     /* when it happened, as nearly as known; 0: now */
};

/* ABI 2.1: what a relay record is (struct tca_relay_rec.type). */
enum tca_relay_type {
	TCA_RELAY_GAP = 1,    /* u.gap: a gap record of that origin's host */
	TCA_RELAY_RUN = 2,    /* u.run: a run record; its origin is taken from .origin */
	TCA_RELAY_NAME = 3,   /* u.name (ABI 2.2): a name record of that origin's host;
			       * u.name.origin is ignored */
};

/* ABI 2.1: a gap or run record that a relay eventer hands over, at its
 * place in the stream: just before ev[at] (at == n: after the last). */
struct tca_relay_rec {
	uint32_t at;
	uint32_t type;        /* enum tca_relay_type */
	uint32_t origin;      /* index into tca_read.origin[] */
	uint32_t reserved;
	union {
		struct tca_gap gap;
		struct tca_run run; /* run.origin is ignored */
		struct tca_name name; /* ABI 2.2 */
	} u;
};

/*
 * What one eventer read() fills. The processor sets the first group, the
 * eventer the second. seq is given by the processor to every event and
 * every lost event before anything can drop one.
 */
struct tca_read {
	/* in */
	/* Where the events go: it may be another place at every call (often
	 * the processor's queue itself, so that nothing is copied), and it
	 * holds earlier events there, so fill every field of each event. */
	struct tca_event *ev;
	size_t cap;             /* room in ev[] */
	struct tca_loss *loss;
	size_t loss_cap;        /* room in loss[]; when it is full, stop early */
	/* How many of the events this eventer handed over so far (counted
	 * from 1 in the order of handing over) are settled downstream: each
	 * one durably stored or recorded in a gap. An eventer whose source
	 * can replay (a message queue) acknowledges upstream only these. It
	 * is updated before every call, so no callback crosses threads.
	 * For a TCA_EVF_RELAY eventer it counts items: every event and every
	 * relay record, in the order of handing over (records before ev[at]
	 * come before it); see the relay fields below. */
	uint64_t settled;
	/* out */
	size_t n;               /* events filled */
	size_t nloss;           /* losses filled */

	/*
	 * ABI 2.1, for an eventer with TCA_EVF_RELAY only (zero and NULL for
	 * any other; a relay eventer refuses to open when host->abi_minor is
	 * 0, since an older processor has no such fields). It sets ev[i].seq
	 * itself, to the seq the origin gave the event, and the processor
	 * keeps it. Every event and record names its origin by an index into
	 * origin[], whose strings must stay valid until read() returns: the
	 * processor copies what it keeps. Of the items handed over, the
	 * first `settled` are settled: each event stored under its origin
	 * (or, refused by the store for good, recorded as a TCA_GAP_REFUSED
	 * gap of its origin, which is stored), each record stored. The
	 * processor never drops a relayed item: with this flag it waits for
	 * room as with TCA_EVF_BACKPRESSURE, it does not spool them, and what
	 * is unstored at exit is simply not settled (the source must deliver
	 * it again; no gap record claims it lost). Losses in r->loss are the
	 * relay's own (a message it could not decode) and are recorded under
	 * the processor's own run, not counted in `settled`.
	 */
	/* in */
	struct tca_origin *origin;  /* room for origin_cap origins */
	size_t origin_cap;
	uint32_t *ev_origin;        /* room for cap: ev_origin[i] is ev[i]'s origin */
	struct tca_relay_rec *rec;  /* room for rec_cap records */
	size_t rec_cap;             /* when it is full, stop early */
	/* out */
	size_t norigin;             /* origins filled */
	size_t nrec;                /* records filled, in order of .at */

	/*
	 * ABI 2.2: name records (struct tca_name) of an eventer that is not
	 * a relay; a relay hands them as TCA_RELAY_NAME records instead. An
	 * eventer uses them only when host->abi_minor >= 2 (an older
	 * processor's struct ends before them). The processor stores the
	 * names of a call before any event of the call, so a name goes in
	 * the call whose events first carry its id; when name[] is full,
	 * stop early, before the first event whose id has no name yet.
	 * The processor copies the texts after read() returns and before
	 * it calls read() again, so they must stay valid until then (keep
	 * them in the eventer's state, not on read()'s stack).
	 */
	/* in */
	struct tca_name *name;      /* room for name_cap names */
	size_t name_cap;
	/* out */
	size_t nname;               /* names filled */
};

/* What a sinker wants from the writer; open() may change the defaults. */
struct tca_sink_limits {
	size_t batch_max;      /* most events in one write() */
	uint64_t max_delay_ms; /* longest an event waits for a batch to fill */
};

/* One sinker write(): events of one origin, in seq order (seq may skip
 * where a gap is). */
struct tca_batch {
	const struct tca_origin *origin;
	const struct tca_event *ev;
	size_t n;
};

/* tca_plugin.flags */
#define TCA_EVF_BACKPRESSURE 1u /* eventer: when the queue is full, wait, do not drop
				 * (a source that holds its own backlog, e.g. a stream) */
#define TCA_EVF_KERNEL_LOSS 2u  /* eventer: losses in stats.lost are the kernel's */
#define TCA_EVF_RELEASE 4u      /* eventer (ABI 2.1): keeps state for the next run in
				 * host->state_dir, and frees it when opened with
				 * TCA_HOST_RELEASE; without it, --release opens nothing */
#define TCA_EVF_RELAY 8u        /* eventer (2.1): hands over other runs' events and
				 * records, with their origin (see struct tca_read) */

/*
 * Return codes: every function returns >= 0 on success or a negative
 * errno value. Some values have a special meaning:
 *   eventer read() returning -ENODATA: the source has ended for good
 *     (a replayed file); the processor drains and stops.
 *   sinker write(), write_gaps() and write_run() returning -EAGAIN:
 *     nothing more was stored, try again later (database down, disk full,
 *     locked); say why with host->retry_reason() first. The processor
 *     keeps what is unstored, backs off and retries, and logs the outage.
 *   sinker write() returning -EBADMSG: the store refuses this batch for
 *     good (bad data, not an outage) and stored none of it. The processor
 *     splits the batch to find the refused events and records them as a
 *     TCA_GAP_REFUSED gap, so one bad row never stops the daemon.
 *   Any other negative value is fatal: the processor stops.
 */
struct tca_eventer_ops {
	/* The descriptor to poll(2) for POLLIN. read() is called when it is
	 * readable; at shutdown it is called until it returns 0, so that what
	 * the source already holds is not lost. */
	int (*fd)(void *state);
	/* Fill r->ev with up to r->cap events and r->loss with up to
	 * r->loss_cap losses; never block. Returns r->n (0: none now). */
	ssize_t (*read)(void *state, struct tca_read *r);
	/* Stop recording (optional): called once at shutdown, before the
	 * final drain, so that what the drain reads, and the final count of
	 * losses, is the last word. */
	int (*stop)(void *state);
};

struct tca_sinker_ops {
	/* Store the batch. Returns how many events, from the first on, are
	 * now durably stored: b->n, or 0 < r < n when the store took only the
	 * first r (the processor keeps the rest and retries them, as for
	 * -EAGAIN), or a negative errno as above. A batch, or its rest, may be
	 * written again after a failure whose outcome was unknown, so a store
	 * must be idempotent by (origin, seq). */
	int (*write)(void *state, const struct tca_batch *b);
	/* Store gap records of the batch's host (all or none; idempotent by
	 * run_id, first_seq and reason). Optional: a store without it cannot
	 * prove completeness, and --check says so. */
	int (*write_gaps)(void *state, const struct tca_origin *origin, const struct tca_gap *g,
			  size_t n);
	/* Store or update the record of a run (idempotent by host and
	 * run id; a later state replaces an earlier one). Optional, as above. */
	int (*write_run)(void *state, const struct tca_run *run);
	/* Reopen output files after log rotation, on SIGHUP (optional). */
	int (*reopen)(void *state);
	/* Tell the writer the batching the store wants (optional). */
	void (*limits)(void *state, struct tca_sink_limits *limits);
};

struct tca_plugin {
	uint32_t abi_major;       /* TCA_ABI_MAJOR */
	uint32_t abi_minor;       /* TCA_ABI_MINOR */
	size_t struct_size;       /* sizeof(struct tca_plugin) */
	enum tca_plugin_kind kind;
	const char *name;         /* the name users give to --event/--sink */
	const char *version;
	const char *description;  /* one line */

	const struct tca_option *options; /* terminated by an entry with name NULL */
	size_t config_size;

	/* Validate the config and acquire resources. On success store the
	 * plugin's state in *state. Errors are logged through host->log with
	 * the cause and the fix, then returned as -errno. */
	int (*open)(const struct tca_host *host, const void *config, void **state);
	void (*close)(void *state);
	void (*stats)(void *state, struct tca_plugin_stats *stats); /* optional */

	union {
		struct tca_eventer_ops eventer;
		struct tca_sinker_ops sinker;
	} ops;

	uint32_t flags;           /* TCA_EVF_* */
	uint32_t provides;        /* eventer: the enum tca_event_flags it can fill */

	/* ABI 2.1, a TCA_EVF_RELAY eventer (optional): called once at the end
	 * of the run, from the main thread after the reader and the writer
	 * have stopped and before close(), with the final count of settled
	 * items (as tca_read.settled), so that the last ones are acknowledged
	 * upstream. */
	void (*settle)(void *state, uint64_t settled);

	/* ABI 2.2, a sinker (optional): store name records of the origin's
	 * host (all or none; idempotent by host, boot, kind and id: the first
	 * text stored stays; the texts are valid only during the call).
	 * Return codes as for write_gaps(). Without it,
	 * the store keeps ids only, and --check says so. */
	int (*write_names)(void *state, const struct tca_origin *origin, const struct tca_name *name,
			   size_t n);
};

/* The smallest descriptor of ABI 2: everything up to and including ops.
 * Fields after it are read as zero from a plugin whose struct_size ends
 * before them. */
#define TCA_PLUGIN_MIN_SIZE (offsetof(struct tca_plugin, ops) + sizeof(((struct tca_plugin *)0)->ops))

/* Fill in the versioning fields of a descriptor. */
#define TCA_PLUGIN_HEADER                         \
	.abi_major = TCA_ABI_MAJOR,               \
	.abi_minor = TCA_ABI_MINOR,               \
	.struct_size = sizeof(struct tca_plugin)

/* Mark the descriptor as the plugin's one exported symbol. */
#define TCA_PLUGIN_EXPORT __attribute__((visibility("default")))

#ifdef __cplusplus
}
#endif

#endif /* TCP_AUDIT_PLUGIN_H */
