# plugins/nats: the NATS JetStream transport. Its wire encoding is in lib/
# (lib/wire.c), shared by the sinker and the collector's eventer.
dist_man_MANS += man/tcp-audit-nats.7
