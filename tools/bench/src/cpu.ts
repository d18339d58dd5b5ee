// CPU time spent by this process and by the local MariaDB and Redis servers over a stretch of a
// benchmark. On a shared, noisy machine requests per second swing with the neighbours' load;
// the CPU a request costs does not, much: it is the figure to compare between runs and changes.
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ): 100 on Linux everywhere in practice. */
const USER_HZ = 100;

function pidsOf(names: string[]): number[] {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (names.includes(readFileSync(`/proc/${e}/comm`, 'utf8').trim())) pids.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** utime + stime of a process, in ms; 0 when it cannot be read (not local, not Linux, gone). */
function procCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, inside parentheses).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
  } catch {
    return 0;
  }
}

export interface CpuSpent {
  /** This process: the service under test and the load generator's thread. */
  nodeMs: number;
  /** mariadbd / mysqld on this machine (0 when it runs elsewhere). */
  mysqlMs: number;
  /** redis-server on this machine, all of them (0 when elsewhere). */
  redisMs: number;
}

export interface CpuMeter {
  stop(): CpuSpent;
}

export function startCpuMeter(): CpuMeter {
  const mysql = pidsOf(['mariadbd', 'mysqld']);
  const redis = pidsOf(['redis-server']);
  const sum = (pids: number[]) => pids.reduce((s, p) => s + procCpuMs(p), 0);
  const node0 = process.cpuUsage();
  const mysql0 = sum(mysql);
  const redis0 = sum(redis);
  return {
    stop() {
      const node = process.cpuUsage(node0);
      return {
        nodeMs: (node.user + node.system) / 1000,
        mysqlMs: sum(mysql) - mysql0,
        redisMs: sum(redis) - redis0,
      };
    },
  };
}

/** "1.84 ms node + 1.91 ms MariaDB + 0.12 ms Redis per request" */
export function perRequest(spent: CpuSpent, requests: number): string {
  const f = (n: number) => (n / Math.max(1, requests)).toFixed(2);
  return `${f(spent.nodeMs)} ms node + ${f(spent.mysqlMs)} ms MariaDB + ${f(spent.redisMs)} ms Redis CPU per request`;
}
