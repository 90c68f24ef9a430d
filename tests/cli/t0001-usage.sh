# t0001-usage: options, help, version and usage errors.
. "$top_srcdir/tests/lib.sh"

ok_run "--help exits 0" "$KMSIM" --help
check "--help shows the usage line" grep -q '^usage: kmsim --config FILE' "$tmp/out"
check "--help lists every long option" sh -c \
    "for o in config trace mode set seed db no-db json parse-only show-machine dump dump-at dump-file check lenient quiet progress help version; do grep -q -- \"--\$o\" '$tmp/out' || exit 1; done"
ok_run "--version exits 0" "$KMSIM" --version
check "--version prints the version" grep -Eq '^kmsim [0-9]+\.[0-9]+' "$tmp/out"
expect_fail "unknown option" 2 "^kmsim: unknown option '--bogus'" "$KMSIM" --bogus
expect_fail "option without its argument" 2 "needs an argument" "$KMSIM" --config
expect_fail "no config" 2 "no machine configuration" "$KMSIM" --trace x
expect_fail "--parse-only without a trace" 2 "--parse-only needs --trace" "$KMSIM" --parse-only
expect_fail "--parse-only of a bad trace" 1 "^kmsim: $fixtures/run/unknown-free.yaml.nope: No such file" \
    "$KMSIM" --parse-only --trace "$fixtures/run/unknown-free.yaml.nope"
expect_fail "no trace" 2 "no trace" "$KMSIM" --config "$configs/tiny.yaml"
expect_fail "stray argument" 2 "unexpected argument 'extra'" \
    "$KMSIM" --config "$configs/tiny.yaml" extra
expect_fail "empty database path" 2 "empty database path" \
    "$KMSIM" --config "$configs/tiny.yaml" --trace x --db ''
expect_fail "missing config file" 1 "^kmsim: $tmp/nope.yaml: No such file or directory" \
    "$KMSIM" --config "$tmp/nope.yaml" --show-machine
expect_fail "missing trace file" 1 "^kmsim: $tmp/nope.trace: No such file or directory" \
    "$KMSIM" --config "$configs/tiny.yaml" --trace "$tmp/nope.trace" --db "$tmp/x.db"
check "a missing trace leaves no database behind" test ! -e "$tmp/x.db"
expect_fail "a directory as the trace" 1 "Is a directory" \
    "$KMSIM" --config "$configs/tiny.yaml" --trace "$tmp" --no-db
done_testing
