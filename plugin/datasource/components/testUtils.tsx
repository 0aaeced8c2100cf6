/** Test helpers for the editors: typing into React-controlled fields and finding test ids. */
import { act } from 'react-dom/test-utils';

/** Sets a field's value the way a keystroke does, so React's onChange fires. */
export function type(el: Element | null, value: string) {
  if (!el) {
    throw new Error('no such field');
  }
  const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  act(() => {
    Object.getOwnPropertyDescriptor(proto, 'value')?.set?.call(el, value);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

/** Clicks an element inside act(). */
export function click(el: Element | null) {
  if (!el) {
    throw new Error('no such element');
  }
  act(() => {
    (el as HTMLElement).click();
  });
}

/** The element with a data-testid (the input itself when the test id is on a wrapper). */
export function byTestId(root: ParentNode, id: string): HTMLElement | null {
  return root.querySelector(`[data-testid="${id}"]`);
}
