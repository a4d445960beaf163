// Each subcommand lives in its own module and registers itself here.
import type { Command } from 'commander';
import { registerExportCommand } from './export.ts';
import { registerEnqueueCommand } from './enqueue.ts';
import { registerWorkerCommand } from './worker.ts';
import { registerQueueStatusCommand } from './queue-status.ts';
import { registerRedactCommand } from './redact.ts';
import { registerEmulatorCommand } from './emulator.ts';
import { registerStatusCommand } from './status.ts';
import { registerVerifyAuditCommand } from './verify-audit.ts';
import { registerReviewCommand } from './review.ts';
import { registerSearchCommand } from './search.ts';
import { registerVerifyCommand } from './verify.ts';
import { registerConfigSchemaCommand } from './config-schema.ts';
import { registerDlqCommand } from './dlq.ts';

/** `setExitCode` lets a command report partial failure (1) without throwing. */
export type SetExitCode = (code: number) => void;

export function registerCommands(program: Command, setExitCode: SetExitCode): void {
  registerExportCommand(program, setExitCode);
  registerEnqueueCommand(program, setExitCode);
  registerWorkerCommand(program, setExitCode);
  registerQueueStatusCommand(program, setExitCode);
  registerRedactCommand(program, setExitCode);
  registerEmulatorCommand(program);
  registerStatusCommand(program, setExitCode);
  registerVerifyAuditCommand(program, setExitCode);
  registerReviewCommand(program);
  registerSearchCommand(program, setExitCode);
  registerVerifyCommand(program, setExitCode);
  registerConfigSchemaCommand(program);
  registerDlqCommand(program, setExitCode);
  // Subcommands are added here as they are built: emulator, export, status, redact, verify-audit,
  // enqueue, worker.
}
