#!/usr/bin/env bash
# A real single-node Slurm on this machine, for the study executor's tests (apps/bench/test/slurm*.test.ts):
# Debian's munge, slurmctld, slurmd and slurmdbd (with MariaDB, so `sacct` answers as on a cluster), a
# generated localhost slurm.conf without cgroups (containers rarely allow them), the daemons started and
# checked. CI runs it as root (.ci/run); a user's `npm run setup` never installs Slurm.
#
#   bash tools/slurm-test-setup.sh start   # install if missing, configure, start, wait until the node is idle
#   bash tools/slurm-test-setup.sh stop    # stop the daemons this script started
#
# Everything lives in $MEMPO_SLURM_DIR (default /tmp/mempo-slurm); clients find the cluster through
# SLURM_CONF=$MEMPO_SLURM_DIR/slurm.conf, which the caller exports. When a daemon does not come up the script
# prints its own log and exits non-zero: the Slurm tests are never skipped silently.
set -euo pipefail
dir="${MEMPO_SLURM_DIR:-/tmp/mempo-slurm}"
conf="$dir/slurm.conf"
action="${1:-}"

fail() {
  echo "slurm-test-setup: $*" >&2
  exit 1
}

# The tail of a daemon's log, so CI shows Slurm's own error.
show_log() {
  local log="$1"
  echo "---- $log ----" >&2
  if [ -f "$log" ]; then tail -n 40 "$log" >&2; else echo "(no log written)" >&2; fi
}

# Stops the daemon a pid file names, if that process is still the daemon (a pid may have been reused).
stop_pidfile() {
  local pidfile="$1" name="$2"
  [ -f "$pidfile" ] || return 0
  local pid
  pid=$(cat "$pidfile")
  if [ "$(ps -p "$pid" -o comm= 2>/dev/null)" = "$name" ]; then
    kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  fi
  rm -f "$pidfile"
}

stop_all() {
  stop_pidfile "$dir/slurmd.pid" slurmd
  stop_pidfile "$dir/slurmctld.pid" slurmctld
  stop_pidfile "$dir/slurmdbd.pid" slurmdbd
  stop_pidfile "$dir/mysql/mariadb.pid" mariadbd
  stop_pidfile "$dir/munge/munged.pid" munged
}

# Waits up to $2 seconds for command $1 to succeed.
wait_for() {
  local check="$1" deadline=$(($(date +%s) + $2))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if timeout 5 bash -c "$check" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  return 1
}

case "$action" in
  start) ;;
  stop)
    stop_all
    echo "slurm-test-setup: daemons stopped"
    exit 0
    ;;
  *) fail "usage: $0 start|stop" ;;
esac

[ "$(id -u)" = 0 ] || fail "must run as root (it installs Debian's Slurm packages and starts the daemons); CI runs it as root"
started=$(date +%s)

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v slurmdbd >/dev/null ||
  ! command -v munged >/dev/null || ! command -v mariadbd >/dev/null; then
  echo "== installing Debian's slurmctld, slurmd, slurmdbd, munge and mariadb-server"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurmctld slurmd slurmdbd slurm-client munge mariadb-server >/dev/null
fi

stop_all
# A fresh cluster each time: no jobs, job ids or accounting records of an earlier run.
marker="$dir/.mempo-slurm-test"
if [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
  [ -f "$marker" ] || fail "$dir exists and was not made by this script; set MEMPO_SLURM_DIR to an empty or new folder"
  rm -rf "$dir"
fi
mkdir -p "$dir"/{spool/ctld,spool/d,munge/etc,mysql,log}
touch "$marker"
host=$(hostname -s)
cpus=$(nproc)
# Leave the OS some memory: the node offers 90% of what the machine has.
memory=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)

echo "== munge"
key="$dir/munge/etc/munge.key"
[ -f "$key" ] || { dd if=/dev/urandom of="$key" bs=1024 count=1 status=none; }
chown -R munge:munge "$dir/munge"
# munged wants its socket folder open to all and its key folder closed to all but itself.
chmod 755 "$dir" "$dir/munge"
chmod 700 "$dir/munge/etc"
chmod 400 "$key"
# The default socket: Slurm's clients (sacctmgr to slurmdbd among them) look for munge there.
mkdir -p /run/munge
chown munge:munge /run/munge
chmod 755 /run/munge
runuser -u munge -- /usr/sbin/munged --key-file="$key" \
  --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munge.seed" ||
  { show_log "$dir/munge/munged.log"; fail "munged did not start"; }
