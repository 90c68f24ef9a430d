# t3001-interrupt: SIGINT marks the run interrupted; SIGKILL leaves it
# 'running' (never complete); the database stays consistent either way.
. "$top_srcdir/tests/lib.sh"
need_sqlite3
db=$tmp/i.db

# A first, complete run that later runs must not disturb.
ok_run "a complete run first" "$KMSIM" --config "$configs/tiny.yaml" \
    --trace "$fixtures/run/fill-free.yaml" --db "$db" --quiet

# wait_for_snapshots RUN N: until run RUN has written N snapshots
wait_for_snapshots() {
	i=0
	while [ "$i" -lt 300 ]; do
		n=$("$SQLITE3" "$db" "select count(*) from snapshots where run_id = $1" 2>/dev/null || echo 0)
		[ "${n:-0}" -ge "$2" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

"$KMSIM" --config "$configs/tiny.yaml" --trace "$fixtures/run/long.yaml" \
    --db "$db" --quiet 2>"$tmp/int.err" &
pid=$!
check "the long run is writing snapshots" wait_for_snapshots 2 3
kill -INT "$pid"
status=0
wait "$pid" || status=$?
expect_eq "SIGINT exits 130" "130" "$status"
check "SIGINT says so" grep -q "interrupted" "$tmp/int.err"
expect_eq "the run is marked interrupted" "complete,interrupted" \
    "$(sql "$db" "select group_concat(status) from (select status from runs order by run_id)")"
check "the interrupted run kept its snapshots" test \
    "$(sql "$db" "select count(*) from snapshots where run_id = 2")" -ge 3

"$KMSIM" --config "$configs/tiny.yaml" --trace "$fixtures/run/long.yaml" \
    --db "$db" --quiet 2>/dev/null &
pid=$!
check "the second long run is writing" wait_for_snapshots 3 3
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
expect_eq "the database passes its integrity check" "ok" \
    "$(sql "$db" "pragma integrity_check")"
expect_eq "the killed run is not complete" "complete,interrupted,running" \
    "$(sql "$db" "select group_concat(status) from (select status from runs order by run_id)")"
ok_run "the database takes another run" "$KMSIM" --config "$configs/tiny.yaml" \
    --trace "$fixtures/run/fill-free.yaml" --db "$db" --quiet
expect_eq "earlier runs are untouched" "4|complete" \
    "$(sql "$db" "select count(*), (select status from runs where run_id = 1) from runs")"
# SIGKILL at random points, each run into a database that already holds
# runs and, every third time, into a new one (the kill may land while
# the schema is made): the file must pass its integrity check, earlier
# runs must be untouched, and a killed run is never complete unless it
# really ended (then it has its final snapshot and counters).
seed=${KMSIM_TEST_SEED:-$$}
echo "# SIGKILL points from seed $seed (KMSIM_TEST_SEED to repeat)"
k=0
while [ "$k" -lt 8 ]; do
	k=$((k + 1))
	kdb=$db
	[ $((k % 3)) -eq 0 ] && kdb=$tmp/k$k.db
	before=$(sql "$kdb" "select count(*) from runs" 2>/dev/null || echo 0)
	delay=$(awk -v s="$seed" -v k="$k" 'BEGIN { srand(s + k); printf "%.3f", rand() * 0.6 }')
	"$KMSIM" --config "$configs/tiny.yaml" --trace "$fixtures/run/long.yaml" \
	    --db "$kdb" --quiet 2>/dev/null &
	pid=$!
	sleep "$delay"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
	# three test points a kill, wherever it landed
	if [ ! -s "$kdb" ]; then
		check "kill $k after ${delay}s: before the database was made" \
		    test "$kdb" != "$db"
		check "kill $k: no file that looks like a database is left" \
		    sh -c "! '$SQLITE3' '$kdb' 'select 1 from runs' 2>/dev/null | grep -q 1"
		check "kill $k: nothing to keep" test "$before" -eq 0
		continue
	fi
	expect_eq "kill $k after ${delay}s: the database passes its integrity check" \
	    "ok" "$(sql "$kdb" "pragma integrity_check")"
	if [ "$kdb" = "$db" ]; then
		expect_eq "kill $k: run 1 is untouched" "complete|1" \
		    "$(sql "$kdb" "select status, (select count(*) from snapshots where run_id = 1 and is_final = 1) from runs where run_id = 1")"
	else
		check "kill $k: a new database, no earlier run to keep" \
		    test "$before" -eq 0
	fi
	if [ -z "$(sql "$kdb" "select name from sqlite_master where name = 'runs'")" ]; then
		# killed while the new file's schema was being made: its
		# transaction never committed, so the file holds no table
		check "kill $k: killed while the schema was made: no run recorded" \
		    test "$kdb" != "$db"
		continue
	fi
	last=$(sql "$kdb" "select run_id || '|' || status from runs order by run_id desc limit 1")
	case $last in
	*'|complete')
		check "kill $k: a run that ended is complete with its final snapshot" \
		    test "$(sql "$kdb" "select count(*) from snapshots where run_id = ${last%%|*} and is_final = 1")" -eq 1
		;;
	'')
		expect_eq "kill $k: no run was recorded yet" "$before" \
		    "$(sql "$kdb" "select count(*) from runs")"
		;;
	*)
		expect_eq "kill $k: the killed run is left running, not complete" \
		    "running" "${last#*|}"
		;;
	esac
done
ok_run "after the kills the database still takes a run" "$KMSIM" \
    --config "$configs/tiny.yaml" --trace "$fixtures/run/fill-free.yaml" \
    --db "$db" --quiet
done_testing
