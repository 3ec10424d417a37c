# Sourced, not run: the log lines every ci script prints, tagged with its name.
#   source ci/log.sh NAME   # defines say MSG (prints "[NAME] MSG") and
#                           # die MSG (prints "[NAME] FAILED: MSG" to stderr, exits 1)
LOG_TAG=$1
say() { echo "[$LOG_TAG] $*"; }
die() { echo "[$LOG_TAG] FAILED: $*" >&2; exit 1; }
