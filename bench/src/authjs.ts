/**
 * The Auth.js contenders: @mikro-auth/authjs's getSessionAndUser against the same SQL sent
 * straight through the driver. One database each, same tables (authjsEntities).
 */
import { authjsEntities, MikroOrmAdapter } from '@mikro-auth/authjs';
import { MikroORM as PostgresOrm } from '@mikro-orm/postgresql';
import { MikroORM as SqliteOrm } from '@mikro-orm/sqlite';
import { type BenchDatabase, createLocation, rawConnection } from './databases.ts';

export interface SessionContender {
  name: 'mikro-auth' | 'raw';
  /** The session and its user by session token. */
  lookup(): Promise<unknown>;
  close(): Promise<void>;
}

async function openOrm(database: BenchDatabase, target: string) {
  const options = { entities: authjsEntities() };
  return database === 'sqlite'
    ? SqliteOrm.init({ ...options, dbName: target })
    : PostgresOrm.init({ ...options, clientUrl: target });
}

export async function createSessionContenders(
  database: BenchDatabase,
): Promise<{ contenders: SessionContender[]; drop: () => Promise<void> }> {
  const drops: Array<() => Promise<void>> = [];
  const contenders: SessionContender[] = [];
  const expires = new Date(Date.now() + 86_400_000);
  for (const name of ['mikro-auth', 'raw'] as const) {
    const location = await createLocation(database, `authjs_${name}`);
    drops.push(location.drop);
    const orm = await openOrm(database, location.target);
    await orm.schema.create();
    const adapter = MikroOrmAdapter(orm);
    const user = await adapter.createUser({
      id: crypto.randomUUID(),
      email: 'bench@example.com',
      emailVerified: null,
    });
    const session = await adapter.createSession({
      sessionToken: crypto.randomUUID(),
      userId: user.id,
      expires,
    });
    if (name === 'mikro-auth') {
      contenders.push({
        name,
        lookup: async () => {
          const found = await adapter.getSessionAndUser(session.sessionToken);
          if (!found) throw new Error('mikro-auth: getSessionAndUser found nothing');
          return found;
        },
        close: () => orm.close(),
      });
    } else {
      await orm.close();
      const raw = rawConnection(database, location.target);
      const sql =
        'select s."id", s."session_token", s."user_id", s."expires", u."id" as "u_id", u."name" as "u_name", ' +
        'u."email" as "u_email", u."email_verified" as "u_email_verified", u."image" as "u_image" ' +
        'from "session" s left join "user" u on u."id" = s."user_id" where s."session_token" = ?';
      contenders.push({
        name,
        lookup: async () => {
          const rows = await raw.query(sql, [session.sessionToken]);
          if (rows.length !== 1) throw new Error('raw: session lookup found nothing');
          return rows[0];
        },
        close: () => raw.close(),
      });
    }
  }
  return {
    contenders,
    drop: async () => {
      for (const drop of drops) await drop();
    },
  };
}
