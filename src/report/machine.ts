/**
 * The machine a report was measured on (cores, CPU, Node version): every timing in a
 * report is only meaningful next to it, and how busy the rest of the machine was while it
 * measured. The impure inputs of a report, kept apart so
 * the report builder stays a pure function.
 */
import { readFileSync } from 'node:fs';
import { arch, availableParallelism, cpus, platform } from 'node:os';

export interface MachineInfo {
  /** Logical cores Node may use (os.availableParallelism()). */
  cores: number;
  /** CPU model as the OS reports it ("" when unknown). */
  cpuModel: string;
  /** process.version, e.g. "v20.20.2". */
  nodeVersion: string;
  /** os.platform(), e.g. "linux". */
  platform: string;
  /** os.arch(), e.g. "x64". */
  arch: string;
}

export function machineInfo(): MachineInfo {
  return {
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? '',
    nodeVersion: process.version,
    platform: platform(),
    arch: arch(),
  };
}

/** USER_HZ: the unit of /proc/stat's counters. */
const CLOCK_TICKS_PER_SECOND = 100;

function machineBusySeconds(): number | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    return (total - fields[3]! - fields[4]!) / CLOCK_TICKS_PER_SECOND; // not idle, not iowait
  } catch {
    return undefined; // not Linux
  }
}

/**
 * Starts measuring how busy the rest of the machine is (as scripts/machine/quiet-run.ts does): the
 * machine's CPU time from /proc/stat minus this process's own (all its threads). The
 * returned function gives the cores other processes used on average since the start, or
 * null where /proc/stat does not exist.
 */
export function sampleOtherProcessesCpu(): () => number | null {
  const machine0 = machineBusySeconds();
  const own0 = process.cpuUsage();
  const t0 = performance.now();
  return () => {
    const machine1 = machineBusySeconds();
    const seconds = (performance.now() - t0) / 1000;
    if (machine0 === undefined || machine1 === undefined || seconds <= 0) return null;
    const own = process.cpuUsage(own0);
    const ownSeconds = (own.user + own.system) / 1e6;
    return Math.max(0, (machine1 - machine0 - ownSeconds) / seconds);
  };
}
