// The scheduled task of the e2e module: prints a line and exits 0.
console.log(`nightly ran at ${new Date().toISOString()}`);
