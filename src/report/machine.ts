/**
 * The machine a report was measured on (cores, CPU, Node version): every timing in a
 * report is only meaningful next to it. The one impure input of a report, kept apart so
 * the report builder stays a pure function.
 */
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
