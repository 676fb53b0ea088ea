#!/bin/bash
# eventer-dualstack.sh with the tracefs eventer.
TCA_EVENTER=tracefs exec bash "${0%/*}/eventer-dualstack.sh"
