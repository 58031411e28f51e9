/**
 * How numbers and marks look in text output: thousands separators, milliseconds,
 * speedups (2.41×), percentages, ✓/✗ with colour (and still readable without it), and
 * location keys shortened for tables.
 */
import chalk from 'chalk';
import Table from 'cli-table3';
import { describeLocation, locationSlot } from '../../state/locations.js';

export function formatInt(value: number | bigint | string): string {
  return BigInt(value).toLocaleString('en-US');
}

export function formatMs(ms: number): string {
  if (ms >= 100) return `${ms.toFixed(1)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(3)} ms`;
}

export function formatSpeedup(value: number): string {
  return `${value.toFixed(2)}×`;
}

export function formatPercent(ratio: number): string {
  return `${(ratio * 100).toFixed(ratio < 0.1 && ratio > 0 ? 1 : 0)}%`;
}

export const ok = (text = '✓'): string => chalk.green(text);
export const bad = (text = '✗'): string => chalk.red.bold(text);
export const warn = (text: string): string => chalk.yellow(text);
export const dim = (text: string): string => chalk.dim(text);
export const heading = (text: string): string => chalk.bold(text);

/** A location key as table text: describeLocation with a storage slot's leading zeros dropped ("slot 0x3"). */
export function locationText(key: string): string {
  const slot = locationSlot(key);
  if (slot === undefined) return describeLocation(key);
  const short = '0x' + (slot.slice(2).replace(/^0+/, '') || '0');
  return describeLocation(key).slice(0, -slot.length) + short;
}

/** A borderless-head table: no colours of its own (cli-table3 would colour the head red). */
export function table(head: string[] = [], colAligns?: Array<'left' | 'right' | 'center'>): Table.Table {
  return new Table({ head: head.map((h) => chalk.bold(h)), style: { head: [], border: [], compact: true }, ...(colAligns ? { colAligns } : {}) });
}

/** Joins tx indices for reading: "tx 3", "tx 1, 4, 7". */
export function txList(indices: number[]): string {
  return indices.length === 0 ? '' : `tx ${indices.join(', ')}`;
}
