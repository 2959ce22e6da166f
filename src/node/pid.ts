// Whether a process still runs, for the tools and tests that stop servers or take over locks.

/** Signal 0 checks without signalling; EPERM means it runs, as another user's process. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