wait_for "munge -n | unmunge" 10 ||
  { show_log "$dir/munge/munged.log"; fail "munge cannot encode and decode a credential"; }

echo "== mariadb (accounting for sacct)"
chown -R mysql:mysql "$dir/mysql"
if [ ! -d "$dir/mysql/mysql" ]; then
  mariadb-install-db --user=mysql --datadir="$dir/mysql" --auth-root-authentication-method=socket >"$dir/log/mariadb-install.log" 2>&1 ||
    { show_log "$dir/log/mariadb-install.log"; fail "mariadb-install-db failed"; }
fi
mysock="$dir/mysql/mysqld.sock"
mariadbd --user=mysql --datadir="$dir/mysql" --socket="$mysock" --pid-file="$dir/mysql/mariadb.pid" --skip-networking \
  --log-error="$dir/mysql/mariadb.log" >/dev/null 2>&1 &
wait_for "mariadb --socket=$mysock -e 'select 1'" 30 || { show_log "$dir/mysql/mariadb.log"; fail "mariadbd did not start"; }
mariadb --socket="$mysock" -e "CREATE DATABASE IF NOT EXISTS slurm_acct_db;"

echo "== slurm.conf for $host ($cpus CPUs, $memory MB)"
cat >"$conf" <<EOF
# Generated by tools/slurm-test-setup.sh: one node, this machine, no cgroups.
ClusterName=mempo-test
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
# A requeued job waits cred_expire + 1 s before it may start again (120 s by default); the tests requeue.
AuthInfo=cred_expire=10
CryptoType=crypto/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# A task without --mem gets 1 GB per CPU, not the whole node, so tasks run side by side.
DefMemPerCPU=1024
ReturnToService=2
StateSaveLocation=$dir/spool/ctld
SlurmdSpoolDir=$dir/spool/d
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
KillWait=30
MinJobAge=600
SchedulerParameters=sched_interval=1
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoreFlags=job_comment
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
cat >"$dir/slurmdbd.conf" <<EOF
AuthType=auth/munge
DbdHost=localhost
SlurmUser=root
PidFile=$dir/slurmdbd.pid
LogFile=$dir/log/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageLoc=slurm_acct_db
StorageUser=root
StoragePort=3306
EOF
# slurmdbd reaches MariaDB through its socket when StorageHost is localhost; point libmysql at ours.
export MYSQL_UNIX_PORT="$mysock"
chmod 600 "$dir/slurmdbd.conf"
export SLURM_CONF="$conf"

echo "== slurmdbd"
# slurmdbd reads slurmdbd.conf beside $SLURM_CONF.
slurmdbd || { show_log "$dir/log/slurmdbd.log"; fail "slurmdbd did not start"; }
wait_for "sacctmgr -i show cluster" 60 || { show_log "$dir/log/slurmdbd.log"; fail "slurmdbd does not answer sacctmgr"; }
sacctmgr -i add cluster mempo-test >/dev/null 2>&1 || true
sacctmgr -n show cluster format=cluster | grep -qw mempo-test || { show_log "$dir/log/slurmdbd.log"; fail "sacctmgr could not register the cluster mempo-test"; }

echo "== slurmctld and slurmd"
slurmctld -f "$conf" || { show_log "$dir/log/slurmctld.log"; fail "slurmctld did not start"; }
wait_for "scontrol ping | grep -q UP" 30 || { show_log "$dir/log/slurmctld.log"; fail "slurmctld does not answer scontrol ping"; }
slurmd -f "$conf" || { show_log "$dir/log/slurmd.log"; fail "slurmd did not start"; }
if ! wait_for "sinfo -h -N -o %T | grep -Eq '^idle'" 30; then
  sinfo -N -l >&2 || true
  show_log "$dir/log/slurmd.log"
  show_log "$dir/log/slurmctld.log"
  fail "the node $host did not become idle"
fi
sinfo -N -o '%N %T %c %m %P'
echo "slurm-test-setup: Slurm is up in $(($(date +%s) - started)) s; clients need SLURM_CONF=$conf"
