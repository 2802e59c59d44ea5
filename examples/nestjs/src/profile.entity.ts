/**
 * The app's own entity: a profile per Better Auth user. Defined with `defineEntity` (no
 * decorators, so its types need no build-time reflection); Nest's decorators are only on the
 * module, the controller and its parameters.
 */
import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

export const Profile = defineEntity({
  name: 'Profile',
  tableName: 'profile',
  properties: {
    id: p.string().primary(),
    /** Better Auth's user id (a plain column: the user table belongs to Better Auth). */
    userId: p.string().unique(),
    bio: p.text(),
    updatedAt: p.datetime(),
  },
});

export type Profile = InferEntity<typeof Profile>;
