// <tokhai-form>: the widget as a custom element, mounted from its attributes and started again when they change.
import { GIVEN_UP } from './form.js';
import { mountIn, OPTION_ATTRIBUTES, optionsOf } from './mount.js';
import { language } from './util.js';

/**
 * `<tokhai-form src lang catalogs prefill action uploads today timings-endpoint satisfaction-endpoint login-at
 * subject draft-key drafts language-switch history>`: the widget as a custom element.
 */
export class TokhaiFormElement extends HTMLElement {
  static observedAttributes = ['src', ...OPTION_ATTRIBUTES];
  #handle = null;
  #ready = null;
  /** `ready` asked for before the element is in the page: settled once it is and its form is ready. */
  #waiting = null;
  /** Whether the form starts at the end of this task (once the host has set all its attributes). */
  #soon = false;
  /**
   * What the host listens to with the handle's `on` (`{type, handler, off}`): the form started anew (another
   * citizen, another endpoint) gets them too (a `submit` handler that sends the filing above all).
   */
  #listeners = new Set();
  /** Without drafts, the answers of the form this element started anew, by draft (kept in the page only). */
  #carried = new Map();

  /**
   * Resolves to the mounted form's handle (rejects while the element has no `src`); asked for before the
   * element is in the page, once it is.
   */
  get ready() {
    if (this.#ready) return this.#ready;
    if (!this.getAttribute('src')) return Promise.reject(new Error('tokhai: <tokhai-form> has no src yet'));
    if (this.isConnected && !this.#soon) return this.#start();
    if (!this.#waiting) {
      const waiting = {};
      waiting.promise = new Promise((ok, fail) => Object.assign(waiting, { ok, fail }));
      this.#waiting = waiting;
    }
    return this.#waiting.promise;
  }

  /** The handle, once mounted. */
  get handle() {
    return this.#handle;
  }

  connectedCallback() {
    this.#startSoon();
  }

  disconnectedCallback() {
    // Moved within the page (disconnected, then connected again at once): the form and its answers stay.
    queueMicrotask(() => this.isConnected || this.#stop());
  }

  attributeChangedCallback(name, old, value) {
    if (old === value) return;
    // A language set while the form loads is applied once it is ready.
    if (name === 'lang') return this.#handle?.setLanguage(value);
    // The others are read at mount: the form starts again with them (another citizen signed in, another
    // endpoint), its draft kept, once the task has set them all (a framework sets them one by one).
    this.#stop();
    if (this.isConnected) this.#startSoon();
  }

  /** Starts the form once the current task is over, if the element is still in the page with a `src`. */
  #startSoon() {
    if (this.#soon) return;
    this.#soon = true;
    queueMicrotask(() => {
      this.#soon = false;
      if (this.#ready || !this.getAttribute('src')) return;
      if (!this.isConnected) {
        // Asked for while in the page, removed before it started.
        this.#waiting?.fail(new Error(GIVEN_UP));
        this.#waiting = null;
        return;
      }
      const ready = this.#start();
      ready.catch(() => {});
      if (this.#waiting) {
        ready.then(this.#waiting.ok, this.#waiting.fail);
        this.#waiting = null;
      }
    });
  }

  /** Unmounts the form (or gives up the one loading). */
  #stop() {
    this.#handle?.destroy();
    this.#handle = null;
    this.#ready = null;
  }

  #start() {
    // What a copy of another element (cloneNode) brought along is no form.
    this.replaceChildren();
    // The language the form starts in (a citizen's earlier choice in this tab may win over it).
    const asked = this.getAttribute('lang');
    const host = {
      carried: this.#carried,
      // Wanted while this element is in the page and still asks for this src.
      wanted: () => this.#ready === ready && this.isConnected,
      /** The form is ready: held, with the language asked for meanwhile. */
      adopt: (handle) => {
        this.#handle = handle;
        if (this.hasAttribute('lang') && this.getAttribute('lang') !== asked) handle.setLanguage(this.getAttribute('lang'));
        const on = handle.on;
        // The attribute follows the built-in language switch.
        on('language', ({ lang }) => {
          if (this.hasAttribute('lang') && language(this.getAttribute('lang')) !== lang) this.setAttribute('lang', lang);
        });
        const listen = (entry) => (entry.off = on(entry.type, entry.handler));
        for (const entry of this.#listeners) listen(entry);
        handle.on = (type, handler) => {
          const entry = { type, handler };
          listen(entry);
          this.#listeners.add(entry);
          return () => {
            entry.off();
            this.#listeners.delete(entry);
          };
        };
      },
      /** The host destroyed the handle itself: the element holds no form (until `ready` or a new `src`). */
      released: (handle) => {
        if (this.#handle !== handle) return;
        this.#handle = null;
        this.#ready = null;
      },
    };
    const options = optionsOf(this);
    const ready = mountIn(this, this.getAttribute('src'), options, host).catch((error) => {
      // A form given up (removed, or another src) fails quietly; one that could not load says so.
      if (this.#ready === ready) {
        // In a root of the widget's styles, where the page's rules for `p` and `[role=alert]` stop as at the form.
        const root = this.ownerDocument.createElement('div');
        root.className = 'tk';
        const p = root.appendChild(this.ownerDocument.createElement('p'));
        p.className = 'tk-load-error';
        p.setAttribute('role', 'alert');
        p.textContent = 'Không tải được biểu mẫu. / The form could not be loaded.';
        this.replaceChildren(root);
        // In the console too: a page with no listener (or a typo in an attribute) still tells its developer why.
        console.error(`tokhai: <tokhai-form src="${this.getAttribute('src')}"> could not be loaded:`, error);
        // A task later, as the form's first events are: a listener a later script adds hears it too.
        setTimeout(() => this.dispatchEvent(new CustomEvent('tokhai-error', { detail: { error }, bubbles: true, composed: true })));
      }
      throw error;
    });
    this.#ready = ready;
    return ready;
  }
}
