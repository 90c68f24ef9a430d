#!/bin/sh
# make bench: figures, not assertions.
#   buddy ops per second on a 10 M-op synthetic trace on numa4.yaml (with
#   and without the database), slab and page cache ops per second, the
#   frame table's bytes per simulated page frame, and peak memory.
set -eu
builddir=$1
srcdir=$2
kmsim=$builddir/kmsim
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kmsim-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# 10,000,000 ops: 4,096 long-lived blocks, then 2.5 M rounds of two
# allocations (mixed order and mobility) and two frees, each allocation
# living 4,096 rounds.
cat > "$tmp/bench.yaml" <<'YAML'
kmsim-trace: 1
name: bench-10M
ops:
  - repeat: 4096
    ops:
      - {op: alloc_pages, id: "u${i}", order: "${i % 4}", gfp: GFP_KERNEL, cpu: "${i % 16}"}
      - {op: alloc_pages, id: "m${i}", order: 0, gfp: GFP_HIGHUSER_MOVABLE, cpu: "${i % 16}"}
  - repeat: 2497952
    ops:
      - {op: alloc_pages, id: "u${i + 4096}", order: "${i % 4}", gfp: GFP_KERNEL, cpu: "${i % 16}"}
      - {op: alloc_pages, id: "m${i + 4096}", order: 0, gfp: GFP_HIGHUSER_MOVABLE, cpu: "${i % 16}"}
      - {op: free_pages, id: "u${i}"}
      - {op: free_pages, id: "m${i}"}
YAML

json_num() {
	sed -n "s/^  \"$1\": \\([0-9.e+-]*\\),*$/\\1/p" "$2" | head -n 1
}

run() {
	label=$1
	shift
	"$kmsim" --config "$srcdir/configs/numa4.yaml" --trace "$tmp/bench.yaml" \
	    --quiet --json "$@" > "$tmp/out.json"
	events=$(json_num events "$tmp/out.json")
	wall=$(json_num wall_seconds "$tmp/out.json")
	rss=$(json_num max_rss_kb "$tmp/out.json")
	awk -v l="$label" -v e="$events" -v w="$wall" -v r="$rss" 'BEGIN {
		printf "%-28s %10d ops  %7.2f s  %6.2f M ops/s  peak RSS %.0f MiB\n",
		    l, e, w, e / w / 1e6, r / 1024 }'
}

echo "kmsim bench: 10 M-op synthetic trace on configs/numa4.yaml"
run "buddy, no database" --no-db
run "buddy, database" --db "$tmp/bench.db"

# 4 M slab ops: 1 M rounds of a cache object and a kmalloc object, each
# freed 4,096 rounds later.
cat > "$tmp/bench.yaml" <<'YAML'
kmsim-trace: 1
name: bench-slab
ops:
  - {op: kmem_cache_create, cache: bench, size: 192, flags: SLAB_HWCACHE_ALIGN}
  - repeat: 4096
    ops:
      - {op: kmem_cache_alloc, cache: bench, id: "c${i}", cpu: "${i % 16}"}
      - {op: kmalloc, size: "${i % 1000 + 8}", id: "k${i}", cpu: "${i % 16}"}
  - repeat: 995904
    ops:
      - {op: kmem_cache_alloc, cache: bench, id: "c${i + 4096}", cpu: "${i % 16}"}
      - {op: kmalloc, size: "${i % 1000 + 8}", id: "k${i + 4096}", cpu: "${i % 16}"}
      - {op: kmem_cache_free, id: "c${i}", cpu: "${i % 16}"}
      - {op: kfree, id: "k${i}", cpu: "${i % 16}"}
YAML
run "slab, no database" --no-db

