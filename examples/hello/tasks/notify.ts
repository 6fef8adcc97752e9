/**
 * A Prudence-style program document: runs top to bottom on every run, with the context as
 * `document.context` (the crontab passes the rest of its line as a string).
 */
declare const document: { context: unknown };

console.log(`notify: ${typeof document.context === "string" ? document.context : JSON.stringify(document.context)}`);

export {};
