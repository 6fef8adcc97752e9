// Preloaded (NODE_OPTIONS=--require) into a cluster node to give it a clock that is off by
// MODTASKS_TEST_CLOCK_SKEW_MS: what the node reads as "now" (Date.now(), new Date()) is moved,
// as on a machine whose clock drifted. The database's clock is not.
"use strict";
const skew = Number(process.env.MODTASKS_TEST_CLOCK_SKEW_MS || 0);
if (skew) {
  const RealDate = Date;
  const realNow = RealDate.now.bind(RealDate);
  class SkewedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(realNow() + skew);
      else super(...args);
    }
    static now() {
      return realNow() + skew;
    }
  }
  globalThis.Date = SkewedDate;
}
