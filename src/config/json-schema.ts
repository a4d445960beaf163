// The config file's JSON Schema, generated from the zod schema that validates it (so the two cannot
// drift). Shipped as dist/config.schema.json (scripts/build.ts) and printed by `config-schema`.
import { z } from 'zod';
import { configFileSchema } from './index.ts';

export function configFileJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configFileSchema, { target: 'draft-2020-12' }),
    title: 'genesys-transcripts config file',
  };
}
