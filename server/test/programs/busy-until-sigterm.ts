/*
 * A stand-in for a server on a loaded host (main-process.test.ts): it handles SIGTERM the way
 * server/main.ts does (log, finish the work, exit 0), while its event loop is busy 100 ms of
 * every 110. Started with `npm start`'s launcher, it must get the signal and finish.
 */
process.on('SIGTERM', () => {
  console.log('shutting down');
  setTimeout(() => {
    console.log('bye');
    process.exit(0);
  }, 50);
});
console.log('ready');
setInterval(() => {
  const until = Date.now() + 100;
  while (Date.now() < until);
}, 110);
