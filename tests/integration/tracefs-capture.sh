#!/bin/bash
# eventer-capture.sh with the tracefs eventer.
TCA_EVENTER=tracefs exec bash "${0%/*}/eventer-capture.sh"
