# t3000-db: database paths that cannot be used are refused up front.
. "$top_srcdir/tests/lib.sh"
need_sqlite3
run_with_db() {
	"$KMSIM" --config "$configs/tiny.yaml" \
	    --trace "$fixtures/run/fill-free.yaml" --quiet --db "$1"
}

expect_fail "a missing directory" 1 "^kmsim: $tmp/no/such/dir/x.db: directory '$tmp/no/such/dir' does not exist" \
    run_with_db "$tmp/no/such/dir/x.db"
mkdir "$tmp/adir"
expect_fail "a directory as the database" 1 "^kmsim: $tmp/adir: " run_with_db "$tmp/adir"
printf 'this is not a database, just text\n%.0s' $(seq 1 200) > "$tmp/text.db"
expect_fail "a file that is not SQLite" 1 "^kmsim: $tmp/text.db: not a SQLite database" \
    run_with_db "$tmp/text.db"
check "the text file is left as it was" grep -q 'this is not a database' "$tmp/text.db"
"$SQLITE3" "$tmp/foreign.db" "create table t(x); insert into t values (1);"
expect_fail "a SQLite file that is not kmsim's" 1 "^kmsim: $tmp/foreign.db: .*not a kmsim database" \
    run_with_db "$tmp/foreign.db"
expect_eq "the foreign database is untouched" "1" "$(sql "$tmp/foreign.db" "select x from t")"
: > "$tmp/empty.db"
ok_run "an empty file becomes a database" run_with_db "$tmp/empty.db"
expect_eq "with one complete run" "complete" "$(sql "$tmp/empty.db" "select status from runs")"
"$SQLITE3" "$tmp/empty.db" "update meta set value = '999' where key = 'schema_version'"
expect_fail "a newer schema version" 1 "schema version 999" run_with_db "$tmp/empty.db"
# The schema version is PRAGMA user_version; older files are upgraded.
ok_run "a new database" run_with_db "$tmp/v.db"
version=$(sql "$tmp/v.db" "pragma user_version")
check "has a schema version" test "$version" -ge 4
tables=$(sql "$tmp/v.db" "select group_concat(name) from (select name from sqlite_master order by name)")
"$SQLITE3" "$tmp/v.db" "drop table slabinfo; drop table numa_allocs; pragma user_version = 0"
ok_run "a database from before the versions were numbered" run_with_db "$tmp/v.db"
expect_eq "is brought to the current version" "$version" "$(sql "$tmp/v.db" "pragma user_version")"
expect_eq "with every table" "$tables" \
    "$(sql "$tmp/v.db" "select group_concat(name) from (select name from sqlite_master order by name)")"
expect_eq "and both runs" "complete complete" "$(sql "$tmp/v.db" "select status from runs order by run_id" | tr '\n' ' ' | sed 's/ $//')"
"$SQLITE3" "$tmp/v.db" "pragma user_version = $((version + 1))"
expect_fail "a database of a newer schema" 1 \
    "^kmsim: $tmp/v.db: schema version $((version + 1)) is newer than this kmsim supports \\($version\\)\$" \
    run_with_db "$tmp/v.db"
expect_eq "is left as it was" "$((version + 1))" "$(sql "$tmp/v.db" "pragma user_version")"
if [ "$(id -u)" -ne 0 ]; then
	mkdir "$tmp/ro" && chmod 555 "$tmp/ro"
	expect_fail "a read-only directory" 1 "^kmsim: $tmp/ro/x.db: " run_with_db "$tmp/ro/x.db"
else
	echo "# read-only directory: skipped as root (permissions do not apply)"
fi
done_testing
