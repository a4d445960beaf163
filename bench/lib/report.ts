// What every benchmark returns, and the small formatting helpers their markdown uses, so all
// tables in bench/results/latest.md look alike.
import { fileURLToPath } from 'node:url';

export interface BenchResult {
  name: string;
  /** A markdown table plus one line per ratio. */
  markdown: string;
  ratios: Record<string, number>;
}

export type Cell = string | number;

/** A GitHub-flavoured markdown table. Numbers are printed as given: format them before. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const line = (cells: readonly Cell[]) =>
    `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Fixed decimals, without the noise of `toFixed` on huge or tiny numbers. */
export function fmt(n: number, decimals = 1): string {
  if (!Number.isFinite(n)) return 'n/a';
  return n.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** One bullet per ratio, in the order given: `- **name**: 1.23 — what it means`. */
export function ratioLines(ratios: Record<string, number>, explain: Record<string, string> = {}): string {
  return Object.entries(ratios)
    .map(([k, v]) => `- **${k}**: ${fmt(v, 2)}${explain[k] ? ` — ${explain[k]}` : ''}`)
    .join('\n');
}

/** True when the module at `metaUrl` is the script node was started with (`node bench/x.bench.ts`). */
export function isMain(metaUrl: string): boolean {
  return process.argv[1] !== undefined && fileURLToPath(metaUrl) === process.argv[1];
}

export const MB = 1024 * 1024;
