/**
 * The tables and rows of an app that ran `@auth/mikro-orm-adapter` 2.x, per leg.
 *
 * Where each shape comes from: the adapter's default entities (nextauthjs/next-auth,
 * packages/adapter-mikro-orm/src/lib/entities.ts: `User`, `Account`, `Session`,
 * `VerificationToken`, with `types.string` / `types.integer` / `types.text` / `Date` properties,
 * `@Unique` on email and session token, `@Unique(["provider", "providerAccountId"])`,
 * `@Unique(["token", "identifier"])`, the token as the verification token's primary key and
 * `onDelete: "cascade"` user references) handed to MikroORM 6 with its default naming strategy.
 * The DDL below is what MikroORM 6.6.9's schema generator (`getCreateSchemaSQL()`) printed for
 * those entities with `@mikro-orm/sqlite`, `@mikro-orm/postgresql`, `@mikro-orm/mysql` and
 * `@mikro-orm/mariadb` 6.6.9, copied statement by statement (the `pragma foreign_keys` lines left out).
 *
 * The rows are what the old adapter wrote: UUID string ids, dates as MikroORM 6 stores them
 * (SQLite: milliseconds since the epoch in an integer; MySQL/MariaDB: `datetime` to the whole
 * second; PostgreSQL: `timestamptz`), `expires_at` in seconds, no `extra` column.
 */
import type { Dialect } from '../harness/index.js';

export const LEGACY_DDL: Record<Dialect, readonly string[]> = {
  sqlite: [
    'create table `user` (`id` text not null, `name` text null, `email` text null, `email_verified` datetime null, `image` text null, primary key (`id`))',
    'create unique index `user_email_unique` on `user` (`email`)',
    'create table `session` (`id` text not null, `user_id` text not null, `expires` datetime not null, `session_token` text not null, constraint `session_user_id_foreign` foreign key(`user_id`) references `user`(`id`) on delete cascade on update cascade, primary key (`id`))',
    'create index `session_user_id_index` on `session` (`user_id`)',
    'create unique index `session_session_token_unique` on `session` (`session_token`)',
    'create table `account` (`id` text not null, `user_id` text not null, `type` text not null, `provider` text not null, `provider_account_id` text not null, `refresh_token` text null, `access_token` text null, `expires_at` integer null, `token_type` text null, `scope` text null, `id_token` text null, `session_state` text null, constraint `account_user_id_foreign` foreign key(`user_id`) references `user`(`id`) on delete cascade on update cascade, primary key (`id`))',
    'create index `account_user_id_index` on `account` (`user_id`)',
    'create unique index `account_provider_provider_account_id_unique` on `account` (`provider`, `provider_account_id`)',
    'create table `verification_token` (`token` text not null, `expires` datetime not null, `identifier` text not null, primary key (`token`))',
    'create unique index `verification_token_token_identifier_unique` on `verification_token` (`token`, `identifier`)',
  ],
  postgres: [
    'create table "user" ("id" varchar(255) not null, "name" varchar(255) null, "email" varchar(255) null, "email_verified" timestamptz null, "image" varchar(255) null, constraint "user_pkey" primary key ("id"))',
    'alter table "user" add constraint "user_email_unique" unique ("email")',
    'create table "session" ("id" varchar(255) not null, "user_id" varchar(255) not null, "expires" timestamptz not null, "session_token" varchar(255) not null, constraint "session_pkey" primary key ("id"))',
    'alter table "session" add constraint "session_session_token_unique" unique ("session_token")',
    'create table "account" ("id" varchar(255) not null, "user_id" varchar(255) not null, "type" varchar(255) not null, "provider" varchar(255) not null, "provider_account_id" varchar(255) not null, "refresh_token" varchar(255) null, "access_token" varchar(255) null, "expires_at" int null, "token_type" varchar(255) null, "scope" varchar(255) null, "id_token" text null, "session_state" varchar(255) null, constraint "account_pkey" primary key ("id"))',
    'alter table "account" add constraint "account_provider_provider_account_id_unique" unique ("provider", "provider_account_id")',
    'create table "verification_token" ("token" varchar(255) not null, "expires" timestamptz not null, "identifier" varchar(255) not null, constraint "verification_token_pkey" primary key ("token"))',
    'alter table "verification_token" add constraint "verification_token_token_identifier_unique" unique ("token", "identifier")',
    'alter table "session" add constraint "session_user_id_foreign" foreign key ("user_id") references "user" ("id") on update cascade on delete cascade',
    'alter table "account" add constraint "account_user_id_foreign" foreign key ("user_id") references "user" ("id") on update cascade on delete cascade',
  ],
  mysql: mysqlFamily(),
  mariadb: mysqlFamily(),
};

