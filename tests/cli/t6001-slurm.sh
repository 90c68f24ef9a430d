# t6001-slurm: kmsim-sweep on a cluster engine.
#
# --slurm: with a Slurm that answers (sinfo shows an idle node) the 4-point
# sweep runs as a real job array plus a merge job, and must give the same
# params as a local run.  With KMSIM_TEST_SLURM=1, as root, with apt-get,
# a single-node Slurm is installed and started here for the test and
# stopped after it.  Otherwise only the generated job script is tested.
#
# --ssh: with GNU parallel and KMSIM_TEST_SSH=1 as root, an sshd on a
# loopback port (its own keys, in the test's directory) runs the points;
# otherwise the parallel command line is tested with --dry-run.
. "$top_srcdir/tests/lib.sh"
need_sqlite3
: "${KMSIM_SWEEP:=$top_builddir/kmsim-sweep}"
sweep=$fixtures/sweep/grid.yaml

started=""
sshd_pid=""
cleanup() {
	if [ -n "$sshd_pid" ]; then
		kill "$sshd_pid" 2>/dev/null || true
	fi
	for f in $started; do
		[ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

# params of every run, by point: "point key=value ..."
params_by_point() {
	sql "$1" "select group_concat(kv, ' ') from (select p.run_id, p.key || '=' || p.value as kv, (select cast(value as integer) from params q where q.run_id = p.run_id and q.key = 'point') as pt from params p order by pt, p.key) group by run_id order by min(pt)"
}

ok_run "the reference sweep, locally" "$KMSIM_SWEEP" "$sweep" \
    --db "$tmp/local.db" --kmsim "$KMSIM" --quiet
ref=$(params_by_point "$tmp/local.db")
check "the reference has 4 runs" test "$(sql "$tmp/local.db" "select count(*) from runs")" = 4

# --- the job script (always) ---
ok_run "--slurm-script" "$KMSIM_SWEEP" "$sweep" --db "$tmp/s.db" \
    --kmsim "$KMSIM" --slurm-script "$tmp/submit.sh"
check "the script is valid sh" sh -n "$tmp/submit.sh"
check "an array of one task per point" grep -qx '#SBATCH --array=0-3' "$tmp/submit.sh"
check "each task runs its point" grep -Eq \
    "^exec .*kmsim-sweep .*grid.yaml --db $tmp/s.db --shards $tmp/s.db.shards --kmsim $KMSIM --quiet --point \"\\\$SLURM_ARRAY_TASK_ID\"$" \
    "$tmp/submit.sh"
check "the merge job waits for the array (afterok)" grep -q \
    'sbatch --parsable --dependency=afterok:"$array"' "$tmp/submit.sh"
check "the merge job merges" grep -Eq "^exec .*kmsim-sweep .* --quiet --merge$" "$tmp/submit.sh"
check "task logs go to the shards directory" grep -q \
    "#SBATCH --output=$tmp/s.db.shards/slurm-%A_%a.out" "$tmp/submit.sh"

# A fake sbatch and squeue: the script submits the array, then the merge
# with the array's id, and --slurm reads both ids back.
mkdir -p "$tmp/fakebin"
cat > "$tmp/fakebin/sbatch" <<T
#!/bin/sh
echo "sbatch \$*" >> "$tmp/sbatch.log"
cat > "$tmp/job.\$\$"
case "\$*" in *afterok:41*) echo "42;cluster" ;; *) echo 41 ;; esac
T
cat > "$tmp/fakebin/squeue" <<T
#!/bin/sh
exit 0
T
cat > "$tmp/fakebin/scancel" <<T
#!/bin/sh
echo "scancel \$*" >> "$tmp/sbatch.log"
T
chmod +x "$tmp/fakebin/sbatch" "$tmp/fakebin/squeue" "$tmp/fakebin/scancel"
PATH=$tmp/fakebin:$PATH ok_run "--slurm --no-wait with a fake sbatch" \
    "$KMSIM_SWEEP" "$sweep" --db "$tmp/f.db" --kmsim "$KMSIM" --slurm --no-wait
check "it reports both job ids" grep -q "submitted job array 41 (4 tasks) and merge job 42" "$tmp/err"
check "the merge depends on the array" grep -q "sbatch --parsable --dependency=afterok:41" "$tmp/sbatch.log"
# Waiting: no task ran (the fake runs nothing), so every point is
# reported failed and the merge job is cancelled.
PATH=$tmp/fakebin:$PATH run "$KMSIM_SWEEP" "$sweep" --db "$tmp/f.db" \
    --kmsim "$KMSIM" --slurm --timeout 30
expect_eq "tasks that did not complete fail the sweep" 1 "$status"
check "... each named" grep -q "point 3 failed" "$tmp/err"
check "... and the merge job is cancelled" grep -q "scancel 42" "$tmp/sbatch.log"

