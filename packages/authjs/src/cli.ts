#!/usr/bin/env node
/**
 * `mikro-auth-authjs migration --dialect <sqlite|postgresql|mysql|mariadb> [--format sql|class] [--out <file>]`:
 * writes the migration from `@auth/mikro-orm-adapter` 2.x tables to `@mikro-auth/authjs`.
 */
import { writeFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parseArgs } from 'node:util';
import { MikroAuthError } from '@mikro-auth/core';
import {
  LEGACY_MIGRATION_DIALECTS,
  type LegacyMigrationDialect,
  legacyMigrationClass,
  legacyMigrationSql,
} from './migration.js';

const USAGE = `Usage: mikro-auth-authjs migration --dialect <${LEGACY_MIGRATION_DIALECTS.join('|')}> [--format sql|class] [--out <file>]

Writes the migration from the tables of @auth/mikro-orm-adapter 2.x to those of @mikro-auth/authjs:
  --format sql    plain SQL, one statement per line (default); run it with orm.schema.execute(sql)
  --format class  a MikroORM migration class for @mikro-orm/migrations (npx mikro-orm migration:up)
  --out <file>    write to the file instead of standard output`;

class UsageError extends Error {}

/** A MikroORM migration class name from the file name (`Migration20261130_authjs.ts` → `Migration20261130_authjs`). */
function className(out: string | undefined): string {
  const name = out ? basename(out, extname(out)).replace(/[^A-Za-z0-9_$]/g, '_') : '';
  return /^[A-Za-z_$]/.test(name) ? name : 'MigrationFromAuthMikroOrmAdapter';
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dialect: { type: 'string' },
      format: { type: 'string', default: 'sql' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (positionals[0] !== 'migration' || positionals.length > 1) {
    throw new UsageError(`Unknown command "${positionals.join(' ')}".`);
  }
  const dialect = values.dialect as LegacyMigrationDialect | undefined;
  if (!dialect || !LEGACY_MIGRATION_DIALECTS.includes(dialect)) {
    throw new UsageError(
      `--dialect must be one of ${LEGACY_MIGRATION_DIALECTS.join(', ')} (got ${dialect ?? 'nothing'}).`,
    );
  }
  let text: string;
  if (values.format === 'sql') text = legacyMigrationSql(dialect);
  else if (values.format === 'class') text = legacyMigrationClass(dialect, className(values.out));
  else throw new UsageError(`--format must be sql or class (got ${values.format}).`);
  if (values.out) {
    await writeFile(values.out, text);
    process.stderr.write(`Wrote ${values.out}\n`);
  } else {
    process.stdout.write(text);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (
    error instanceof UsageError ||
    (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
  ) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    process.exitCode = 2;
  } else if (error instanceof MikroAuthError) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  } else {
    throw error;
  }
});