/** @mikro-orm/mysql and @mikro-orm/mariadb 6.6.9 print the same DDL. */
function mysqlFamily(): readonly string[] {
  return [
    'create table `user` (`id` varchar(255) not null, `name` varchar(255) null, `email` varchar(255) null, `email_verified` datetime null, `image` varchar(255) null, primary key (`id`)) default character set utf8mb4 engine = InnoDB',
    'alter table `user` add unique `user_email_unique`(`email`)',
    'create table `session` (`id` varchar(255) not null, `user_id` varchar(255) not null, `expires` datetime not null, `session_token` varchar(255) not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB',
    'alter table `session` add index `session_user_id_index`(`user_id`)',
    'alter table `session` add unique `session_session_token_unique`(`session_token`)',
    'create table `account` (`id` varchar(255) not null, `user_id` varchar(255) not null, `type` varchar(255) not null, `provider` varchar(255) not null, `provider_account_id` varchar(255) not null, `refresh_token` varchar(255) null, `access_token` varchar(255) null, `expires_at` int null, `token_type` varchar(255) null, `scope` varchar(255) null, `id_token` text null, `session_state` varchar(255) null, primary key (`id`)) default character set utf8mb4 engine = InnoDB',
    'alter table `account` add index `account_user_id_index`(`user_id`)',
    'alter table `account` add unique `account_provider_provider_account_id_unique`(`provider`, `provider_account_id`)',
    'create table `verification_token` (`token` varchar(255) not null, `expires` datetime not null, `identifier` varchar(255) not null, primary key (`token`)) default character set utf8mb4 engine = InnoDB',
    'alter table `verification_token` add unique `verification_token_token_identifier_unique`(`token`, `identifier`)',
    'alter table `session` add constraint `session_user_id_foreign` foreign key (`user_id`) references `user` (`id`) on update cascade on delete cascade',
    'alter table `account` add constraint `account_user_id_foreign` foreign key (`user_id`) references `user` (`id`) on update cascade on delete cascade',
  ];
}

