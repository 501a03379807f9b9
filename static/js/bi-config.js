/* Bootstrap Italia settings read when its bundle loads; this file must come before the bundle.
   A static file, not an inline script: the Content-Security-Policy allows scripts from 'self' only. */
(function () {
  "use strict";
  // .../static/js/bi-config.js -> .../static/vendor/bootstrap-italia/fonts, wherever the app is mounted.
  var here = document.currentScript ? document.currentScript.src : "/static/js/bi-config.js";
  window.__PUBLIC_PATH__ = here.replace(/js\/bi-config\.js(\?.*)?$/, "vendor/bootstrap-italia/fonts");
  // bootstrap.loadFonts() and video.js would inject <style> elements, which style-src 'self'
  // blocks; the same @font-face rules are served as static/css/fonts.css instead.
  window.VIDEOJS_NO_DYNAMIC_STYLE = true;
})();
