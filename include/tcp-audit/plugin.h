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
 */
#ifndef TCP_AUDIT_PLUGIN_H
#define TCP_AUDIT_PLUGIN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TCA_ABI_MAJOR 1
#define TCA_ABI_MINOR 0

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
	uint64_t seq;      /* per-run sequence, set by the processor */
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

	/* Who this run is: together with tca_event.seq these make an event's
	 * identity, so that a sink can make retried writes idempotent. */
	const char *hostname;
	const char *boot_id;  /* /proc/sys/kernel/random/boot_id */
	uint64_t run_id;      /* random, new at every start */

	void *priv;           /* the processor's; plugins leave it alone */
};

#ifdef __GNUC__
#define tca_log(host, prio, errnum, ...) ((host)->log((host), (prio), (errnum), __VA_ARGS__))
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
	uint64_t lost;     /* events the source or store lost, e.g. kernel overruns */
	uint64_t errors;   /* failed operations that were retried or skipped */
	uint64_t reserved[6];
};

/* What a sinker wants from the writer; open() may change the defaults. */
struct tca_sink_limits {
	size_t batch_max;      /* most events in one write() */
	uint64_t max_delay_ms; /* longest an event waits for a batch to fill */
};

/*
 * Return codes: every function returns >= 0 on success or a negative
 * errno value. Two values have a special meaning:
 *   eventer read() returning -ENODATA: the source has ended for good
 *     (a replayed file); the processor drains and stops.
 *   sinker write() returning -EAGAIN: nothing was stored, try the same
 *     batch again later (database down, disk full, locked). The processor
 *     keeps the batch and retries with backoff. Any other negative value
 *     is fatal.
 */
struct tca_eventer_ops {
	/* The descriptor to poll(2) for POLLIN. read() is called when it is
	 * readable; at shutdown it is called until it returns 0, so that what
	 * the source already holds is not lost. */
	int (*fd)(void *state);
	/* Fill up to cap events, never block. Returns how many (0: none now). */
	ssize_t (*read)(void *state, struct tca_event *ev, size_t cap);
};

struct tca_sinker_ops {
	/* Store all n events, or none of them and return -EAGAIN. The batch
	 * may be retried after a failure whose outcome is unknown, so a store
	 * must make writes idempotent by (boot_id, run_id, seq). */
	int (*write)(void *state, const struct tca_event *ev, size_t n);
	/* Push buffered output down to the store (optional). */
	int (*flush)(void *state);
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
};

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
