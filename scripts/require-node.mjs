// Fails with one plain line when this Node.js is older than the repository needs: its demos, tests
// and scripts run TypeScript entry points directly, which needs type stripping without a flag
// (Node.js 22.18+). Written for any Node.js, so an old one gets this line and not a stack trace.
var need = [22, 18];
var have = process.versions.node.split('.').map(Number);
if (have[0] < need[0] || (have[0] === need[0] && have[1] < need[1])) {
  console.error(
    'mikro-auth: this needs Node.js ' +
      need.join('.') +
      ' or newer; this is Node.js ' +
      process.versions.node +
      '. Install a current Node.js (e.g. 24) and run the command again.',
  );
  process.exit(1);
}
