// `genesys-transcripts config-schema`: prints the JSON Schema of the --config file (the same
// schema the package ships as dist/config.schema.json), for editors and CI validation.
import type { Command } from 'commander';

export function registerConfigSchemaCommand(program: Command): void {
  program
    .command('config-schema')
    .description('Print the JSON Schema of the --config file')
    .action(async () => {
      const { configFileJsonSchema } = await import('../../config/json-schema.ts');
      process.stdout.write(`${JSON.stringify(configFileJsonSchema(), null, 2)}\n`);
    });
}
