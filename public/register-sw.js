// Offline support for the shop's pages (see public/sw.js), inlined into each
// shop page by trunk so that a slow phone makes no extra request for it.
if ('serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch(() => {});
    // Then fetch the shop's other bundles in the background, after this
    // page's own requests have had the network to themselves; not when the
    // phone asks to save data.
    if (!(navigator.connection && navigator.connection.saveData)) {
      setTimeout(() => navigator.serviceWorker.ready
        .then((r) => r.active && r.active.postMessage('precache')), 3000);
    }
  });
}
