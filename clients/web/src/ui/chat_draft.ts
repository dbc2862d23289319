// The chat box's unsent text, kept for a reload of this tab only: in
// sessionStorage (gone with the tab, never shared with other tabs), never in
// localStorage, and removed as soon as the message is sent.
const KEY = "hearth.chat-draft";

export function loadDraft(): string {
  return sessionStorage.getItem(KEY) ?? "";
}

export function saveDraft(text: string): void {
  if (text) {
    sessionStorage.setItem(KEY, text);
  } else {
    sessionStorage.removeItem(KEY);
  }
}

export function clearDraft(): void {
  sessionStorage.removeItem(KEY);
}
