// A stand-in for https://telegram.org/js/telegram-web-app.js, served to the page by the
// browser tests (the machine cannot reach telegram.org). It exposes the same
// Telegram.WebApp surface the page uses, configured by `window.__telegramTest`
// ({initData, colorScheme, themeParams}) which the test sets before the page loads.
// Like the real script, it sets the --tg-theme-* CSS variables from themeParams.
// `MainButton._press()` / `BackButton._press()` stand for the user tapping them.
(function () {
  "use strict";
  var config = window.__telegramTest || {};
  var theme = config.themeParams || {};
  var events = {};

  function button() {
    var handlers = [];
    var state = { text: "", visible: false, enabled: true };
    return {
      get isVisible() { return state.visible; },
      get isActive() { return state.enabled; },
      get text() { return state.text; },
      setText: function (text) { state.text = String(text); return this; },
      show: function () { state.visible = true; return this; },
      hide: function () { state.visible = false; return this; },
      enable: function () { state.enabled = true; return this; },
      disable: function () { state.enabled = false; return this; },
      onClick: function (cb) { handlers.push(cb); return this; },
      offClick: function (cb) { handlers = handlers.filter(function (h) { return h !== cb; }); return this; },
      _press: function () {
        if (!state.visible || !state.enabled) throw new Error("the button is not shown");
        handlers.slice().forEach(function (cb) { cb(); });
      },
    };
  }

  Object.keys(theme).forEach(function (key) {
    document.documentElement.style.setProperty("--tg-theme-" + key.replace(/_/g, "-"), theme[key]);
  });

  window.Telegram = {
    WebApp: {
      initData: config.initData || "",
      initDataUnsafe: {},
      version: "8.0",
      platform: "test",
      colorScheme: config.colorScheme || "light",
      themeParams: theme,
      viewportHeight: window.innerHeight,
      viewportStableHeight: window.innerHeight,
      isExpanded: false,
      ready: function () { this._ready = true; },
      expand: function () { this.isExpanded = true; },
      close: function () {},
      onEvent: function (name, cb) { (events[name] = events[name] || []).push(cb); },
      offEvent: function (name, cb) {
        events[name] = (events[name] || []).filter(function (h) { return h !== cb; });
      },
      openLink: function (url) { this._opened = url; },
      BackButton: button(),
      MainButton: button(),
    },
  };
})();
