# t9200-check-traces.sh - every bundled trace replays on its intended
# machine with --check (every engine's invariant checker after every op),
# and the resource guards: a machine whose frame table this host cannot
# hold is refused up front, and a trace that wants more live objects than
# the machine has ends with failed allocations recorded, not a crash.
. "$top_srcdir/tests/lib.sh"

[ -x "$KMSIM" ] || skip_all "$KMSIM not built"

# TRACE CONFIG: the machine each trace is written for (traces/README.md)
for pair in synthetic.yaml:configs/numa4.yaml \
    fragment.yaml:configs/numa4.yaml pagecache.yaml:configs/uma.yaml \
    build.trace:auto; do
	trace=${pair%%:*}
	cfg=${pair#*:}
	[ "$cfg" = auto ] || cfg=$top_srcdir/$cfg
	ok_run "$trace passes --check on ${cfg##*/}" "$KMSIM" --config "$cfg" \
	    --trace "$traces/$trace" --check --no-db --quiet
done
check "every bundled trace is covered" test "$(ls "$traces" | grep -cv '\.md$')" -eq 4

# The frame table of a 15 TiB machine is 60 GiB: more than half of the
# hosts this runs on (the limit), refused before anything is mapped.
host_kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo 2>/dev/null || echo 0)
if [ "${host_kb:-0}" -gt 0 ] && [ "$host_kb" -lt $((120 * 1024 * 1024)) ]; then
	expect_fail "a machine bigger than the host can model" 1 \
	    "^kmsim: .*tiny\\.yaml: the frame table needs 60 GiB .*more than half of this host's" \
	    "$KMSIM" --config "$configs/tiny.yaml" \
	    --set machine.nodes.0.memory=15T --show-machine
	check "... in one line" test "$(wc -l <"$tmp/err")" -eq 1
else
	echo "# frame table limit: skipped (a host with ${host_kb} KiB could hold it)"
fi
expect_fail "more frames than 32-bit pfns name" 1 \
    "^kmsim: .*tiny\\.yaml: the machine has [0-9]+ page frames; kmsim names frames with 32 bits" \
    "$KMSIM" --config "$configs/tiny.yaml" --set machine.nodes.0.memory=60T \
    --show-machine
expect_fail "memory beyond the physical address space" 1 \
    "^kmsim: .*tiny\\.yaml:[0-9]+:[0-9]+: memory: '1P' is beyond the 46-bit physical address space" \
    "$KMSIM" --config "$configs/tiny.yaml" --set machine.nodes.0.memory=1P \
    --show-machine

# 100,000 live 4 KiB objects on a 64 MiB machine: the model runs out, the
# allocations fail as the kernel's would, and the run completes.
cat >"$tmp/flood.yaml" <<'YAML'
kmsim-trace: 1
ops:
  - repeat: 100000
    var: i
    ops:
      - {op: kmalloc, id: "k${i}", size: 4096, gfp: GFP_KERNEL}
YAML
run timeout 120 "$KMSIM" --config "$configs/tiny.yaml" --trace "$tmp/flood.yaml" \
    --no-db --quiet --json
expect_eq "more live objects than memory: the run completes" 0 "$status"
failed=$(sed -n 's/^  *"failed": \([0-9]*\),*$/\1/p' "$tmp/out" | head -n 1)
check "... with failed allocations recorded (${failed:-none})" \
    test "${failed:-0}" -gt 0
done_testing
