#!/bin/bash
# eventer-capture.sh with the bpf eventer.
TCA_EVENTER=bpf exec bash "${0%/*}/eventer-capture.sh"
