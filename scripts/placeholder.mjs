// Stand-in for root scripts whose packages are not built yet (see the open issues).
const what = process.argv[2];
console.log(`'pnpm ${what}' is not available yet: it arrives with the ${what} issue.`);
