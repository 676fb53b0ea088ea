#!/bin/bash
# eventer-dualstack.sh with the bpf eventer.
TCA_EVENTER=bpf exec bash "${0%/*}/eventer-dualstack.sh"
