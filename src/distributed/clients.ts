// Several OAuth clients raise the total API budget (Genesys counts per client). A clients file
// lists them; everything else (region, URLs, timeouts) comes from the usual flags/env/config file:
//
//   { "clients": [ { "clientId": "a1…", "clientSecretEnv": "GT_SECRET_A" },
//                  { "clientId": "b2…", "clientSecretFile": "/run/secrets/b" } ] }
//
// `clientSecret` inline is accepted too (like the config file), but an env var or a file keeps it
// out of the file. The file's values are never echoed in errors.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { GtError } from '../errors.ts';
import { loadConfig, type GenesysConfig, type LoadConfigInput } from '../config/index.ts';

const clientsFileSchema = z
  .object({
    clients: z
      .array(
        z
          .object({
            clientId: z.string().min(1).max(200),
            clientSecret: z.string().min(1).optional(),
            clientSecretEnv: z.string().min(1).optional(),
            clientSecretFile: z.string().min(1).optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

/** One GenesysConfig per client of the file; `base` supplies region/URLs/limits as for `export`. */
export function loadClientConfigs(file: string, base: LoadConfigInput): GenesysConfig[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const why =
      err instanceof SyntaxError
        ? 'not valid JSON'
        : `cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
    throw new GtError('CONFIG_INVALID', `clients file ${file}: ${why}`);
  }
  const parsed = clientsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'top level'}: ${i.message}`);
    throw new GtError('CONFIG_INVALID', `clients file ${file}:\n  - ${problems.join('\n  - ')}`);
  }
  const env = base.env ?? {};
  return parsed.data.clients.map((c, i) => {
    const secret = c.clientSecret ?? (c.clientSecretEnv ? env[c.clientSecretEnv] : undefined);
    if (c.clientSecretEnv && !secret)
      throw new GtError(
        'CONFIG_INVALID',
        `clients file ${file}: clients.${i}: ${c.clientSecretEnv} is empty`,
      );
    return loadConfig({
      ...base,
      flags: { ...base.flags, clientId: c.clientId, clientSecretFile: c.clientSecretFile },
      env: { ...env, ...(secret ? { GENESYSCLOUD_OAUTHCLIENT_SECRET: secret } : {}) },
    });
  });
}
