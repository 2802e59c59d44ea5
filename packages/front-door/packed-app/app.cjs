// The same packages from CommonJS (require of an ES module, Node >= 22.12).
const betterAuth = require('@mikro-auth/better-auth');
const authjs = require('@mikro-auth/authjs');
const core = require('@mikro-auth/core');
const sessions = require('@mikro-auth/express-session');

console.log(
  JSON.stringify({
    cjs: [
      typeof betterAuth.mikroOrmAdapter,
      typeof authjs.MikroOrmAdapter,
      typeof core.createStore,
      typeof sessions.MikroOrmSessionStore,
    ],
  }),
);
