// Everything the CLI prints that came from outside goes through printable(): escaped and cut
// (see src/util/printable.ts). Used by the summary, status, dlq and the top-level error line;
// the logger applies the same to every string of a log record.
export { DEFAULT_PRINTABLE_MAX, printable } from '../util/printable.ts';