/** Legacy rows, with dates as JavaScript Dates (whole seconds, as MySQL kept them). */
export const LEGACY = {
  ada: {
    id: '3f1c9a52-8d4e-4b7a-9c61-2f0e5d7b8a14',
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    emailVerified: null,
    image: 'https://avatars.githubusercontent.com/u/1815?v=4',
  },
  bob: {
    id: '9b2e4d71-5c3a-4f18-8e07-6a1d2c9f0b35',
    name: null,
    email: 'bob@example.com',
    emailVerified: new Date('2025-03-14T09:26:53Z'),
    image: null,
  },
  github: {
    id: 'c7a1e2f3-0b4d-4e5f-8a6b-7c8d9e0f1a2b',
    userId: '3f1c9a52-8d4e-4b7a-9c61-2f0e5d7b8a14',
    type: 'oauth',
    provider: 'github',
    providerAccountId: '1815',
    access_token: 'gho_16C7e42F292c6912E7710c838347Ae178B4a',
    token_type: 'bearer',
    scope: 'read:user,user:email',
  },
  google: {
    id: 'd8b2f3a4-1c5e-4f6a-9b7c-8d9e0f1a2b3c',
    userId: '3f1c9a52-8d4e-4b7a-9c61-2f0e5d7b8a14',
    type: 'oidc',
    provider: 'google',
    providerAccountId: '108467382919283746501',
    access_token: 'ya29.a0AfB_byC-legacy-access-token',
    refresh_token: '1//0gLegacyRefreshToken',
    expires_at: 1_767_225_600,
    token_type: 'bearer',
    scope: 'openid https://www.googleapis.com/auth/userinfo.email',
    id_token: `eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.${'eyJpc3MiOiJodHRwczovL2FjY291bnRzLmdvb2dsZS5jb20ifQ'.repeat(12)}.c2lnbmF0dXJl`,
  },
  bobEmail: {
    id: 'e9c3a4b5-2d6f-4a7b-8c8d-9e0f1a2b3c4d',
    userId: '9b2e4d71-5c3a-4f18-8e07-6a1d2c9f0b35',
    type: 'email',
    provider: 'email',
    providerAccountId: 'bob@example.com',
  },
  adaSession: {
    id: 'f0d4b5c6-3e7a-4b8c-9d0e-1f2a3b4c5d6e',
    sessionToken: '5d8c1f0e-7a2b-4c3d-9e4f-0a1b2c3d4e5f',
    userId: '3f1c9a52-8d4e-4b7a-9c61-2f0e5d7b8a14',
    expires: new Date('2031-02-03T04:05:06Z'),
  },
  bobSession: {
    id: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    sessionToken: '7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918',
    userId: '9b2e4d71-5c3a-4f18-8e07-6a1d2c9f0b35',
    expires: new Date('2030-12-31T23:59:59Z'),
  },
  /** A sign-in link sent before the migration and not clicked yet. */
  pendingToken: {
    identifier: 'carol@example.com',
    token: '0c8f3a6e9d2b5f8a1c4e7b0d3f6a9c2e5b8d1f4a7c0e3b6d9f2a5c8e1b4d7f0a',
    expires: new Date('2031-06-01T12:00:00Z'),
  },
} as const;

/** The legacy rows as `insert` statements for the leg, dates written as MikroORM 6 wrote them. */
export function legacyInserts(leg: Dialect): string[] {
  const q = leg === 'postgres' ? (name: string) => `"${name}"` : (name: string) => `\`${name}\``;
  const value = (v: unknown): string => {
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'number') return String(v);
    if (v instanceof Date) {
      if (leg === 'sqlite') return String(v.getTime());
      const text = v.toISOString().replace('T', ' ').replace('.000Z', '');
      return leg === 'postgres' ? `'${text}+00'` : `'${text}'`;
    }
    return `'${String(v).replace(/'/g, "''")}'`;
  };
  const insert = (table: string, row: Record<string, unknown>) =>
    `insert into ${q(table)} (${Object.keys(row).map(q).join(', ')}) values (${Object.values(row)
      .map(value)
      .join(', ')})`;
  const user = (u: {
    id: string;
    name: string | null;
    email: string;
    emailVerified: Date | null;
    image: string | null;
  }) => ({
    id: u.id,
    name: u.name,
    email: u.email,
    email_verified: u.emailVerified,
    image: u.image,
  });
  const account = (a: Record<string, unknown>) => ({
    id: a.id,
    user_id: a.userId,
    type: a.type,
    provider: a.provider,
    provider_account_id: a.providerAccountId,
    refresh_token: a.refresh_token,
    access_token: a.access_token,
    expires_at: a.expires_at,
    token_type: a.token_type,
    scope: a.scope,
    id_token: a.id_token,
    session_state: a.session_state,
  });
  const session = (s: { id: string; userId: string; expires: Date; sessionToken: string }) => ({
    id: s.id,
    user_id: s.userId,
    expires: s.expires,
    session_token: s.sessionToken,
  });
  return [
    insert('user', user(LEGACY.ada)),
    insert('user', user(LEGACY.bob)),
    insert('account', account(LEGACY.github)),
    insert('account', account(LEGACY.google)),
    insert('account', account(LEGACY.bobEmail)),
    insert('session', session(LEGACY.adaSession)),
    insert('session', session(LEGACY.bobSession)),
    insert('verification_token', {
      token: LEGACY.pendingToken.token,
      expires: LEGACY.pendingToken.expires,
      identifier: LEGACY.pendingToken.identifier,
    }),
  ];
}
