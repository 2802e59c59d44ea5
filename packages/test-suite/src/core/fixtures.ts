import type { Store, TableSpec } from '@mikro-auth/core';

/** Tables used by the core conformance tests, described neutrally and built by core's builder. */
export const CORE_TABLES: TableSpec[] = [
  {
    entity: 'Member',
    table: 'member',
    fields: {
      name: { type: 'string' },
      email: { type: 'string', unique: true },
      emailVerified: { type: 'boolean', column: 'email_verified' },
      age: { type: 'number', required: false },
      createdAt: { type: 'date' },
      metadata: { type: 'json', required: false },
      tags: { type: 'string[]', required: false },
      points: { type: 'bigint', required: false },
    },
  },
  {
    entity: 'Ticket',
    table: 'ticket',
    fields: {
      token: { type: 'string', unique: true },
      memberId: {
        type: 'string',
        references: { table: 'member', onDelete: 'cascade' },
        index: true,
      },
      expiresAt: { type: 'date' },
      uses: { type: 'number' },
      label: { type: 'string', required: false },
    },
  },
  {
    entity: 'Counter',
    table: 'counter',
    id: { strategy: 'serial' },
    fields: { name: { type: 'string' }, value: { type: 'number', default: 0 } },
  },
];

/** The instant the core tests stamp their rows with. */
export const AT = new Date('2026-05-06T07:08:09.123Z');

/** A member row named after its id. */
export const memberRow = (id: string) => ({
  id,
  name: id,
  email: `${id}@x.io`,
  emailVerified: false,
  createdAt: AT,
});

/** Members a, b, c (or `ids`), each with one ticket `t-<id>` whose token is `tok-<id>` and 0 uses. */
export async function seedMembersWithTickets(
  store: Store,
  ids: readonly string[] = ['a', 'b', 'c'],
): Promise<void> {
  for (const id of ids) {
    await store.create('member', memberRow(id));
    await store.create('ticket', {
      id: `t-${id}`,
      token: `tok-${id}`,
      memberId: id,
      expiresAt: AT,
      uses: 0,
    });
  }
}
