/** Prudence: a module's startup document runs once at every start of the runtime, with context "initial". */
declare const document: { context: unknown };

console.log(`startup document ran with context ${JSON.stringify(document.context)}`);

export {};
