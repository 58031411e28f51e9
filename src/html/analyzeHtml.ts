import { renameSync, writeFileSync } from 'node:fs';
import type { AnalyzeReport } from '../analyze/report.js';

export function renderHtml(report: AnalyzeReport): string {
  return `<!doctype html><title>stm analyze</title><pre>${JSON.stringify(report.summary)}</pre>`;
}

export function writeHtmlReport(file: string, report: AnalyzeReport): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, renderHtml(report));
  renameSync(tmp, file);
}
