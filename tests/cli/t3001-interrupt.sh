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
done_testing
