#!/bin/bash
# tracefs-owners.sh (real servers: forking, nginx, PostgreSQL) with the bpf eventer.
TCA_OWNERS_EVENTER=bpf exec bash "${0%/*}/tracefs-owners.sh"
