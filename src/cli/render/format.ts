/**
 * How numbers and marks look in text output: thousands separators, milliseconds,
 * speedups (2.41×), percentages, ✓/✗ with colour (and still readable without it), and
 * addresses and location keys for tables (named when well known, shortened on a narrow
 * terminal).
 */
import chalk from 'chalk';
import Table from 'cli-table3';
import { addressName } from '../../rangeAnalysis/knownAddresses.js';
import { compactText, wrapText } from '../terminal.js';
import { describeLocation, locationAddress, locationSlot } from '../../state/locations.js';

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

export { compactText, wrapText };

/** A 0x hex string for a table: whole, or its first and last digits on a narrow terminal. */
export function hexText(hex: string, keep = 6): string {
  return compactText() && hex.length > 2 + 2 * keep + 1 ? `${hex.slice(0, 2 + keep)}…${hex.slice(-keep)}` : hex;
}

/** An address for a table, with its well-known name: "0xc02a…6cc2 (WETH)". */
export function addressText(address: string): string {
  const name = addressName(address.toLowerCase());
  return name === undefined ? hexText(address) : `${hexText(address, 4)} (${name})`;
}

/** A location key as table text: "balance 0x… (WETH)", "0x… slot 0x3" (a slot's leading zeros dropped). */
export function locationText(key: string): string {
  const slot = locationSlot(key);
  const address = addressText(locationAddress(key));
  if (slot === undefined) return describeLocation(key).replace(locationAddress(key), address);
  const short = '0x' + (slot.slice(2).replace(/^0+/, '') || '0');
  return `${address} slot ${hexText(short)}`;
}

/** A borderless-head table: no colours of its own (cli-table3 would colour the head red). */
export function table(head: string[] = [], colAligns?: Array<'left' | 'right' | 'center'>): Table.Table {
  return new Table({ head: head.map((h) => chalk.bold(h)), style: { head: [], border: [], compact: true }, ...(colAligns ? { colAligns } : {}) });
}

/** Joins tx indices for reading: "tx 3", "tx 1, 4, 7". */
export function txList(indices: number[]): string {
  return indices.length === 0 ? '' : `tx ${indices.join(', ')}`;
}
