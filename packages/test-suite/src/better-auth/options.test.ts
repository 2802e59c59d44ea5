import { betterAuthEntities, mikroOrmAdapter } from '@mikro-auth/better-auth';
import type { BetterAuthOptions } from 'better-auth';
import { twoFactor } from 'better-auth/plugins';
import { describe, expect, it } from 'vitest';
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
});
