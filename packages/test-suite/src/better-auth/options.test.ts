import { betterAuthEntities, mikroOrmAdapter } from '@mikro-auth/better-auth';
import type { BetterAuthOptions } from 'better-auth';
import { twoFactor } from 'better-auth/plugins';
import { describe, expect, it } from 'vitest';
import { preparedDuring, preparesOn } from '../core/prepared-runs.js';
import { useTestDatabase } from '../harness/index.js';

const db = useTestDatabase();

describe(`adapter options (${db.name})`, () => {
  it('usePlural and entityName apply to the entities and the adapter alike', async () => {
    const naming = {
      usePlural: true,
      entityName: (key: string) => `Auth${key[0]!.toUpperCase()}${key.slice(1)}`,
    };
    const config: BetterAuthOptions = { user: { modelName: 'member' } };
    const entities = betterAuthEntities(config, naming);
    expect(entities.map((entity) => [entity.meta.className, entity.meta.tableName])).toEqual([
      ['AuthUser', 'members'],
      ['AuthSession', 'sessions'],
      ['AuthAccount', 'accounts'],
      ['AuthVerification', 'verifications'],
    ]);
    const orm = await db.init({ entities });
    const adapter = mikroOrmAdapter(orm, naming)(config);
    const now = new Date();
    const user = await adapter.create<{ id: string }>({
      model: 'user',
      data: {
        name: 'Plural',
        email: 'plural@example.com',
        emailVerified: false,
        createdAt: now,
        updatedAt: now,
      },
    });
    expect(await adapter.count({ model: 'user', where: [{ field: 'id', value: user.id }] })).toBe(
      1,
    );
  });

  it('says which entity is missing when a plugin table was not added to MikroORM', async () => {
    const orm = await db.init({ entities: betterAuthEntities({}) });
    const adapter = mikroOrmAdapter(orm)({ plugins: [twoFactor()], logger: { disabled: true } });
    await expect(
      adapter.findOne({ model: 'twoFactor', where: [{ field: 'id', value: 'x' }] }),
    ).rejects.toThrow(/model "twoFactor": no entity \(known entities: .*User/);
  });

  it('preparedStatements: false reaches the store (look-ups then run as MikroORM runs them)', async () => {
    const orm = await db.init({ entities: betterAuthEntities({}) });
    const now = new Date();
    const lookUps = async (options: { preparedStatements?: boolean }) => {
      const adapter = mikroOrmAdapter(orm, options)({});
      const found: unknown[] = [];
      const prepared = await preparedDuring(async () => {
        for (const email of ['p@example.com', 'p@example.com', 'nobody@example.com']) {
          found.push(
            (
              await adapter.findOne<{ name: string }>({
                model: 'user',
                where: [{ field: 'email', value: email }],
              })
            )?.name ?? null,
          );
        }
      });
      return { found, prepared };
    };
    await mikroOrmAdapter(orm)({}).create({
      model: 'user',
      data: {
        name: 'P',
        email: 'p@example.com',
        emailVerified: false,
        createdAt: now,
        updatedAt: now,
      },
    });
    const on = await lookUps({});
    const off = await lookUps({ preparedStatements: false });
    expect(on.found).toEqual(['P', 'P', null]);
    expect(off.found).toEqual(on.found);
    // The first look-up learns the statement; the other two run it prepared where that exists.
    expect(on.prepared).toBe(preparesOn(db) ? 2 : 0);
    expect(off.prepared).toBe(0);
  });
});
