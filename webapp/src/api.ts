// Calls to the bot's Mini App API, authenticated by Telegram's initData (or a dev session).
import { webApp } from "./telegram";

const BASE = "/app/api/";
const DEV_KEY = "learnplan-dev-session";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

let authorization: string | null = null;

/** Work out how this page authenticates: Telegram's initData, else a one-time dev token. */
export async function authenticate(): Promise<boolean> {
  const initData = webApp()?.initData;
  if (initData) {
    authorization = `tma ${initData}`;
    return true;
  }
  const url = new URL(window.location.href);
  const token = url.searchParams.get("dev");
  if (token) {
    url.searchParams.delete("dev");
    window.history.replaceState(null, "", url.toString());
    const response = await fetch(`${BASE}dev-session`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token }),
    });
    if (response.ok) {
      const body = (await response.json()) as { session: string };
      sessionStorage.setItem(DEV_KEY, body.session);
    }
  }
  const session = sessionStorage.getItem(DEV_KEY);
  if (session) authorization = `dev ${session}`;
  return authorization !== null;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Authorization: authorization ?? "" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(BASE + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data: any = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const message =
      response.status === 401
        ? "This page has expired — close it and open it again from the bot."
        : (data?.error ?? `Something went wrong (${response.status}).`);
    throw new ApiError(response.status, message);
  }
  return data as T;
}

export async function load<T>(view: string): Promise<T | null> {
  return (await call<{ data: T | null }>("GET", view)).data;
}

export async function act(path: string, body?: unknown): Promise<string[]> {
  return (await call<{ messages: string[] }>("POST", path, body ?? {})).messages;
}