# --- a real Slurm ---
slurm_up() {
	command -v sbatch >/dev/null 2>&1 &&
	    sinfo -h -o %T 2>/dev/null | grep -Eq '^(idle|mixed|allocated)'
}
start_slurm() {
	H=$(hostname -s)
	MEM=$(( $(free -m | awk '/^Mem:/{print $2}') * 95 / 100 ))
	CPUS=$(nproc)
	export DEBIAN_FRONTEND=noninteractive
	if ! command -v slurmctld >/dev/null 2>&1; then
		apt-get update -qq >/dev/null 2>&1 || true
		apt-get install -y -qq --no-install-recommends slurmctld slurmd \
		    slurm-client munge >/dev/null 2>&1 || return 1
	fi
	install -d /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
	cat > /etc/slurm/slurm.conf <<CONF
ClusterName=kmsimtest
SlurmctldHost=$H
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
DependencyParameters=kill_invalid_depend
ReturnToService=2
MailProg=/bin/true
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=$H CPUs=$CPUS Sockets=1 CoresPerSocket=$CPUS ThreadsPerCore=1 RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=$H Default=YES MaxTime=INFINITE State=UP
CONF
	[ -s /etc/munge/munge.key ] ||
	    mungekey --create --keyfile=/etc/munge/munge.key || return 1
	chown munge:munge /etc/munge/munge.key
	chmod 400 /etc/munge/munge.key
	install -d -o munge -g munge -m 0755 /run/munge
	if ! [ -S /run/munge/munge.socket.2 ] || ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
		runuser -u munge -- /usr/sbin/munged || return 1
		started="$started /run/munge/munged.pid"
	fi
	munge -n | unmunge >/dev/null || return 1
	slurmctld || return 1
	started="$started /run/slurmctld.pid"
	slurmd || return 1
	started="$started /run/slurmd.pid"
	i=0
	until [ "$(sinfo -h -o %T 2>/dev/null)" = idle ]; do
		i=$((i + 1))
		[ $i -lt 300 ] || return 1
		sleep 0.1
	done
}

if ! slurm_up && [ "${KMSIM_TEST_SLURM:-}" = 1 ] && [ "$(id -u)" = 0 ] &&
    command -v apt-get >/dev/null 2>&1; then
	if start_slurm; then
		tap_ok "a single-node Slurm is up"
	else
		tap_not_ok "a single-node Slurm is up" "KMSIM_TEST_SLURM=1 but the set-up failed"
	fi
fi
if slurm_up; then
	ok_run "--slurm: a job array and a merge job" "$KMSIM_SWEEP" "$sweep" \
	    --db "$tmp/slurm.db" --kmsim "$KMSIM" --slurm --timeout 120
	expect_eq "4 complete runs merged by the merge job" "4|complete" \
	    "$(sql "$tmp/slurm.db" "select count(*), group_concat(distinct status) from runs")"
	expect_eq "the same params as the local sweep" "$ref" \
	    "$(params_by_point "$tmp/slurm.db")"
	check "the merge job's log is there" sh -c "ls '$tmp/slurm.db.shards'/slurm-merge-*.out"
else
	echo "# slurm not available: tested the job script only"
fi

# --- GNU parallel over ssh ---
ok_run "--ssh --dry-run" "$KMSIM_SWEEP" "$sweep" --db "$tmp/d.db" \
    --kmsim "$KMSIM" --ssh 'ssh -p 2222 root@127.0.0.1' -j 2 --dry-run
check "the parallel command runs every point" grep -Eq \
    "^parallel --sshlogin 'ssh -p 2222 root@127.0.0.1' --halt never --jobs 2 '.*kmsim-sweep .*grid.yaml --db $tmp/d.db --shards $tmp/d.db.shards --kmsim $KMSIM --quiet --point \\{\\}' ::: 0 1 2 3$" \
    "$tmp/out"

start_sshd() {
	command -v parallel >/dev/null 2>&1 && [ -x /usr/sbin/sshd ] &&
	    command -v ssh-keygen >/dev/null 2>&1 || return 1
	ssh-keygen -q -t ed25519 -N '' -f "$tmp/hostkey" || return 1
	ssh-keygen -q -t ed25519 -N '' -f "$tmp/userkey" || return 1
	cp "$tmp/userkey.pub" "$tmp/authorized_keys"
	install -d -m 755 /run/sshd
	port=$((20000 + $$ % 20000))
	/usr/sbin/sshd -f /dev/null -p $port -o ListenAddress=127.0.0.1 \
	    -h "$tmp/hostkey" -o AuthorizedKeysFile="$tmp/authorized_keys" \
	    -o StrictModes=no -o PidFile="$tmp/sshd.pid" -E "$tmp/sshd.log" ||
	    return 1
	i=0
	until [ -s "$tmp/sshd.pid" ]; do
		i=$((i + 1)); [ $i -lt 50 ] || return 1; sleep 0.1
	done
	sshd_pid=$(cat "$tmp/sshd.pid")
	sshlogin="ssh -p $port -i $tmp/userkey -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR root@127.0.0.1"
	$sshlogin true
}
if [ "${KMSIM_TEST_SSH:-}" = 1 ] && [ "$(id -u)" = 0 ] && start_sshd; then
	ok_run "--ssh: the points run through GNU parallel over ssh" \
	    "$KMSIM_SWEEP" "$sweep" --db "$tmp/ssh.db" --kmsim "$KMSIM" \
	    --ssh "$sshlogin"
	expect_eq "the same params as the local sweep" "$ref" \
	    "$(params_by_point "$tmp/ssh.db")"
else
	echo "# ssh to loopback not available: tested the parallel command only"
fi
done_testing
