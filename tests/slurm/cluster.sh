#!/usr/bin/env bash
# A real single-node SLURM cluster for the integration test (Debian's slurmctld, slurmd, munge),
# started by hand (no systemd). Needs root.
#   tests/slurm/cluster.sh start   install if missing, write the config, start the daemons
#   tests/slurm/cluster.sh stop    stop the daemons this script started
set -euo pipefail
state=/tmp/sgdbalance-slurm
conf=/etc/slurm/slurm.conf  # the default path: the executor's in-job helper drops SLURM_CONF

start() {
    if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
        echo "installing slurmctld slurmd slurm-client munge (apt-get)" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            slurmctld slurmd slurm-client munge >/dev/null
    fi
    mkdir -p "$state"/{spool,ctld} /run/munge /etc/slurm
    chown munge:munge /run/munge
    [ -f /etc/munge/munge.key ] || { mungekey --create 2>/dev/null || /usr/sbin/create-munge-key; }
    pgrep -x munged >/dev/null || runuser -u munge -- /usr/sbin/munged
    local host cpus mem
    host=$(hostname -s)
    cpus=$(nproc)
    mem=$(awk '/MemTotal/ {print int($2 / 1024 * 0.85)}' /proc/meminfo)
    cat >"$conf" <<CONF
# Written by tests/slurm/cluster.sh for the sgd-balance integration test.
ClusterName=sgdbalance
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1000
MinJobAge=300
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
ReturnToService=2
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
    pgrep -x slurmctld >/dev/null || /usr/sbin/slurmctld
    pgrep -x slurmd >/dev/null || /usr/sbin/slurmd
    for _ in $(seq 60); do
        if sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
            echo "SLURM up: $(sinfo -h -o '%P %D %c %m %t')" >&2
            return 0
        fi
        sleep 0.5
    done
    echo "SLURM did not come up; see $state/*.log" >&2
    return 1
}

stop() {
    for pidfile in "$state"/slurmd.pid "$state"/slurmctld.pid; do
        [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
    done
    pkill -x munged 2>/dev/null || true
    rm -f "$conf"
}

"${1:?usage: cluster.sh start|stop}"
