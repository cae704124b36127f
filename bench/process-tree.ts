/** Linux process tree look-ups through /proc, for checks that nothing outlives a command. */
import { readdirSync, readFileSync } from 'node:fs';

interface ProcessEntry {
  readonly pid: number;
  readonly ppid: number;
  readonly name: string;
}

/** Every process of this machine as /proc shows it now (Linux only); ones that vanish mid-read are left out. */
function processes(): ProcessEntry[] {
  const entries: ProcessEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid …; comm may hold spaces and parentheses, so split at the last ')'.
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      entries.push({ pid: Number(name), ppid, name: comm });
    } catch {
      // The process ended while we looked.
    }
  }
  return entries;
}

/** The descendants of `root` (children, grandchildren…), with their command names. */
export function descendants(root: number): { pid: number; name: string }[] {
  const all = processes();
  const below = new Set<number>([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) {
      if (!below.has(p.pid) && below.has(p.ppid)) {
        below.add(p.pid);
        grew = true;
      }
    }
  }
  return all.filter((p) => p.pid !== root && below.has(p.pid)).map(({ pid, name }) => ({ pid, name }));
}

/** Pids of the descendants of `root` whose command name is `name`. */
export function descendantsNamed(root: number, name: string): number[] {
  return descendants(root)
    .filter((p) => p.name === name)
    .map((p) => p.pid);
}

/** Whether a process with `pid` is still there (a zombie counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
