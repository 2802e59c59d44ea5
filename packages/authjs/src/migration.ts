import { ConfigurationError } from '@mikro-auth/core';

/** The SQL dialects the migration from `@auth/mikro-orm-adapter` is written for. */
export type LegacyMigrationDialect = 'sqlite' | 'postgresql' | 'mysql' | 'mariadb';

export const LEGACY_MIGRATION_DIALECTS: readonly LegacyMigrationDialect[] = [
  'sqlite',
  'postgresql',
  'mysql',
  'mariadb',
];

/**
 * The `authenticator` table exactly as `authjsEntities()` creates it (MikroORM 7's schema
 * generator), per dialect.
 */
const AUTHENTICATOR: Record<'sqlite' | 'postgresql' | 'mysql', readonly string[]> = {
  sqlite: [
    'create table `authenticator` (`id` text not null primary key, `credential_id` text not null, `user_id` text not null, `provider_account_id` text not null, `credential_public_key` text not null, `counter` bigint not null, `credential_device_type` text not null, `credential_backed_up` integer not null, `transports` text null, constraint `authenticator_user_id_foreign` foreign key (`user_id`) references `user` (`id`) on delete cascade)',
    'create unique index `authenticator_credential_id_unique` on `authenticator` (`credential_id`)',
    'create index `authenticator_user_id_index` on `authenticator` (`user_id`)',
  ],
  postgresql: [
    'create table "authenticator" ("id" varchar(255) not null, "credential_id" varchar(255) not null, "user_id" varchar(255) not null, "provider_account_id" varchar(255) not null, "credential_public_key" text not null, "counter" bigint not null, "credential_device_type" varchar(255) not null, "credential_backed_up" boolean not null, "transports" varchar(255) null, primary key ("id"))',
    'alter table "authenticator" add constraint "authenticator_credential_id_unique" unique ("credential_id")',
    'create index "authenticator_user_id_index" on "authenticator" ("user_id")',
    'alter table "authenticator" add constraint "authenticator_user_id_foreign" foreign key ("user_id") references "user" ("id") on delete cascade',
  ],
  mysql: [
    'create table `authenticator` (`id` varchar(255) not null, `credential_id` varchar(255) collate utf8mb4_bin not null, `user_id` varchar(255) not null, `provider_account_id` varchar(255) not null, `credential_public_key` text not null, `counter` bigint not null, `credential_device_type` varchar(255) not null, `credential_backed_up` tinyint(1) not null, `transports` varchar(255) null, primary key (`id`)) default character set utf8mb4 engine = InnoDB',
    'alter table `authenticator` add unique `authenticator_credential_id_unique` (`credential_id`)',
    'alter table `authenticator` add index `authenticator_user_id_index` (`user_id`)',
    'alter table `authenticator` add constraint `authenticator_user_id_foreign` foreign key (`user_id`) references `user` (`id`) on delete cascade',
  ],
};

/**
 * SQLite cannot change a column's type, a primary key or a foreign key in place: the table is
 * rebuilt (created anew, rows copied, old table dropped, new one renamed).
 */
function sqliteRebuild(
  table: string,
  create: string,
  columns: Readonly<Record<string, string>>,
  indexes: readonly string[],
): string[] {
  const next = `${table}__mikro_auth`;
  const targets = Object.keys(columns)
    .map((column) => `\`${column}\``)
    .join(', ');
  const sources = Object.values(columns).join(', ');
  return [
    create.replace(`create table \`${table}\``, `create table \`${next}\``),
    `insert into \`${next}\` (${targets}) select ${sources} from \`${table}\``,
    `drop table \`${table}\``,
    `alter table \`${next}\` rename to \`${table}\``,
    ...indexes,
  ];
}

const SQLITE: readonly string[] = [
  ...sqliteRebuild(
    'session',
    'create table `session` (`id` text not null primary key, `session_token` text not null, `user_id` text not null, `expires` datetime not null, constraint `session_user_id_foreign` foreign key (`user_id`) references `user` (`id`) on delete cascade)',
    { id: '`id`', session_token: '`session_token`', user_id: '`user_id`', expires: '`expires`' },
    [
      'create unique index `session_session_token_unique` on `session` (`session_token`)',
      'create index `session_user_id_index` on `session` (`user_id`)',
    ],
  ),
  ...sqliteRebuild(
    'account',
    'create table `account` (`id` text not null primary key, `user_id` text not null, `type` text not null, `provider` text not null, `provider_account_id` text not null, `refresh_token` text null, `access_token` text null, `expires_at` bigint null, `token_type` text null, `scope` text null, `id_token` text null, `session_state` text null, constraint `account_user_id_foreign` foreign key (`user_id`) references `user` (`id`) on delete cascade)',
    Object.fromEntries(
      [
        'id',
        'user_id',
        'type',
        'provider',
        'provider_account_id',
        'refresh_token',
        'access_token',
        'expires_at',
        'token_type',
        'scope',
        'id_token',
        'session_state',
      ].map((column) => [column, `\`${column}\``]),
    ),
    [
      'create index `account_user_id_index` on `account` (`user_id`)',
      'create unique index `account_provider_provider_account_id_unique` on `account` (`provider`, `provider_account_id`)',
    ],
  ),
  // Pending tokens are kept; the key becomes (identifier, token), as Auth.js defines it.
  ...sqliteRebuild(
    'verification_token',
    'create table `verification_token` (`identifier` text not null, `token` text not null, `expires` datetime not null, primary key (`identifier`, `token`))',
    { identifier: '`identifier`', token: '`token`', expires: '`expires`' },
    [],
  ),
  ...AUTHENTICATOR.sqlite,
];

