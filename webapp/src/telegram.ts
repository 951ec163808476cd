// The parts of Telegram.WebApp (telegram-web-app.js) the page uses.

export interface BottomButton {
  setText(text: string): void;
  show(): void;
  hide(): void;
  enable(): void;
  disable(): void;
  onClick(cb: () => void): void;
  offClick(cb: () => void): void;
}

export interface WebApp {
  initData: string;
  colorScheme?: "light" | "dark";
  themeParams?: Record<string, string>;
  viewportStableHeight?: number;
  ready?(): void;
  expand?(): void;
  onEvent?(event: string, cb: () => void): void;
  openLink?(url: string): void;
  BackButton?: BottomButton;
  MainButton?: BottomButton;
}

declare global {
  interface Window {
    Telegram?: { WebApp?: WebApp };
  }
}

export function webApp(): WebApp | undefined {
  return window.Telegram?.WebApp;
}

const THEME_KEYS: Record<string, string> = {
  bg_color: "--bg",
  secondary_bg_color: "--bg2",
  text_color: "--text",
  hint_color: "--hint",
  link_color: "--link",
  button_color: "--button",
  button_text_color: "--button-text",
  section_bg_color: "--section",
  destructive_text_color: "--danger",
  accent_text_color: "--accent",
};

/** Follow Telegram's themeParams (light or dark) and the stable viewport height. */
export function followTelegram(onTheme: () => void): void {
  const app = webApp();
  const apply = () => {
    const root = document.documentElement;
    const params = app?.themeParams ?? {};
    for (const [key, name] of Object.entries(THEME_KEYS)) {
      if (params[key]) root.style.setProperty(name, params[key]);
      else root.style.removeProperty(name);
    }
    if (app?.colorScheme) root.dataset.scheme = app.colorScheme;
    onTheme();
  };
  const viewport = () => {
    const height = app?.viewportStableHeight;
    if (height) document.documentElement.style.setProperty("--vh", `${height}px`);
  };
  apply();
  viewport();
  app?.onEvent?.("themeChanged", apply);
  app?.onEvent?.("viewportChanged", viewport);
  app?.ready?.();
  app?.expand?.();
}

/** One handler at a time on a Telegram bottom/back button. */
export class ButtonSlot {
  private handler: (() => void) | null = null;
  constructor(private readonly button: () => BottomButton | undefined) {}

  set(text: string | null, handler: (() => void) | null): void {
    const button = this.button();
    if (!button) return;
    if (this.handler) button.offClick(this.handler);
    this.handler = handler;
    if (handler === null) {
      button.hide();
      return;
    }
    if (text !== null) button.setText(text);
    button.onClick(handler);
    button.enable();
    button.show();
  }
}

export const mainButton = new ButtonSlot(() => webApp()?.MainButton);
export const backButton = new ButtonSlot(() => webApp()?.BackButton);

export function openLink(url: string): void {
  const app = webApp();
  if (app?.openLink) app.openLink(url);
  else window.open(url, "_blank", "noopener");
}
