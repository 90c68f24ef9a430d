# kmsim-args.sh - what kmsim-plot and kmsim-report share: their messages
# and the parsing of their common options and operand.
#
# The build copies this file into both scripts where they read it (the
# line marked KMSIM_ARGS); run from the source tree, they read it from
# beside themselves.  The script defines before it: prog, version,
# usage() (the --help text), and own_option() for its own options: called
# with the remaining arguments at an option the common ones are not, it
# sets own_shift to how many arguments it took (0: none, not its option).

note() {
	printf '%s: %s\n' "$prog" "$*" >&2
}

die() {
	note "$*"
	exit 1
}

usage_error() {
	note "$*"
	usage >&2
	exit 2
}

is_uint() {
	case $1 in
	'' | *[!0-9]*) return 1 ;;
	esac
	return 0
}

### Options

db=
out=
have_out=0
runs=
quiet=0

set_db() {
	[ -z "$db" ] || usage_error "more than one database given: '$db' and '$1'"
	[ -n "$1" ] || usage_error "empty database name"
	db=$1
}

add_run() {
	if ! is_uint "$1" || ! [ "$1" -gt 0 ] 2>/dev/null; then
		usage_error "run id '$1' is not a positive number"
	fi
	case " $runs " in
	*" $1 "*) ;;
	*) runs="${runs:+$runs }$1" ;;
	esac
}

needs_arg() {
	[ "$1" -ge 2 ] || usage_error "option '$2' needs an argument"
}

# parse_args "$@": -o/--output (out, have_out), -r/--run (runs),
# -q/--quiet (quiet), -h, -V, the script's own options, and the database
# (db, required).
parse_args() {
	while [ $# -gt 0 ]; do
		case $1 in
		-o | --output) needs_arg $# "$1"; out=$2; have_out=1; shift 2 ;;
		--output=*) out=${1#*=}; have_out=1; shift ;;
		-r | --run) needs_arg $# "$1"; add_run "$2"; shift 2 ;;
		--run=*) add_run "${1#*=}"; shift ;;
		-q | --quiet) quiet=1; shift ;;
		-h | --help) usage; exit 0 ;;
		-V | --version) echo "$prog $version"; exit 0 ;;
		--) shift; break ;;
		-?*)
			own_shift=0
			own_option "$@"
			[ "$own_shift" -gt 0 ] ||
				usage_error "unknown option '$1'"
			shift "$own_shift"
			;;
		*) set_db "$1"; shift ;;
		esac
	done
	for arg; do
		set_db "$arg"
	done
	[ -n "$db" ] || usage_error "no database given"
}

### The database

# q SQL: print the rows of SQL, columns separated by tabs (the script sets
# sqlite and TAB).  The database is opened only after it was seen to
# exist, so sqlite3 never creates one.
q() {
	"$sqlite" -batch -bail -noheader -separator "$TAB" \
	    -cmd '.timeout 60000' "$db" "$1" </dev/null
}

# open_db: check that db is a kmsim database of the schema this script
# reads and that the runs asked for are in it; runs becomes the runs to
# show (all when none was asked for), run_list the same with commas.
open_db() {
	[ -e "$db" ] || die "cannot open '$db': no such file"
	[ ! -d "$db" ] || die "'$db' is a directory, not a database"
	[ -r "$db" ] || die "cannot read '$db'"
	creator=$(q "select value from meta where key = 'creator'" 2>/dev/null) ||
		creator=
	[ "$creator" = kmsim ] || die "'$db' is not a kmsim database"
	schema=$(q "select value from meta where key = 'schema_version'") ||
		die "cannot read '$db'"
	is_uint "$schema" || die "'$db' has no schema version"
	[ "$schema" -le 1 ] ||
		die "'$db' has schema version $schema; this $prog reads version 1"

	all_runs=$(q "select group_concat(run_id, ' ')
	    from (select run_id from runs order by run_id)") ||
		die "cannot read the runs of '$db'"
	[ -n "$all_runs" ] || die "'$db' has no runs"
	if [ -n "$runs" ]; then
		for r in $runs; do
			case " $all_runs " in
			*" $r "*) ;;
			*) die "no run $r in '$db'" ;;
			esac
		done
	else
		runs=$all_runs
	fi
	run_list=$(echo "$runs" | tr ' ' ',')
}