const POSTGRESQL: readonly string[] = [
  'alter table "user" alter column "name" type text, alter column "email_verified" type timestamptz(3), alter column "image" type text',
  'alter table "session" alter column "expires" type timestamptz(3)',
  'alter table "session" drop constraint "session_user_id_foreign"',
  'alter table "session" add constraint "session_user_id_foreign" foreign key ("user_id") references "user" ("id") on delete cascade',
  'create index "session_user_id_index" on "session" ("user_id")',
  'alter table "account" alter column "refresh_token" type text, alter column "access_token" type text, alter column "expires_at" type bigint, alter column "scope" type text, alter column "session_state" type text',
  'alter table "account" drop constraint "account_user_id_foreign"',
  'alter table "account" add constraint "account_user_id_foreign" foreign key ("user_id") references "user" ("id") on delete cascade',
  'create index "account_user_id_index" on "account" ("user_id")',
  // Pending tokens are kept; the key becomes (identifier, token), as Auth.js defines it.
  'alter table "verification_token" alter column "expires" type timestamptz(3)',
  'alter table "verification_token" drop constraint "verification_token_token_identifier_unique"',
  'alter table "verification_token" drop constraint "verification_token_pkey"',
  'alter table "verification_token" add constraint "verification_token_pkey" primary key ("identifier", "token")',
  ...AUTHENTICATOR.postgresql,
];

const MYSQL: readonly string[] = [
  // Keyed strings get the binary collation: lookups are exact, so the unique indexes must be too.
  'alter table `user` modify `name` text null, modify `email` varchar(255) collate utf8mb4_bin null, modify `email_verified` datetime(3) null, modify `image` text null',
  'alter table `session` modify `session_token` varchar(255) collate utf8mb4_bin not null, modify `expires` datetime(3) not null',
  'alter table `session` drop foreign key `session_user_id_foreign`',
  'alter table `session` add constraint `session_user_id_foreign` foreign key (`user_id`) references `user` (`id`) on delete cascade',
  'alter table `account` modify `provider` varchar(255) collate utf8mb4_bin not null, modify `provider_account_id` varchar(255) collate utf8mb4_bin not null, modify `refresh_token` text null, modify `access_token` text null, modify `expires_at` bigint null, modify `scope` text null, modify `session_state` text null',
  'alter table `account` drop foreign key `account_user_id_foreign`',
  'alter table `account` add constraint `account_user_id_foreign` foreign key (`user_id`) references `user` (`id`) on delete cascade',
  // Pending tokens are kept; the key becomes (identifier, token), as Auth.js defines it.
  'alter table `verification_token` modify `identifier` varchar(255) collate utf8mb4_bin not null first, modify `token` varchar(255) collate utf8mb4_bin not null after `identifier`, modify `expires` datetime(3) not null, drop primary key, add primary key (`identifier`, `token`)',
  'alter table `verification_token` drop index `verification_token_token_identifier_unique`',
  ...AUTHENTICATOR.mysql,
];

/**
 * The SQL statements that bring the tables of `@auth/mikro-orm-adapter` 2.x (its default entities,
 * created by MikroORM 6 with the default naming strategy) to the tables `authjsEntities()` describes,
 * keeping every row: users, accounts, sessions and pending verification tokens.
 */
export function legacyMigrationStatements(dialect: LegacyMigrationDialect): string[] {
  switch (dialect) {
    case 'sqlite':
      return [...SQLITE];
    case 'postgresql':
      return [...POSTGRESQL];
    case 'mysql':
    case 'mariadb':
      return [...MYSQL];
    default:
      throw new ConfigurationError(
        'dialect',
        `"${String(dialect)}" is no supported dialect; use ${LEGACY_MIGRATION_DIALECTS.join(', ')}.`,
      );
  }
}

/**
 * The statements as one SQL script, one statement per line, each ending in `;`. The header is a
 * block comment opening the first statement's line: MikroORM 6 runs a SQLite script line by line,
 * and a line holding only a comment is no statement there.
 */
export function legacyMigrationSql(dialect: LegacyMigrationDialect): string {
  const header =
    `/* From @auth/mikro-orm-adapter 2.x to @mikro-auth/authjs (${dialect}), generated by ` +
    '`mikro-auth-authjs migration`. Keeps users, accounts, sessions and pending verification tokens. */ ';
  return `${header}${legacyMigrationStatements(dialect)
    .map((statement) => `${statement};\n`)
    .join('')}`;
}

/**
 * A MikroORM migration class (TypeScript source for `@mikro-orm/migrations`) running the
 * statements, named like the files `npx mikro-orm migration:create` writes.
 */
export function legacyMigrationClass(dialect: LegacyMigrationDialect, className: string): string {
  const lines = legacyMigrationStatements(dialect)
    .map((statement) => `    this.addSql(${JSON.stringify(statement)});`)
    .join('\n');
  return (
    "import { Migration } from '@mikro-orm/migrations';\n\n" +
    `/** From @auth/mikro-orm-adapter 2.x to @mikro-auth/authjs (${dialect}); generated by \`mikro-auth-authjs migration\`. */\n` +
    `export class ${className} extends Migration {\n` +
    '  override async up(): Promise<void> {\n' +
    `${lines}\n` +
    '  }\n' +
    '}\n'
  );
}
