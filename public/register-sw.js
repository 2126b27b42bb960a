// Offline support for the shop's pages and the workspace's pickup page (see
// public/sw.js), inlined into each such page by trunk so that a slow phone
// makes no extra request for it.
if ('serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch(() => {});
    // Then fetch the shop's other bundles in the background, after this
    // page's own requests have had the network to themselves; not when the
    // phone asks to save data.
    if (!(navigator.connection && navigator.connection.saveData)) {
      // The workspace's pickup page keeps only its own files (sw.js).
      const what = location.pathname.startsWith('/organise/') ? 'precache-workspace' : 'precache';
      setTimeout(() => navigator.serviceWorker.ready
        .then((r) => r.active && r.active.postMessage(what)), 3000);
    }
  });
}