# The page cache: 1 M file ops on 16 CPUs, 4 KiB reads (mostly hits) and
# writes over 4,096 files of 256 KiB, an fsync every 64 ops; pages per
# second through the cache as the ops' pages over the wall time.
cat > "$tmp/bench.yaml" <<'YAML'
kmsim-trace: 1
name: bench-pagecache
ops:
  - repeat: 15625
    var: r
    ops:
      - repeat: 64
        ops:
          - {op: read, file: "f${(r * 64 + i) * 7 % 4096}", offset: "${(r + i) % 64 * 4096}", length: 4K, cpu: "${i % 16}"}
      - {op: write, file: "f${r % 4096}", offset: "${r % 64 * 4096}", length: 4K, cpu: "${r % 16}"}
      - {op: fsync, file: "f${r % 4096}", cpu: "${r % 16}"}
YAML
run "page cache, no database" --no-db
"$kmsim" --config "$srcdir/configs/numa4.yaml" --show-machine |
    sed -n 's/^frame table \(.*\)$/frame table: \1/p'
echo "bytes per simulated page frame: 16 (struct page_frame) + 1/512 (pageblock type)"

# The real capture: parse-only and full replay against wc -l on the same
# uncompressed text.
bundle=$srcdir/traces/build.trace
if [ -f "$bundle" ] && command -v tar >/dev/null; then
	mkdir "$tmp/b"
	(cd "$tmp/b" && tar -xf "$bundle")
	[ -f "$tmp/b/manifest.json" ] || mv "$tmp"/b/*/* "$tmp/b/" 2>/dev/null
	member=$(sed -n 's/.*"trace": *"\([^"]*\)".*/\1/p' "$tmp/b/manifest.json" | head -n 1)
	case $member in
	*.zst) zstd -q -dc "$tmp/b/$member" > "$tmp/b/trace.txt" ;;
	*.xz) xz -dc "$tmp/b/$member" > "$tmp/b/trace.txt" ;;
	*.gz) gzip -dc "$tmp/b/$member" > "$tmp/b/trace.txt" ;;
	*) cp "$tmp/b/$member" "$tmp/b/trace.txt" ;;
	esac
	rm -f "$tmp/b/$member"
	sed -i "s|\"trace\": *\"$member\"|\"trace\": \"trace.txt\"|" "$tmp/b/manifest.json"
	bytes=$(wc -c < "$tmp/b/trace.txt")
	lines=$(wc -l < "$tmp/b/trace.txt")
	now() { date +%s.%N; }
	best() {	# best of 3 wall-clock runs of "$@", in seconds
		b=
		for i in 1 2 3; do
			t0=$(now); "$@" > "$tmp/best.out"; t1=$(now)
			b=$(awk -v a="$t0" -v z="$t1" -v b="$b" 'BEGIN {
				t = z - a; if (b == "" || t < b) b = t; print b }')
		done
		echo "$b"
	}
	report() {	# label seconds [rss_kb]
		awk -v l="$1" -v t="$2" -v wc="$wc" -v n="$lines" -v by="$bytes" -v r="${3:-}" 'BEGIN {
			printf "%-30s %7.3f s  %6.2f M events/s  %7.1f MB/s  %5.1fx wc -l", l, t, n / t / 1e6, by / t / 1e6, t / wc
			if (r != "") printf "  peak RSS %.0f MiB", r / 1024
			printf "\n" }'
	}
	echo
	echo "real capture: traces/build.trace, $lines lines, $bytes bytes uncompressed"
	wc=$(best wc -l "$tmp/b/trace.txt")
	report "wc -l" "$wc"
	t=$(best "$kmsim" --parse-only --json --trace "$tmp/b/trace.txt")
	report "parse only" "$t" "$(json_num max_rss_kb "$tmp/best.out")"
	t=$(best "$kmsim" --config auto --trace "$tmp/b" --no-db --quiet --json)
	report "replay (--config auto)" "$t" "$(json_num max_rss_kb "$tmp/best.out")"
	t=$(best "$kmsim" --config "$srcdir/configs/numa4.yaml" --trace "$tmp/b/trace.txt" --no-db --quiet --json)
	report "simulate on numa4.yaml" "$t" "$(json_num max_rss_kb "$tmp/best.out")"
fi
